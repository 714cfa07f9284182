"""Planning and applying a valid import: compare with the database, then write it all
in one transaction, set-based.

Nothing here runs a query per row. Existing records are read in chunks as plain
tuples (comparing 100,000 unchanged rows costs no model instances); new records go in
with PostgreSQL `COPY` (Django's bulk_create binds every value on the client, which
costs more than the insert itself); updates are one `UPDATE ... FROM` a scratch table
that only touches rows whose version is still the one read, so an edit made in the
meantime is never overwritten (optimistic locking, as in students.services).
"""

import json
from dataclasses import dataclass, field
from operator import itemgetter
from types import SimpleNamespace

from django.db import connection, transaction
from django.db.models import JSONField
from django.utils import timezone

from accounts.models import User

from ..models import RecordChange, Student
from ..services import field_changes, history_value, student_refresh_startkwalificatie
from .reading import Context, ImportResult, ParsedFile, chunks, select_matching
from .rules import SPECS

# Rows per insert or update statement: large enough that per-statement costs vanish,
# small enough to keep the COPY buffers and the history rows of one batch in memory.
WRITE_BATCH = 20_000


class ImportConflict(Exception):
    """A record changed between reading and writing it: the whole import is undone."""


@dataclass
class Update:
    pk: int
    version: int | None
    student_id: int
    row: dict
    changes: dict


@dataclass
class FilePlan:
    kind: str
    name: str
    fields: list  # the model attributes the file sets, apart from the key
    creates: list = field(default_factory=list)  # rows
    updates: list = field(default_factory=list)  # Update
    unchanged: int = 0

    @property
    def counts(self) -> dict:
        return {
            "created": len(self.creates),
            "updated": len(self.updates),
            "unchanged": self.unchanged,
        }

    @property
    def summary_line(self) -> str:
        counts = self.counts
        return (
            f"{self.name}: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged"
        )


@dataclass
class Plan:
    files: dict  # kind -> FilePlan, in KINDS order
    number_ids: dict  # student_number -> id of every student the import names

    @property
    def counts(self) -> dict:
        return {kind: file_plan.counts for kind, file_plan in self.files.items()}

    @property
    def summary_lines(self) -> list:
        return [file_plan.summary_line for file_plan in self.files.values()]


# --- History values -----------------------------------------------------------------


def _field_name(attname: str) -> str:
    return attname[:-3] if attname.endswith("_id") else attname


def _display(ctx: Context, attname: str, value):
    """A value as the history shows it: names for municipality, institution and mentor."""
    if value is None or not attname.endswith("_id"):
        return history_value(value)
    return ctx.names.get((attname, value), str(value))


def _changes(old: dict, row: dict, fields: list, ctx: Context) -> dict:
    """{field: {"old", "new"}} for what the row changes; the BSN as "changed" only."""
    plain = [name for name in fields if not name.endswith("_id")]
    changes = field_changes(
        SimpleNamespace(**{name: old[name] for name in plain}),
        {name: row[name] for name in plain},
    )
    for attname in fields:
        if attname.endswith("_id") and old[attname] != row[attname]:
            changes[_field_name(attname)] = {
                "old": _display(ctx, attname, old[attname]),
                "new": _display(ctx, attname, row[attname]),
            }
    return changes


# --- Planning -----------------------------------------------------------------------


def _compare(file_plan, found, row, ctx):
    pk, version, student_id, old = found
    fields = file_plan.fields
    if tuple(row[name] for name in fields) == old:
        file_plan.unchanged += 1
        return
    changes = _changes(dict(zip(fields, old, strict=True)), row, fields, ctx)
    if changes:
        file_plan.updates.append(Update(pk, version, student_id, row, changes))
    else:  # equal after all (e.g. 12 and 12.0 hours)
        file_plan.unchanged += 1


def _plan_students(parsed: ParsedFile, ctx: Context, number_ids: dict, new: set) -> FilePlan:
    fields = [name for name in parsed.fields if name != "student_number"]
    file_plan = FilePlan("students", parsed.name, fields)
    existing = {}
    for number, pk, version, *old in select_matching(
        Student,
        "student_number",
        [row["student_number"] for row in parsed.rows],
        ["student_number", "pk", "version", *fields],
    ):
        existing[number] = (pk, version, pk, tuple(old))
    if "mentor_id" in fields:
        # Former mentors are named in the history by e-mail address, not by id.
        position = fields.index("mentor_id")
        former = {found[3][position] for found in existing.values()} - {None}
        former = sorted(pk for pk in former if ("mentor_id", pk) not in ctx.names)
        for chunk in chunks(former):
            for pk, email in User.objects.filter(pk__in=chunk).values_list("pk", "email"):
                ctx.names["mentor_id", pk] = email
    for row in parsed.rows:
        found = existing.get(row["student_number"])
        if found is None:
            file_plan.creates.append(row)
            new.add(row["student_number"])
        else:
            number_ids[row["student_number"]] = found[0]
            _compare(file_plan, found, row, ctx)
    return file_plan


def _plan_records(parsed: ParsedFile, ctx: Context, number_ids: dict, new: set) -> FilePlan:
    """Enrolments, qualifications, employment: matched on their key within a student."""
    spec = SPECS[parsed.kind]
    model, key_fields = spec.model, spec.key_fields
    fields = [name for name in parsed.fields if name not in key_fields]
    file_plan = FilePlan(parsed.kind, parsed.name, fields)

    named = {row["student_number"] for row in parsed.rows}
    number_ids.update(
        select_matching(
            Student, "student_number", named - set(number_ids) - new, ["student_number", "pk"]
        )
    )
    numbers = {pk: number for number, pk in number_ids.items()}
    versioned = any(f.name == "version" for f in model._meta.fields)
    key_width = len(key_fields)  # student_id stands in for the student_number
    existing = {}
    for values in select_matching(
        model,
        "student_id",
        {number_ids[number] for number in named if number in number_ids},
        ["student_id", *key_fields[1:], "pk", "version" if versioned else "pk", *fields],
    ):
        student_id = values[0]
        key = (numbers[student_id], *values[1:key_width])
        pk, version = values[key_width], values[key_width + 1] if versioned else None
        existing[key] = (pk, version, student_id, tuple(values[key_width + 2 :]))
    for row in parsed.rows:
        found = existing.get(tuple(row.get(name) for name in key_fields))
        if found is None:
            file_plan.creates.append(row)
        else:
            _compare(file_plan, found, row, ctx)
    return file_plan


def plan(result: ImportResult) -> Plan:
    """What a valid import would create, update and leave; reads, writes nothing."""
    if not result.ok:
        raise ValueError("an import with errors cannot be planned")
    # Students the students file creates have no records yet: nothing to look up.
    number_ids, new, files = {}, set(), {}
    for kind, parsed in result.files.items():
        planner = _plan_students if kind == "students" else _plan_records
        files[kind] = planner(parsed, result.context, number_ids, new)
    return Plan(files=files, number_ids=number_ids)


# --- Writing ------------------------------------------------------------------------


def _json_text(json_field, value) -> str:
    # COPY takes JSON as text; most history rows of a big import are the same "{}".
    return "{}" if value == {} else json.dumps(value, cls=json_field.encoder)


def _insert(model, rows: list, *, now) -> list:
    """Insert rows ({attname: value}, all with the same keys); their new ids, in order."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        records = [model(**values) for values in rows]
        model.objects.bulk_create(records, batch_size=2000)
        return [record.pk for record in records]

    meta = model._meta
    quote = connection.ops.quote_name
    given = list(rows[0])
    present = [f for f in meta.concrete_fields if f.attname in given and not f.primary_key]
    rest = [f for f in meta.concrete_fields if f.attname not in given and not f.primary_key]
    factories = [f for f in rest if f.has_default() and callable(f.default)]
    constants = [f for f in rest if f not in factories]
    constant_values = [
        now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_default()
        for f in constants
    ]
    constant_values = [
        _json_text(f, value) if isinstance(f, JSONField) else value
        for f, value in zip(constants, constant_values, strict=True)
    ]
    json_fields = [(i + 1, f) for i, f in enumerate(present) if isinstance(f, JSONField)]
    getter = itemgetter(*[f.attname for f in present])
    single = len(present) == 1
    makers = [f.default for f in factories]
    columns = ", ".join(quote(f.column) for f in [meta.pk, *present, *factories, *constants])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for pk, values in zip(ids, rows, strict=True):
                picked = getter(values)
                out = [pk, picked] if single else [pk, *picked]
                for position, json_field in json_fields:
                    out[position] = _json_text(json_field, out[position])
                out.extend(make() for make in makers)
                out.extend(constant_values)
                copy.write_row(out)
    return ids


def _update(model, updates: list, attnames: list, *, now):
    """Write the new values; only rows whose version is still the one read are touched,
    and when any is not, ImportConflict undoes the whole import."""
    versioned = any(f.name == "version" for f in model._meta.fields)
    if connection.vendor != "postgresql":
        if versioned:
            current = dict(
                model.objects.filter(pk__in=[u.pk for u in updates]).values_list("pk", "version")
            )
            if any(current.get(u.pk) != u.version for u in updates):
                raise ImportConflict
        extra = {"version": None, "updated_at": now} if versioned else {}
        records = []
        for u in updates:
            record = model(pk=u.pk, **{name: u.row[name] for name in attnames}, **extra)
            if versioned:
                record.version = u.version + 1
            records.append(record)
        names = [_field_name(name) for name in attnames] + list(extra)
        model.objects.bulk_update(records, names, batch_size=500)
        return

    meta = model._meta
    quote = connection.ops.quote_name
    table, scratch, pk = quote(meta.db_table), quote("koers_import_update"), quote(meta.pk.column)
    columns = [quote(meta.get_field(_field_name(name)).column) for name in attnames]
    read_version = ", version AS read_version" if versioned else ""
    assignments = [f"{column} = u.{column}" for column in columns]
    condition = ""
    if versioned:
        assignments += ["version = u.read_version + 1", "updated_at = %s"]
        condition = " AND t.version = u.read_version"
    with connection.cursor() as cursor:
        # A scratch table with the same column types, filled by COPY, then one UPDATE.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {scratch} ON COMMIT DROP AS "  # noqa: S608  # nosec B608 - names only
            f"SELECT {pk}, {', '.join(columns)}{read_version} FROM {table} WITH NO DATA"
        )
        copy_columns = ", ".join([pk, *columns] + (["read_version"] if versioned else []))
        with cursor.cursor.copy(f"COPY {scratch} ({copy_columns}) FROM STDIN") as copy:
            for u in updates:
                out = [u.pk, *(u.row[name] for name in attnames)]
                if versioned:
                    out.append(u.version)
                copy.write_row(out)
        cursor.execute(
            f"UPDATE {table} AS t SET {', '.join(assignments)} FROM {scratch} AS u "  # noqa: S608  # nosec B608 - names only
            f"WHERE t.{pk} = u.{pk}{condition}",
            [now] if versioned else [],
        )
        touched = cursor.rowcount
        cursor.execute(f"DROP TABLE {scratch}")
    if touched != len(updates):
        raise ImportConflict


def _derived_names(values: dict) -> dict:
    if not set(Student.NAME_FIELDS) <= set(values):
        return {}
    return Student.derived_names(values["first_name"], values["last_name"])


def _write(file_plan: FilePlan, ctx: Context, number_ids: dict, *, actor_id, source, now):
    model = SPECS[file_plan.kind].model
    child = file_plan.kind != "students"
    record_type = model._meta.model_name

    def history(student_id, record_id, action, changes):
        # What services.record_change() builds, as plain values for the bulk insert.
        return {
            "student_id": student_id,
            "record_type": record_type,
            "record_id": record_id,
            "action": action,
            "actor_id": actor_id,
            "source": source,
            "changes": changes,
        }

    for batch in chunks(file_plan.creates, WRITE_BATCH):
        rows = []
        for row in batch:
            values = {name: value for name, value in row.items() if name != "_line"}
            if child:
                values["student_id"] = number_ids[values.pop("student_number")]
            else:
                # Which institution's import created the student (None: the whole system).
                values["created_by_institution_id"] = ctx.institution_id
                values.update(_derived_names(values))
            rows.append(values)
        ids = _insert(model, rows, now=now)
        changes = []
        for pk, row, values in zip(ids, batch, rows, strict=True):
            if not child:
                number_ids[row["student_number"]] = pk
            changes.append(
                history(
                    values["student_id"] if child else pk,
                    pk,
                    RecordChange.Action.CREATE,
                    # The new record holds the values; a creation has no old ones. Not
                    # copying them keeps personal data in one place (and the import fast).
                    {},
                )
            )
        _insert(RecordChange, changes, now=now)

    attnames = file_plan.fields
    if not child and set(Student.NAME_FIELDS) <= set(attnames):
        # The sort and search columns follow the names (students.names).
        attnames = [*attnames, *Student.DERIVED_NAME_FIELDS]
        for update in file_plan.updates:
            update.row.update(_derived_names(update.row))
    for batch in chunks(file_plan.updates, WRITE_BATCH):
        _update(model, batch, attnames, now=now)
        _insert(
            RecordChange,
            [history(u.student_id, u.pk, RecordChange.Action.UPDATE, u.changes) for u in batch],
            now=now,
        )


@transaction.atomic
def apply(result: ImportResult, *, actor=None, source="import", the_plan=None) -> Plan:
    """Write a valid import in one transaction; returns the plan it carried out
    (`the_plan` when the caller planned it already, in the same transaction).

    Raises ImportConflict (and writes nothing) when a record changed in the meantime.
    """
    if the_plan is None:
        the_plan = plan(result)
    now = timezone.now()
    actor_id = actor.pk if actor is not None else None
    for file_plan in the_plan.files.values():
        _write(
            file_plan,
            result.context,
            the_plan.number_ids,
            actor_id=actor_id,
            source=source,
            now=now,
        )
    # The stored startkwalificatie date of the students whose diplomas this import wrote
    # (students.services, its one writer; the bulk paths send no post_save).
    touched = set()
    for kind in ("enrolments", "qualifications"):
        file_plan = the_plan.files.get(kind)
        if file_plan is None:
            continue
        touched.update(the_plan.number_ids[row["student_number"]] for row in file_plan.creates)
        touched.update(update.student_id for update in file_plan.updates)
    if touched:
        student_refresh_startkwalificatie(student_ids=sorted(touched))
    return the_plan
