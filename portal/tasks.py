"""Celery tasks of the portal: thin, each calls a service."""

from celery import shared_task

from students.tasks import DATABASE_RETRY

from . import services


@shared_task(**DATABASE_RETRY)
def build_copy(copy_id):
    """Build a student's copy of their data. Idempotent: only a queued copy is built."""
    return services.data_copy_build(copy_id=copy_id)


@shared_task(**DATABASE_RETRY)
def expire_copies():
    """Remove the files of copies past their 24 hours (hourly)."""
    return services.data_copies_expire()
