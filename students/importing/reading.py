"""Reading and checking the files: every error is collected, nothing is written.

The files are read once with the reference data preloaded (no query per row); what
needs the database beyond that (mentors, known students, the coordinator's scope) is
checked afterwards for all rows at once.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import psycopg
from django.db import connection
from django.db.models.functions import Lower
from django.utils import timezone

from accounts import policy
from accounts.models import Membership, Municipality, Organisation, OrganisationKind, Role, User

from ..models import Student
from .rules import KINDS, ROW_RULES, SPECS, FileSpec, Invalid, Issue


@dataclass
class Context:
    today: date
    municipalities: dict  # lower-case name or alias -> id
    schools: dict  # lower-case name -> id
    names: dict  # (field, id) -> display name, for the history
    # The institution the import acts for (the page's coordinator's school, or the
    # command's --institution); None: the whole system (the command without it).
    institution_id: int | None = None


@dataclass
class ParsedFile:
    kind: str
    name: str
    fields: list = field(default_factory=list)  # model fields the header provides
    rows: list = field(default_factory=list)  # valid rows: {field: value, "_line": n}
    refs: list = field(default_factory=list)  # (line, student_number) of every row
    elsewhere: set = field(default_factory=set)  # lines enrolling at another institution
    failed: bool = False  # the whole file could not be read


@dataclass
class ImportResult:
    files: dict  # kind -> ParsedFile, in KINDS order
    errors: list
    context: Context
    notices: list = field(default_factory=list)  # Issue: not errors (a mentor to come)

    @property
    def ok(self):
        return not self.errors


def load_context(*, today=None, institution_id=None) -> Context:
    """The reference data every row is checked against, loaded once (not per row)."""
    municipalities, names = {}, {}
    # The same matching as Municipality.objects.by_name(), for all names at once.
    for pk, name, alias in Municipality.objects.values_list("pk", "name", "aliases"):
        municipalities[name.lower()] = pk
        if alias:
            municipalities.setdefault(alias.lower(), pk)
        names["municipality_id", pk] = name
    schools = {}
    for pk, name in Organisation.objects.filter(kind=OrganisationKind.SCHOOL).values_list(
        "pk", "name"
    ):
        schools[name.lower()] = pk
        names["institution_id", pk] = name
    return Context(
        today=today or timezone.localdate(),
        municipalities=municipalities,
        schools=schools,
        names=names,
        institution_id=institution_id,
    )


def _line_of_byte(data: bytes, position: int) -> int:
    before = data[:position]
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1


class _FileReader:
    """Reads one file into valid rows and errors; needs no database beyond the context."""

    def __init__(self, spec: FileSpec, name: str, ctx: Context):
        self.spec = spec
        self.ctx = ctx
        self.parsed = ParsedFile(kind=spec.kind, name=name)
        self.errors = []

    def error(self, line, column, code, /, **params):
        self.errors.append(Issue(self.parsed.name, line, column, code, params))

    def whole_file(self, code, line=1):
        self.parsed = ParsedFile(kind=self.spec.kind, name=self.parsed.name, failed=True)
        self.errors = [Issue(self.parsed.name, line, "-", code, {})]
        return self.parsed, self.errors

    def read(self, data: bytes):
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            content = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return self.whole_file("not_utf8", _line_of_byte(data, exc.start))
        if "\x00" in content:
            return self.whole_file("not_csv")
        reader = csv.reader(io.StringIO(content, newline=""), strict=True, skipinitialspace=True)
        try:
            header = next((row for row in reader if any(cell.strip() for cell in row)), None)
            if header is None or not self.read_header(header):
                return self.whole_file("not_csv")
            previous_line = reader.line_num
            for cells in reader:
                line = previous_line + 1
                previous_line = reader.line_num
                self.read_row(line, [cell.strip() for cell in cells])
        except csv.Error:
            return self.whole_file("not_csv")
        return self.parsed, self.errors

    def read_header(self, header) -> bool:
        """Map positions to columns; False when it has none of the required columns."""
        spec = self.spec
        by_name = spec.by_name
        shown = [cell.strip() for cell in header]
        lowered = [cell.lower() for cell in shown]
        if not set(lowered) & set(spec.required):
            return False
        self.active = []  # (position, Column) of every column that is read
        seen = set()
        for position, (name, key) in enumerate(zip(shown, lowered, strict=True)):
            if not key:
                self.error(1, "-", "unnamed_column", position=position + 1)
            elif key in seen:
                self.error(1, name, "duplicate_column")
            elif key not in by_name:
                self.error(1, name, "unknown_column")
            else:
                seen.add(key)
                self.active.append((position, by_name[key]))
        for required in spec.required:
            if required not in seen:
                self.error(1, required, "missing_column")
        pair = {"end_date", "end_reason"}
        if spec.kind == "enrolments" and len(pair & seen) == 1:
            # One without the other could break a record's end date/reason pairing.
            (present,) = pair & seen
            (missing,) = pair - seen
            self.error(1, present, "column_pair", other=missing)
        self.width = len(header)
        self.present = seen
        self.parsed.fields = [column.field for _, column in self.active]
        self.number_position = lowered.index("student_number") if "student_number" in seen else None
        # The key can be compared when its required columns were read and its optional
        # ones (a qualification's level) were not wrong.
        required = set(spec.required)
        self.key_fields = spec.key_fields
        self.key_required = [
            column.field
            for column in spec.columns
            if column.name in spec.key and column.name in required
        ]
        self.key_optional = {name for name in spec.key if name not in required}
        self.duplicate_column = "student_number" if len(spec.key) == 1 else "-"
        self.key_label = ", ".join(spec.key)
        self.rule = ROW_RULES[spec.kind]
        self.first_seen = {}
        return True

    def read_row(self, line, values):
        if not any(values):
            return
        number = None
        if self.number_position is not None and self.number_position < len(values):
            number = values[self.number_position] or None
            if number:
                self.parsed.refs.append((line, number))
        if len(values) != self.width:
            self.error(line, "-", "field_count", found=len(values), expected=self.width)
            return

        ctx, errors, name = self.ctx, self.errors, self.parsed.name
        errors_before = len(errors)
        row, failed = {}, set()
        for position, column in self.active:
            value = values[position]
            if value:
                try:
                    row[column.field] = column.parse(value, ctx)
                except Invalid as exc:
                    errors.append(Issue(name, line, column.name, exc.code, exc.params))
                    failed.add(column.name)
            elif column.required:
                errors.append(Issue(name, line, column.name, "required", {}))
                failed.add(column.name)
            else:
                row[column.field] = column.cleared

        if self.rule is not None:
            for column_name, code, params in self.rule(row, self.present, failed):
                errors.append(Issue(name, line, column_name, code, params))

        institution = row.get("institution_id")
        if ctx.institution_id is not None and institution not in (None, ctx.institution_id):
            errors.append(Issue(name, line, "institution", "not_this_institution", {}))
            self.parsed.elsewhere.add(line)

        if all(attname in row for attname in self.key_required) and not (
            self.key_optional & failed
        ):
            key = tuple(row.get(attname) for attname in self.key_fields)
            earlier = self.first_seen.setdefault(key, line)
            if earlier != line:
                errors.append(
                    Issue(
                        name,
                        line,
                        self.duplicate_column,
                        "duplicate_key",
                        {"key": self.key_label, "earlier": earlier},
                    )
                )

        if len(errors) == errors_before:
            row["_line"] = line
            self.parsed.rows.append(row)


def chunks(items: list, size=None) -> Iterable[list]:
    if size is None:
        limit = connection.features.max_query_params or 5000
        size = max(1, min(5000, limit - 10))
    for start in range(0, len(items), size):
        yield items[start : start + size]


def select_matching(model, match: str, values, columns: list) -> Iterable[tuple]:
    """(columns) of every row of `model` whose `match` attribute is one of `values`.

    On PostgreSQL one array parameter per 20,000 values, bound on the server: Django's
    client-side binding of thousands of IN parameters costs more than the query.
    """
    values = sorted(values)
    if connection.vendor != "postgresql":
        queryset = model.objects.order_by().values_list(*columns)
        for chunk in chunks(values):
            yield from queryset.filter(**{f"{match}__in": chunk})
        return
    meta = model._meta
    quote = connection.ops.quote_name

    def column(name):
        field = meta.pk if name == "pk" else meta.get_field(name.removesuffix("_id"))
        return quote(field.column)

    sql = (
        f"SELECT {', '.join(map(column, columns))} FROM {quote(meta.db_table)} "  # noqa: S608  # nosec B608 - model metadata only
        f"WHERE {column(match)} = ANY(%s)"
    )
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        for chunk in chunks(values, 20_000):
            cursor.execute(sql, [chunk])
            yield from cursor


def _existing_numbers(numbers) -> set:
    return {
        number
        for (number,) in select_matching(Student, "student_number", numbers, ["student_number"])
    }


def _check_mentors(parsed: ParsedFile, ctx: Context, errors: list, notices: list):
    """Turn mentor e-mail addresses into users: a few queries for the whole file.

    An address with no account at all is not an error: it is kept on the student
    (pending_mentor_email) with a notice, and linked once that address holds a mentor
    role at one of the student's institutions (students.services).
    """
    if "mentor_id" not in parsed.fields:
        return
    if "pending_mentor_email" not in parsed.fields:
        parsed.fields.append("pending_mentor_email")
    rows = []
    for row in parsed.rows:
        row["pending_mentor_email"] = ""
        if row.get("mentor_id"):
            rows.append(row)
    emails = sorted({row["mentor_id"] for row in rows})
    if not emails:
        return
    users, active = {}, set()
    for chunk in chunks(emails):
        for pk, email, is_active in (
            User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=chunk)
            .values_list("pk", "email_lower", "is_active")
        ):
            users[email] = pk
            if is_active:
                active.add(pk)
            ctx.names["mentor_id", pk] = email
    mentors, own_mentors = set(), set()
    for user_id, organisation_id in Membership.objects.filter(
        user_id__in=list(active), role=Role.MENTOR, is_active=True
    ).values_list("user_id", "organisation_id"):
        mentors.add(user_id)
        if organisation_id == ctx.institution_id:
            own_mentors.add(user_id)
    bad_lines = set()
    for row in rows:
        email = row["mentor_id"]
        pk = users.get(email)
        code = None
        if pk is None:
            notices.append(Issue(parsed.name, row["_line"], "mentor_email", "mentor_pending", {}))
            row["mentor_id"] = None
            row["pending_mentor_email"] = email
            continue
        if pk not in active:
            code = "mentor_unknown"  # a closed account is no user to link
        elif pk not in mentors:
            code = "mentor_not_mentor"
        elif ctx.institution_id is not None and pk not in own_mentors:
            # An import for one institution cannot show its students to another school.
            code = "mentor_other_school"
        if code:
            errors.append(Issue(parsed.name, row["_line"], "mentor_email", code, {}))
            bad_lines.add(row["_line"])
        else:
            row["mentor_id"] = pk
    if bad_lines:
        parsed.rows = [row for row in parsed.rows if row["_line"] not in bad_lines]


def _touchable_numbers(institution_id, numbers) -> set:
    """The numbers (of known students) an import acting for the institution may touch,
    by the policy's filter: a query per 5,000 numbers, never one per row."""
    allowed = set()
    queryset = Student.objects.filter(policy.import_may_touch_q(institution_id)).order_by()
    for chunk in chunks(sorted(numbers)):
        allowed.update(
            queryset.filter(student_number__in=chunk).values_list("student_number", flat=True)
        )
    return allowed


def _check_students_named(files: dict, ctx: Context, errors: list):
    """Every row names a student on the students file (even a row with errors) or one
    already known. Acting for one institution, a known student must also be one the
    institution may touch (accounts.policy): any other is an error on that line that
    names no one and shows none of their values."""
    students = files.get("students")
    in_file = {number for _, number in students.refs} if students else set()
    others = [files[kind] for kind in KINDS[1:] if kind in files]
    named = set(in_file)
    for parsed in others:
        named.update(number for _, number in parsed.refs)
    if not named:
        return

    # A students file that could not be read says nothing about the numbers it holds.
    check_unknown = students is None or not students.failed
    outside = set()
    if ctx.institution_id is None:
        outside_file = named - in_file
        known = _existing_numbers(outside_file) if check_unknown and outside_file else set()
    else:
        known_bsn = dict(
            select_matching(Student, "student_number", named, ["student_number", "bsn"])
        )
        known = set(known_bsn)
        if known:
            allowed = _touchable_numbers(ctx.institution_id, known)
            row_bsn = (
                {row["student_number"]: row.get("bsn") for row in students.rows} if students else {}
            )
            outside = {
                number
                for number in known - allowed
                if not policy.import_same_person(row_bsn.get(number), known_bsn[number])
            }
        if students is not None:
            for line, number in students.refs:
                if number in outside:
                    errors.append(
                        Issue(students.name, line, "student_number", "outside_institution")
                    )

    for parsed in others:
        for line, number in parsed.refs:
            if number in outside:
                if line in parsed.elsewhere:
                    continue  # the institution column carries this row's error already
                errors.append(Issue(parsed.name, line, "student_number", "outside_institution"))
            elif check_unknown and number not in in_file and number not in known:
                errors.append(Issue(parsed.name, line, "student_number", "unknown_student"))


def read_files(files: dict, ctx: Context) -> tuple[dict, list]:
    """Read every file (no database beyond the context): kind -> ParsedFile, errors."""
    unknown = set(files) - set(KINDS)
    if unknown or not files:
        raise ValueError(f"give one to four of: {', '.join(KINDS)}")
    parsed_files, errors = {}, []
    for kind in KINDS:
        if kind in files:
            name, data = files[kind]
            parsed, file_errors = _FileReader(SPECS[kind], name, ctx).read(data)
            parsed_files[kind] = parsed
            errors.extend(file_errors)
    return parsed_files, errors


def check_against_database(parsed_files: dict, ctx: Context, errors: list) -> ImportResult:
    """The checks that need the database (mentors, known students and whose they are),
    set-based for all rows; cheap next to reading, so confirming a kept upload runs them
    again instead of reading the files anew."""
    errors = list(errors)
    notices = []
    if "students" in parsed_files:
        _check_mentors(parsed_files["students"], ctx, errors, notices)
    _check_students_named(parsed_files, ctx, errors)
    order = {kind: index for index, kind in enumerate(KINDS)}
    kind_of = {parsed.name: parsed.kind for parsed in parsed_files.values()}
    errors.sort(key=lambda issue: (order[kind_of[issue.file]], issue.line))
    return ImportResult(files=parsed_files, errors=errors, context=ctx, notices=notices)


def validate(files: dict, *, today=None, institution_id=None) -> ImportResult:
    """Read and check every file; `files` maps a kind to (base name, bytes).

    With `institution_id` (the page's coordinator's school, or the command's
    --institution) the import acts for that institution (INTERFACES.md 1): enrolments are
    at that institution, and known students are ones it may touch (accounts.policy).
    Without it (the command) any institution and student may be imported.
    """
    ctx = load_context(today=today, institution_id=institution_id)
    parsed_files, errors = read_files(files, ctx)
    return check_against_database(parsed_files, ctx, errors)
