"""guardians.csv (INTERFACES.md section 1, issue 19): parents, guardians and other
contacts of known students, keyed by (student, name, relation).

The fifth file of the administration import, read, checked, planned and written by the
same machinery as the others (all or nothing, FILE:LINE: column: reason, the
institution's scope, history); rules.py adds it to KINDS and SPECS.
"""

from ..models import Guardian, GuardianRelation
from .rules import STUDENT_NUMBER, Column, FileSpec, Invalid, enum, parse_email, text

AUTHORITY = {"yes": "yes", "no": "no"}


def parse_parental_authority(value, ctx):
    """`yes` or `no` (any case); empty is "unknown" (the column's cleared value)."""
    try:
        return AUTHORITY[value.lower()]
    except KeyError:
        raise Invalid("unknown_value", choices="yes, no") from None


GUARDIANS_SPEC = FileSpec(
    "guardians",
    (
        STUDENT_NUMBER,
        Column("name", "name", text(200), required=True),
        Column("relation", "relation", enum(GuardianRelation), required=True),
        Column(
            "parental_authority",
            "parental_authority",
            parse_parental_authority,
            cleared="unknown",
        ),
        Column("email", "email", parse_email),
        Column("phone", "phone", text(30)),
    ),
    ("student_number", "name", "relation"),
    Guardian,
)
