"""Celery tasks of monitoring: thin, they call a service."""

from datetime import date

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_daily_checks(today: str | None = None) -> dict:
    """The sweep for today (or an ISO date). Idempotent: a double beat or a retry after a
    killed worker redoes the day and writes nothing twice (monitoring.sweep)."""
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
