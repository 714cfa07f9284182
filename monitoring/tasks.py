"""Celery tasks of monitoring: thin, they call a service. Retries on database errors,
redelivery after a killed worker and time limits: students.tasks.DATABASE_RETRY."""

from datetime import date

from celery import shared_task

from students.tasks import DATABASE_RETRY


@shared_task(**DATABASE_RETRY)
def run_daily_checks(today: str | None = None) -> dict:
    """The sweep for today (or an ISO date). Idempotent: a double beat, a retry or a
    redelivery after a killed worker waits for the sweep's lock, redoes the day and
    writes nothing twice (monitoring.sweep)."""
    from .services import run_daily_checks as run

    result = run(today=date.fromisoformat(today) if today else None)
    return {
        "date": result.date.isoformat(),
        "candidates": result.candidates,
        "opened": result.opened,
        "reopened": result.reopened,
        "closed": result.closed,
        "reassigned": result.reassigned,
    }


@shared_task(**DATABASE_RETRY)
def send_daily_digests(today: str | None = None) -> dict:
    """The daily e-mail digests. A second or overlapping run sends nothing twice: each
    user's day is claimed before the e-mail goes out (monitoring.digest)."""
    from .digest import send_daily_digests as send

    result = send(today=date.fromisoformat(today) if today else None)
    return {"sent": result.sent, "already_sent": result.skipped_claimed}
