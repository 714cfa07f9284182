"""Administration writes through the API: the same import as the CSV files.

A request carries `students`, `enrolments`, `qualifications`, `employment` and
`guardians` arrays
whose objects have exactly the columns of INTERFACES.md section 1 as keys. Each array is
written as the CSV file it stands for and handed to `students.importing.validate`, acting
for the client's institution (`accounts.policy.import_institution_id`), so validation,
keys, idempotency and the "acting for one institution" rules are the import's own, not
a copy. Every error comes back per row and field: `students[3].bsn`.
"""

import bisect
from dataclasses import dataclass, field

from django.db import transaction

from accounts import policy
from students.importing import KINDS, ImportConflict, apply, plan, validate
from students.importing.batches import log_refusals
from students.models import AccessLog
from students.services import access_log


@dataclass
class Written:
    """One array as a CSV file: its bytes and the line each object starts on."""

    data: bytes
    starts: list = field(default_factory=list)  # sorted first lines, index = row index


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _record(cells) -> str:
    # Every cell quoted (RFC 4180): this file is the import's input, not an export, so it
    # is written as is (no spreadsheet-formula neutralising, which would change values).
    return ",".join('"' + cell.replace('"', '""') + '"' for cell in cells) + "\n"


def as_csv(rows: list) -> Written:
    """The rows as a comma-separated file. The header is the keys of every row, in order
    of appearance; a key a row lacks is empty there (as an empty CSV cell)."""
    columns = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    parts = [_record(columns)]
    line = 1 + parts[0].count("\n")
    starts = []
    for row in rows:
        record = _record([_cell(row.get(column)) for column in columns])
        parts.append(record)
        starts.append(line)
        line += record.count("\n")
    return Written("".join(parts).encode("utf-8"), starts)


def file_name(kind: str) -> str:
    return f"{kind}.csv"


def _invalid_params(errors, written: dict) -> list:
    by_file = {file_name(kind): kind for kind in written}
    params = []
    for issue in errors:
        kind = by_file.get(issue.file, issue.file)
        column = "" if issue.column == "-" else f".{issue.column}"
        starts = written[kind].starts if kind in written else []
        if issue.line <= 1 or not starts:
            name = f"{kind}{column}"
        else:
            index = max(bisect.bisect_right(starts, issue.line) - 1, 0)
            name = f"{kind}[{index}]{column}"
        params.append({"name": name, "reason": issue.localized_reason, "code": issue.code})
    return params


@dataclass
class Outcome:
    ok: bool
    counts: dict = field(default_factory=dict)
    invalid: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    conflict: bool = False


def administration_write(*, user, arrays: dict, dry_run=False, today=None) -> Outcome:
    """Validate and (unless `dry_run`) write, all or nothing, acting for the user's
    institution. The caller has checked `policy.api_can_write_administration`."""
    institution_id = policy.import_institution_id(user)
    written = {kind: as_csv(arrays[kind]) for kind in KINDS if arrays.get(kind)}
    if not written:
        return Outcome(ok=True, counts={})
    files = {kind: (file_name(kind), w.data) for kind, w in written.items()}
    result = validate(files, today=today, institution_id=institution_id)
    log_refusals(result, user_id=user.pk, where="api")
    notices = _invalid_params(result.notices, written)
    if not result.ok:
        return Outcome(ok=False, invalid=_invalid_params(result.errors, written))
    try:
        with transaction.atomic():
            the_plan = plan(result)
            if not dry_run:
                apply(result, actor=user, source="api", the_plan=the_plan)
                access_log(
                    user=user,
                    action=AccessLog.Action.IMPORT_APPLY,
                    students=list(the_plan.number_ids.values()),
                    detail=f"api: {', '.join(the_plan.summary_lines)}",
                )
    except ImportConflict:
        return Outcome(ok=False, conflict=True)
    return Outcome(ok=True, counts=the_plan.counts, notices=notices)
