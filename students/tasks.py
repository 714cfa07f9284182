"""Celery tasks of the student file: thin, each calls a service.

`DATABASE_RETRY` is the delivery contract of every Koers task (the other apps' tasks use
it too): a database that is down or restarting (OperationalError, InterfaceError) is
retried with exponential backoff (5 s, 10 s, 20 s, ... at most
KOERS_TASK_RETRY_BACKOFF_MAX, with jitter) up to MAX_DATABASE_RETRIES times; the message
is acknowledged only when the task ends (acks_late) and given back when its worker dies
(reject_on_worker_lost), so a killed task runs again; every task is idempotent, so
running again never does anything twice. Each has explicit time limits (settings.
KOERS_TASK_TIME_LIMIT; Redis's visibility timeout is longer, config.settings).
"""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from .importing import remove_expired_batches

MAX_DATABASE_RETRIES = 5
DATABASE_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 5,
    "retry_backoff_max": settings.KOERS_TASK_RETRY_BACKOFF_MAX,
    "retry_jitter": True,
    "max_retries": MAX_DATABASE_RETRIES,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": settings.KOERS_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.KOERS_TASK_TIME_LIMIT,
}


@shared_task(**DATABASE_RETRY)
def remove_expired_import_batches():
    """Uploads nobody confirmed within KOERS_IMPORT_BATCH_HOURS are removed (hourly)."""
    return remove_expired_batches()


@shared_task(**DATABASE_RETRY)
def apply_retention():
    """Pseudonymise the students whose retention period ended (daily; idempotent)."""
    from .retention import apply_retention as run

    return len(run())
