"""The coordinators' import page: uploads wait as a batch until they are confirmed,
discarded, or removed by the hourly clean-up (KOERS_IMPORT_BATCH_HOURS)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Role

from ..models import ImportBatch, ImportFile
from .reading import ImportResult, validate
from .rules import KINDS
from .writing import apply


class BatchClosed(Exception):
    """The batch was applied, discarded or removed in the meantime."""


def file_name(kind: str) -> str:
    # The page names files by kind, never by the uploaded name (which could hold anything).
    return f"{kind}.csv"


def coordinator_membership(user):
    """The active membership if it may use the import page, else None."""
    membership = getattr(user, "active_membership", None)
    if membership is None or membership.role != Role.SCHOOL_COORDINATOR:
        return None
    return membership


@transaction.atomic
def batch_create(*, user, files: dict) -> ImportBatch:
    """Store uploaded files (kind -> bytes) for the preview of the user's organisation."""
    membership = coordinator_membership(user)
    if membership is None:
        raise PermissionError("only a school coordinator imports files")
    batch = ImportBatch.objects.create(uploaded_by=user, organisation=membership.organisation)
    ImportFile.objects.bulk_create(
        ImportFile(batch=batch, kind=kind, name=file_name(kind), content=content)
        for kind, content in files.items()
    )
    return batch


def batch_files(batch: ImportBatch) -> dict:
    return {
        file.kind: (file.name, bytes(file.content))
        for file in batch.files.all()
        if file.kind in KINDS
    }


def batch_validate(*, batch: ImportBatch, user, today=None) -> ImportResult:
    return validate(batch_files(batch), today=today, coordinator=user)


@transaction.atomic
def batch_apply(*, batch: ImportBatch, user, today=None):
    """Validate again (data may have changed since the preview) and apply: all or nothing.

    Returns (result, plan); the plan is None when the result has errors. The batch row
    is locked first, so a double click or the clean-up task cannot apply it twice.
    """
    locked = (
        ImportBatch.objects.select_for_update()
        .filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW)
        .first()
    )
    if locked is None:
        raise BatchClosed
    result = batch_validate(batch=locked, user=user, today=today)
    if not result.ok:
        return result, None
    the_plan = apply(result, actor=user, source="import")
    locked.status = ImportBatch.Status.APPLIED
    locked.applied_at = timezone.now()
    locked.summary = [
        {"name": file_plan.name, **file_plan.counts} for file_plan in the_plan.files.values()
    ]
    locked.save(update_fields=["status", "applied_at", "summary"])
    # The uploaded files hold personal data that is now in the student files: not kept.
    locked.files.all().delete()
    batch.refresh_from_db()
    return result, the_plan


@transaction.atomic
def batch_discard(*, batch: ImportBatch, user) -> bool:
    claimed = ImportBatch.objects.filter(
        pk=batch.pk, uploaded_by=user, status=ImportBatch.Status.PREVIEW
    ).update(status=ImportBatch.Status.DISCARDED)
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
