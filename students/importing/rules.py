"""The import's rule book: the four files, their columns, how each value is read, the
row rules, and every error's reason. Pure: no database (names are looked up in the
context that reading.py loads once).
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from ..bsn import is_valid_bsn
from ..dates import age_on
from ..models import (
    Employment,
    EndReason,
    Enrolment,
    Level,
    PriorEducation,
    Qualification,
    QualificationType,
    Student,
)

KINDS = ("students", "enrolments", "qualifications", "employment")
MINIMUM_AGE = 12

# --- Reasons ---------------------------------------------------------------------------
# Each error has a code; the command prints the English sentence (a stable interface for
# scripts), the page shows the Dutch one. Neither ever contains a value from the file.
REASONS = {
    "not_utf8": (
        "not UTF-8 (this line holds the first byte that cannot be read)",
        _("geen UTF-8 (op deze regel staat het eerste teken dat niet te lezen is)"),
    ),
    "not_csv": (
        "not a comma-separated file",
        _("geen bestand met komma's als scheidingsteken"),
    ),
    "unknown_column": ("unknown column", _("onbekende kolom")),
    "missing_column": ("required column is missing", _("verplichte kolom ontbreekt")),
    "duplicate_column": (
        "column appears more than once",
        _("kolom komt meer dan eens voor"),
    ),
    "unnamed_column": (
        "column %(position)s has no name",
        _("kolom %(position)s heeft geen naam"),
    ),
    "column_pair": (
        "end_date and end_reason go together: add the %(other)s column",
        _("end_date en end_reason horen bij elkaar: voeg de kolom %(other)s toe"),
    ),
    "field_count": (
        "row has %(found)s fields, the header has %(expected)s",
        _("rij heeft %(found)s velden, de kopregel %(expected)s"),
    ),
    "required": ("required value is missing", _("verplichte waarde ontbreekt")),
    "too_long": (
        "longer than %(max)s characters",
        _("langer dan %(max)s tekens"),
    ),
    "bad_date": (
        "not a date in the form YYYY-MM-DD",
        _("geen datum in de vorm JJJJ-MM-DD"),
    ),
    "impossible_date": ("date does not exist", _("deze datum bestaat niet")),
    "dob_future": ("date of birth is in the future", _("geboortedatum ligt in de toekomst")),
    "too_young": (
        "date of birth makes the student younger than 12 today",
        _("volgens de geboortedatum is de student vandaag jonger dan 12"),
    ),
    "unknown_municipality": (
        "unknown municipality (not in the reference data)",
        _("onbekende gemeente (niet in de referentiegegevens)"),
    ),
    "unknown_institution": (
        "unknown institution (not a school in Koers)",
        _("onbekende instelling (geen school in Koers)"),
    ),
    "unknown_value": (
        "unknown value; expected one of: %(choices)s",
        _("onbekende waarde; verwacht een van: %(choices)s"),
    ),
    "bsn_format": (
        "BSN must be exactly 9 digits, without spaces or separators",
        _("BSN moet precies 9 cijfers zijn, zonder spaties of scheidingstekens"),
    ),
    "bsn_check": ("BSN fails the 11-proef", _("BSN voldoet niet aan de 11-proef")),
    "bad_email": ("not a valid e-mail address", _("geen geldig e-mailadres")),
    "mentor_unknown": (
        "the account with this e-mail address is closed",
        _("het account met dit e-mailadres is afgesloten"),
    ),
    "mentor_not_mentor": (
        "this user is not a mentor",
        _("deze gebruiker is geen mentor"),
    ),
    "mentor_other_school": (
        "this user is not a mentor at the institution this import is for",
        _("deze gebruiker is geen mentor bij de instelling waarvoor deze import is"),
    ),
    "before_start": (
        "%(column)s is before start_date",
        _("%(column)s ligt voor start_date"),
    ),
    "end_reason_needed": (
        "required when end_date is given",
        _("verplicht als end_date is ingevuld"),
    ),
    "end_date_needed": (
        "required when end_reason is given",
        _("verplicht als end_reason is ingevuld"),
    ),
    "vavo_diploma": (
        "a vavo enrolment cannot end with diploma (record the certificate in qualifications.csv)",
        _(
            "een vavo-inschrijving kan niet eindigen met diploma "
            "(neem het certificaat op in qualifications.csv)"
        ),
    ),
    "level_required": (
        "required for type mbo (2, 3 or 4)",
        _("verplicht bij soort mbo (2, 3 of 4)"),
    ),
    "mbo1_is_entree": (
        "an mbo-1 diploma is imported as type entree, without level",
        _("een mbo-1-diploma wordt geïmporteerd als soort entree, zonder niveau"),
    ),
    "level_234": ("must be 2, 3 or 4", _("moet 2, 3 of 4 zijn")),
    "level_not_allowed": (
        "must be empty for type %(type)s",
        _("moet leeg zijn bij soort %(type)s"),
    ),
    "hours_nan": (
        "not a number (use . as the decimal separator)",
        _("geen getal (gebruik . als decimaalteken)"),
    ),
    "hours_range": ("must be between 0 and 60", _("moet tussen 0 en 60 liggen")),
    "hours_decimals": ("at most one decimal allowed", _("hoogstens één decimaal")),
    "duplicate_key": (
        "same %(key)s as line %(earlier)s",
        _("zelfde %(key)s als regel %(earlier)s"),
    ),
    "unknown_student": (
        "unknown student_number: not in the students file and not known in Koers",
        _("onbekend student_number: niet in het studentenbestand en niet bekend in Koers"),
    ),
    "not_this_institution": (
        "not the institution this import is for",
        _("niet de instelling waarvoor deze import is"),
    ),
    "outside_institution": (
        "belongs to a student outside this institution",
        _("hoort bij een student buiten deze instelling"),
    ),
    # A notice, not an error: the import goes ahead.
    "mentor_pending": (
        "no account yet; linked when it exists",
        _("nog geen account; wordt gekoppeld zodra het bestaat"),
    ),
}


@dataclass(frozen=True)
class Issue:
    """One error: the file's base name, the physical line, the column (or "-"), why."""

    file: str
    line: int
    column: str
    code: str
    params: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def reason(self) -> str:
        return REASONS[self.code][0] % self.params

    @property
    def localized_reason(self) -> str:
        return str(REASONS[self.code][1]) % self.params

    @property
    def column_label(self) -> str:
        """The column's Dutch label (the field's verbose_name), shown beside its name."""
        kind = self.file.rsplit("/", 1)[-1].split(".", 1)[0]
        return column_label(kind, self.column)

    def __str__(self):
        return f"{self.file}:{self.line}: {self.column}: {self.reason}"


class Invalid(Exception):
    def __init__(self, code, **params):
        super().__init__(code)
        self.code = code
        self.params = params


# --- Value parsers: text in, normalised value out, or Invalid ---------------------------

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_INTEGER = re.compile(r"[0-9]+(?:\.0*)?")
_ASCII_DIGITS = re.compile(r"[0-9]{9}")
_TENTH = Decimal("0.1")


def text(max_length):
    def parse(value, ctx):
        if len(value) > max_length:
            raise Invalid("too_long", max=max_length)
        return value

    return parse


@lru_cache(maxsize=65536)
def _date(value):
    if not _DATE.fullmatch(value):
        raise Invalid("bad_date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid("impossible_date") from None


def parse_date(value, ctx):
    return _date(value)


def enum(choices):
    allowed = {str(value) for value in choices.values}
    listed = ", ".join(str(value) for value in choices.values)

    def parse(value, ctx):
        lowered = value.lower()
        if lowered not in allowed:
            raise Invalid("unknown_value", choices=listed)
        return lowered

    return parse


def parse_date_of_birth(value, ctx):
    born = _date(value)
    if born > ctx.today:
        raise Invalid("dob_future")
    if age_on(born, ctx.today) < MINIMUM_AGE:
        raise Invalid("too_young")
    return born


def parse_municipality(value, ctx):
    try:
        return ctx.municipalities[value.lower()]
    except KeyError:
        raise Invalid("unknown_municipality") from None


def parse_institution(value, ctx):
    try:
        return ctx.schools[value.lower()]
    except KeyError:
        raise Invalid("unknown_institution") from None


def parse_bsn(value, ctx):
    if not _ASCII_DIGITS.fullmatch(value):
        raise Invalid("bsn_format")
    if not is_valid_bsn(value):
        raise Invalid("bsn_check")
    return value


# The everyday address, a strict subset of what Django's validator accepts: checked
# with one pattern; anything else goes through the full validator.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63}"
)


def parse_email(value, ctx):
    if len(value) > 254:
        raise Invalid("too_long", max=254)
    if not _PLAIN_EMAIL.fullmatch(value):
        try:
            validate_email(value)
        except ValidationError:
            raise Invalid("bad_email") from None
    return value


def parse_mentor_email(value, ctx):
    # Resolved to a user in bulk after all files are read (see _check_mentors).
    return parse_email(value, ctx).lower()


def parse_hours(value, ctx):
    if not _NUMBER.fullmatch(value):
        raise Invalid("hours_nan")
    try:
        hours = Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise Invalid("hours_nan") from None
    if hours < 0 or hours > 60:
        raise Invalid("hours_range")
    rounded = hours.quantize(_TENTH)
    if rounded != hours:
        raise Invalid("hours_decimals")
    return rounded


def parse_qualification_level(value, ctx):
    if not _INTEGER.fullmatch(value):
        raise Invalid("level_234")
    return int(Decimal(value))


# --- The four files --------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    field: str  # the model attribute it fills
    parse: object
    required: bool = False
    cleared: object = ""  # the value of a present, empty optional column


@dataclass(frozen=True)
class FileSpec:
    kind: str
    columns: tuple
    key: tuple  # the columns that identify a record
    model: type

    @property
    def by_name(self):
        return {column.name: column for column in self.columns}

    @property
    def required(self):
        return [column.name for column in self.columns if column.required]

    @property
    def key_fields(self):
        """The model attributes of the key, e.g. ("student_number", "institution_id", ...)."""
        by_name = self.by_name
        return tuple(by_name[name].field for name in self.key)


def column_label(kind, name):
    """The Dutch label of column `name` of file `kind` (its model field's verbose_name),
    or "" for a name the file does not have."""
    spec = SPECS.get(kind)
    column = spec.by_name.get(name) if spec else None
    if column is None:
        return ""
    try:
        field = spec.model._meta.get_field(column.field)
    except FieldDoesNotExist:
        return ""
    return str(field.verbose_name)


def file_columns():
    """[(file name, [(column name, Dutch label, required)])] for the upload page."""
    return [
        (
            f"{kind}.csv",
            [(c.name, column_label(kind, c.name), c.required) for c in spec.columns],
        )
        for kind, spec in SPECS.items()
    ]


STUDENT_NUMBER = Column("student_number", "student_number", text(20), required=True)

SPECS = {
    "students": FileSpec(
        "students",
        (
            STUDENT_NUMBER,
            Column("first_name", "first_name", text(100), required=True),
            Column("last_name", "last_name", text(100), required=True),
            Column("date_of_birth", "date_of_birth", parse_date_of_birth, required=True),
            Column("municipality", "municipality_id", parse_municipality, required=True),
            Column("bsn", "bsn", parse_bsn),
            Column("email", "email", parse_email),
            Column("phone", "phone", text(30)),
            Column("prior_education", "prior_education", enum(PriorEducation)),
            Column("mentor_email", "mentor_id", parse_mentor_email, cleared=None),
        ),
        ("student_number",),
        Student,
    ),
    "enrolments": FileSpec(
        "enrolments",
        (
            STUDENT_NUMBER,
            Column("institution", "institution_id", parse_institution, required=True),
            Column("location", "location", text(100)),
            Column("programme", "programme", text(200), required=True),
            Column("level", "level", enum(Level), required=True),
            Column("start_date", "start_date", parse_date, required=True),
            Column("planned_end_date", "planned_end_date", parse_date, cleared=None),
            Column("end_date", "end_date", parse_date, cleared=None),
            Column("end_reason", "end_reason", enum(EndReason)),
            Column("group", "group_name", text(40)),
        ),
        ("student_number", "institution", "programme", "start_date"),
        Enrolment,
    ),
    "qualifications": FileSpec(
        "qualifications",
        (
            STUDENT_NUMBER,
            Column("type", "type", enum(QualificationType), required=True),
            Column("level", "level", parse_qualification_level, cleared=None),
            Column("date", "date", parse_date, required=True),
        ),
        ("student_number", "type", "level", "date"),
        Qualification,
    ),
    "employment": FileSpec(
        "employment",
        (
            STUDENT_NUMBER,
            Column("employer", "employer", text(200), required=True),
            Column("hours_per_week", "hours_per_week", parse_hours, required=True),
            Column("start_date", "start_date", parse_date, required=True),
            Column("end_date", "end_date", parse_date, cleared=None),
        ),
        ("student_number", "employer", "start_date"),
        Employment,
    ),
}


# Row rules: (row, columns present, columns whose value failed) -> [(column, code, params)].
# They see only values that were read correctly, so one bad value gives one error.


def _enrolment_rules(row, present, failed):
    problems = []
    start = row.get("start_date")
    for name in ("end_date", "planned_end_date"):
        day = row.get(name)
        if start and day and day < start:
            problems.append((name, "before_start", {"column": name}))
    if {"end_date", "end_reason"} <= present and not {"end_date", "end_reason"} & failed:
        has_end, has_reason = row.get("end_date"), row.get("end_reason")
        if has_reason and not has_end:
            problems.append(("end_date", "end_date_needed", {}))
        if has_end and not has_reason:
            problems.append(("end_reason", "end_reason_needed", {}))
    if row.get("level") == Level.VAVO and row.get("end_reason") == EndReason.DIPLOMA:
        problems.append(("end_reason", "vavo_diploma", {}))
    return problems


def _qualification_rules(row, present, failed):
    kind, level = row.get("type"), row.get("level")
    if kind is None or "level" in failed:
        return ()
    if kind == QualificationType.MBO:
        if level is None:
            return [("level", "level_required", {})]
        if level == 1:
            return [("level", "mbo1_is_entree", {})]
        if level not in (2, 3, 4):
            return [("level", "level_234", {})]
    elif level is not None:
        return [("level", "level_not_allowed", {"type": kind})]
    return ()


def _employment_rules(row, present, failed):
    start, end = row.get("start_date"), row.get("end_date")
    if start and end and end < start:
        return [("end_date", "before_start", {"column": "end_date"})]
    return ()


ROW_RULES = {
    "students": None,
    "enrolments": _enrolment_rules,
    "qualifications": _qualification_rules,
    "employment": _employment_rules,
}


# --- guardians.csv (issue 19): a fifth file, its spec in its own module -----------------

from .guardians import GUARDIANS_SPEC  # noqa: E402  (it builds on the parts above)

KINDS = (*KINDS, "guardians")
SPECS["guardians"] = GUARDIANS_SPEC
ROW_RULES["guardians"] = None
