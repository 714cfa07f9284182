"""Celery tasks of the planner: thin, they call a service (students.tasks.DATABASE_RETRY)."""

from celery import shared_task

from students.tasks import DATABASE_RETRY


@shared_task(**DATABASE_RETRY)
def purge_read_notifications() -> dict:
    """Notifications read more than KOERS_NOTIFICATION_READ_DAYS ago go (daily;
    idempotent: a second run finds nothing). accounts holds them; the task lives here
    because the delivery contract (DATABASE_RETRY) is above accounts."""
    from accounts.notifications import purge_read

    return {"deleted": purge_read()}
