"""What the coordinator sees before confirming: every student the import creates or
changes, field by field, old value -> new value, kept as plain JSON on the batch so the
preview page only reads it (INTERFACES.md 1, "Acting for one institution").

Values are kept as the history keeps them (dates ISO, names for municipality,
institution and mentor, the BSN only as a mark) and turned into labels when shown.
"""

import hashlib
import json
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.utils import formats
from django.utils.translation import gettext as _

from ..services import SECRET_FIELDS
from .rules import SPECS
from .writing import Plan, _display, _field_name

# Students listed in full; the rest of a large import is counted, not listed.
PREVIEW_STUDENTS = 500
HIDDEN_MARK = "•"  # a secret field (the BSN) changed: never its value


def plan_digest(the_plan: Plan) -> str:
    """A fingerprint of what the plan would write: equal plans, equal digests. Confirming
    compares it with the previewed one, so nothing is applied that was not shown."""
    parts = [
        [
            kind,
            [row["_line"] for row in file_plan.creates],
            file_plan.unchanged,
            [[u.pk, u.version, u.changes] for u in file_plan.updates],
        ]
        for kind, file_plan in the_plan.files.items()
    ]
    encoded = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def _kept(ctx, attname, value):
    if _field_name(attname) in SECRET_FIELDS:
        return HIDDEN_MARK if value else ""
    return _display(ctx, attname, value)


def _key_of(kind, row, ctx):
    """The values that tell one record of a student from another (not the number)."""
    return [
        [_field_name(attname), _kept(ctx, attname, row.get(attname))]
        for attname in SPECS[kind].key_fields[1:]
    ]


def changes_by_student(the_plan: Plan, ctx, *, limit=None) -> tuple[list, int]:
    """([entry], total): the first `limit` students the plan creates or changes, and how
    many it touches in all. An entry: {"number", "name", "new": bool, "records": [{"type",
    "new": bool, "key": [[field, value]], "fields": [[field, old, new]]}]}."""
    limit = PREVIEW_STUDENTS if limit is None else limit
    entries, numbers = {}, set()
    created = {row["student_number"] for row in the_plan.files.get("students", _Empty).creates}
    ids_numbers = {pk: number for number, pk in the_plan.number_ids.items()}

    def entry(number):
        numbers.add(number)
        if number not in entries and len(entries) < limit:
            entries[number] = {
                "number": number,
                "name": "",
                "new": number in created,
                "records": [],
            }
        return entries.get(number)

    for kind, file_plan in the_plan.files.items():
        child = kind != "students"
        for row in file_plan.creates:
            found = entry(row["student_number"])
            if found is None:
                continue
            if not child:
                found["name"] = f"{row.get('first_name', '')} {row.get('last_name', '')}".strip()
            # A new record shows every value, its key included.
            attnames = (
                [*SPECS[kind].key_fields[1:], *file_plan.fields] if child else file_plan.fields
            )
            fields = [
                [_field_name(attname), None, _kept(ctx, attname, row[attname])]
                for attname in attnames
                if row.get(attname) not in (None, "")
            ]
            found["records"].append(
                {
                    "type": kind,
                    "new": True,
                    "key": _key_of(kind, row, ctx) if child else [],
                    "fields": fields,
                }
            )
        for update in file_plan.updates:
            number = update.row.get("student_number") or ids_numbers.get(update.student_id)
            found = entry(number)
            if found is None:
                continue
            if not child and "first_name" in update.row:
                found["name"] = f"{update.row['first_name']} {update.row['last_name']}".strip()
            found["records"].append(
                {
                    "type": kind,
                    "new": False,
                    "key": _key_of(kind, update.row, ctx) if child else [],
                    "fields": [
                        [name, values.get("old"), values.get("new")]
                        for name, values in update.changes.items()
                    ],
                }
            )
    return list(entries.values()), len(numbers)


class _Empty:
    creates = ()


# --- Shown on the page ------------------------------------------------------------------

RECORD_LABELS = {
    "students": lambda: _("Persoonsgegevens"),
    "enrolments": lambda: _("Inschrijving"),
    "qualifications": lambda: _("Diploma of certificaat"),
    "employment": lambda: _("Dienstverband"),
    "guardians": lambda: _("Ouder of contactpersoon"),
}


def _field(kind, name):
    try:
        return SPECS[kind].model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def shown_value(kind, name, value) -> str:
    """A kept value as a person reads it: labels for codes, Dutch dates, no BSN."""
    if value is None or value == "":
        return "—"
    if name in SECRET_FIELDS:
        return _("gewijzigd")
    field = _field(kind, name)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and field.get_internal_type() == "DateField":
        try:
            return formats.date_format(date.fromisoformat(str(value)), "DATE_FORMAT")
        except ValueError:
            return str(value)
    if field is not None and field.get_internal_type() == "DecimalField":
        try:
            return formats.number_format(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    return str(value)


def shown_entries(entries: list) -> list:
    """The kept entries with labels and shown values, for the template."""
    shown = []
    for found in entries:
        records = []
        for record in found["records"]:
            kind = record["type"]
            key = ", ".join(
                shown_value(kind, name, value) for name, value in record["key"] if value
            )
            fields = []
            for name, old, new in record["fields"]:
                field = _field(kind, name)
                fields.append(
                    {
                        "label": str(field.verbose_name) if field is not None else name,
                        "old": shown_value(kind, name, old) if not record["new"] else "—",
                        "new": shown_value(kind, name, new),
                    }
                )
            records.append(
                {"label": RECORD_LABELS[kind](), "key": key, "new": record["new"], "fields": fields}
            )
        shown.append({**found, "records": records})
    return shown
