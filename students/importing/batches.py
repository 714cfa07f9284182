"""The coordinators' import page: uploads wait as a batch until they are confirmed,
discarded, or removed by the hourly clean-up (KOERS_IMPORT_BATCH_HOURS)."""

import hashlib
import json
import logging
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import policy

from ..models import ImportBatch, ImportFile
from .preview import changes_by_student, plan_digest
from .reading import (
    Context,
    ImportResult,
    ParsedFile,
    check_against_database,
    load_context,
    read_files,
)
from .rules import KINDS, SPECS, Issue, parse_date, parse_date_of_birth, parse_hours
from .writing import Plan, apply, plan

security_log = logging.getLogger("koers.security")


def log_refusals(result: ImportResult, *, user_id, where: str):
    """Rows refused because their student is outside the institution are logged like
    every refusal (ACCESS.md): ids and counts only, never a number, name or BSN."""
    refused = sum(1 for issue in result.errors if issue.code == "outside_institution")
    if refused:
        security_log.warning(
            "import refused %d row(s) outside institution %s for user %s (%s)",
            refused,
            result.context.institution_id,
            user_id,
            where,
        )


class BatchClosed(Exception):
    """The batch was applied, discarded or removed in the meantime."""


@dataclass
class Outcome:
    """What confirming gave: `plan` is what was applied (None when nothing was);
    `outdated` means the database changed since the preview, which now shows anew."""

    result: ImportResult
    plan: Plan | None
    outdated: bool = False


def file_name(kind: str) -> str:
    # The page names files by kind, never by the uploaded name (which could hold anything).
    return f"{kind}.csv"


def coordinator_membership(user):
    """The active membership if it may use the import page, else None."""
    if not policy.can_import(user):
        return None
    return policy.active_membership(user)


def files_digest(files: dict) -> str:
    digest = hashlib.sha256()
    for kind in sorted(files):
        name, content = files[kind]
        digest.update(f"{kind}:{len(content)}:".encode())
        digest.update(content)
    return digest.hexdigest()


def reference_digest(ctx: Context) -> str:
    """The reference data the rows were read against (names -> ids)."""
    encoded = json.dumps([sorted(ctx.municipalities.items()), sorted(ctx.schools.items())])
    return hashlib.sha256(encoded.encode()).hexdigest()


# --- The rows as read, kept on the batch (compressed JSON, no pickle) -------------------

_DATES = {
    kind: {c.field for c in spec.columns if c.parse in (parse_date, parse_date_of_birth)}
    for kind, spec in SPECS.items()
}
_DECIMALS = {
    kind: {c.field for c in spec.columns if c.parse is parse_hours} for kind, spec in SPECS.items()
}


def _encode(value):
    if isinstance(value, date | Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def keep_rows(parsed_files: dict) -> bytes:
    kept = [
        {
            "kind": parsed.kind,
            "name": parsed.name,
            "fields": parsed.fields,
            "rows": [[row["_line"], *(row[name] for name in parsed.fields)] for row in parsed.rows],
            "refs": parsed.refs,
            "elsewhere": sorted(parsed.elsewhere),
            "failed": parsed.failed,
        }
        for parsed in parsed_files.values()
    ]
    return zlib.compress(json.dumps(kept, default=_encode, separators=(",", ":")).encode(), 6)


def kept_rows(blob: bytes) -> dict:
    parsed_files = {}
    for kept in json.loads(zlib.decompress(bytes(blob))):
        kind, fields = kept["kind"], kept["fields"]
        dates, decimals = _DATES[kind], _DECIMALS[kind]
        rows = []
        for line, *values in kept["rows"]:
            row = dict(zip(fields, values, strict=True))
            for name in dates & row.keys():
                if row[name] is not None:
                    row[name] = date.fromisoformat(row[name])
            for name in decimals & row.keys():
                if row[name] is not None:
                    row[name] = Decimal(row[name])
            row["_line"] = line
            rows.append(row)
        parsed_files[kind] = ParsedFile(
            kind=kind,
            name=kept["name"],
            fields=list(fields),
            rows=rows,
            refs=[tuple(ref) for ref in kept["refs"]],
            elsewhere=set(kept["elsewhere"]),
            failed=kept["failed"],
        )
    return parsed_files


def _issues(issues) -> list:
    return [[i.file, i.line, i.column, i.code, i.params] for i in issues]


def kept_issues(kept) -> list:
    return [Issue(file, line, column, code, params) for file, line, column, code, params in kept]


def _keep_outcome(batch: ImportBatch, result: ImportResult, the_plan: Plan | None, *, digest):
    """The preview of this validation, as the page will read it."""
    preview = {
        "today": result.context.today.isoformat(),
        "reference": reference_digest(result.context),
        "errors": _issues(result.errors),
        "notices": _issues(result.notices),
    }
    if the_plan is not None:
        entries, total = changes_by_student(the_plan, result.context)
        preview.update(
            counts=[{"name": fp.name, **fp.counts} for fp in the_plan.files.values()],
            students=entries,
            students_total=total,
            student_ids=sorted(the_plan.number_ids.values()),
            plan=plan_digest(the_plan),
        )
    batch.preview = preview
    batch.files_digest = digest
    batch.save(update_fields=["preview", "files_digest", "validated"])


def _validate(batch: ImportBatch, files: dict, *, today=None):
    """Read and check the files, keep the rows as read and the preview; (result, plan)."""
    ctx = load_context(today=today, institution_id=batch.organisation_id)
    parsed_files, errors = read_files(files, ctx)
    # Kept before the database checks, which resolve mentors in place.
    batch.validated = None if errors else keep_rows(parsed_files)
    result = check_against_database(parsed_files, ctx, errors)
    log_refusals(result, user_id=batch.uploaded_by_id, where=f"import {batch.public_id}")
    the_plan = plan(result) if result.ok else None
    _keep_outcome(batch, result, the_plan, digest=files_digest(files))
    return result, the_plan


@transaction.atomic
def batch_create(*, user, files: dict, today=None) -> ImportBatch:
    """Store uploaded files (kind -> bytes) for the user's institution and validate them,
    once: the preview page reads what this keeps."""
    institution_id = policy.import_institution_id(user)
    if institution_id is None:
        raise PermissionError("only a school coordinator imports files")
    batch = ImportBatch.objects.create(uploaded_by=user, organisation_id=institution_id)
    ImportFile.objects.bulk_create(
        ImportFile(batch=batch, kind=kind, name=file_name(kind), content=content)
        for kind, content in files.items()
    )
    _validate(
        batch, {kind: (file_name(kind), content) for kind, content in files.items()}, today=today
    )
    return batch


@transaction.atomic
def batch_prepare(*, batch: ImportBatch, today=None) -> ImportBatch:
    """Validate a batch uploaded before uploads were validated at once (no preview kept
    yet); one time only: afterwards the page reads what this keeps."""
    if batch.status == ImportBatch.Status.PREVIEW and not batch.preview:
        _validate(batch, batch_files(batch), today=today)
    return batch


def batch_files(batch: ImportBatch) -> dict:
    return {
        file.kind: (file.name, bytes(file.content))
        for file in batch.files.all()
        if file.kind in KINDS
    }


@transaction.atomic
def batch_apply(*, batch: ImportBatch, user, today=None) -> Outcome:
    """Apply the previewed upload, all or nothing, in one transaction.

    The files are not read again when they are the ones validated (same digest, same
    day, same reference data): the kept rows are checked against the database anew
    (mentors, known students: a few set-based queries) and planned. When that gives
    errors, or a plan other than the one previewed (someone changed the data meanwhile),
    nothing is written and the preview shows the new outcome. The batch row is locked
    first, so a double click or the clean-up task cannot apply it twice.
    """
    locked = (
        ImportBatch.objects.select_for_update()
        .filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW)
        .first()
    )
    if locked is None:
        raise BatchClosed
    files = batch_files(locked)
    digest = files_digest(files)
    ctx = load_context(today=today, institution_id=locked.organisation_id)
    kept = locked.preview or {}
    if (
        locked.validated is not None
        and digest == locked.files_digest
        and kept.get("today") == ctx.today.isoformat()
        and kept.get("reference") == reference_digest(ctx)
    ):
        result = check_against_database(kept_rows(locked.validated), ctx, [])
        log_refusals(result, user_id=user.pk, where=f"import {locked.public_id}")
        the_plan = plan(result) if result.ok else None
        if the_plan is None or plan_digest(the_plan) != kept.get("plan"):
            _keep_outcome(locked, result, the_plan, digest=digest)
    else:
        result, the_plan = _validate(locked, files, today=ctx.today)
    if the_plan is None:
        return Outcome(result, None)
    if plan_digest(the_plan) != kept.get("plan"):
        return Outcome(result, None, outdated=True)

    apply(result, actor=user, source="import", the_plan=the_plan)
    locked.status = ImportBatch.Status.APPLIED
    locked.applied_at = timezone.now()
    locked.summary = [
        {"name": file_plan.name, **file_plan.counts} for file_plan in the_plan.files.values()
    ]
    # The files, rows and changes hold personal data that is now in the student files.
    locked.preview, locked.validated = {}, None
    locked.save(update_fields=["status", "applied_at", "summary", "preview", "validated"])
    locked.files.all().delete()
    batch.refresh_from_db()
    return Outcome(result, the_plan)


@transaction.atomic
def batch_discard(*, batch: ImportBatch, user) -> bool:
    claimed = ImportBatch.objects.filter(
        pk=batch.pk, uploaded_by=user, status=ImportBatch.Status.PREVIEW
    ).update(status=ImportBatch.Status.DISCARDED, preview={}, validated=None)
    if claimed:
        ImportFile.objects.filter(batch_id=batch.pk).delete()
    return bool(claimed)


def remove_expired_batches(*, now=None) -> int:
    """Delete uploads left in preview longer than KOERS_IMPORT_BATCH_HOURS, set-based;
    running it twice removes nothing the second time."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.KOERS_IMPORT_BATCH_HOURS)
    deleted = ImportBatch.objects.filter(
        status=ImportBatch.Status.PREVIEW, created_at__lt=cutoff
    ).delete()[1]
    return deleted.get(ImportBatch._meta.label, 0)
