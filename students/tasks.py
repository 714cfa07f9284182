"""Celery tasks of the student file: thin, each calls a service."""

from celery import shared_task

from .importing import remove_expired_batches


@shared_task
def remove_expired_import_batches():
    """Uploads nobody confirmed within KOERS_IMPORT_BATCH_HOURS are removed (hourly)."""
    return remove_expired_batches()


@shared_task
def apply_retention():
    """Pseudonymise the students whose retention period ended (daily; idempotent)."""
    from .retention import apply_retention as run

    return len(run())
