"""Celery tasks of the reports: thin, each calls a service. Retries on database errors,
redelivery after a killed worker and time limits: students.tasks.DATABASE_RETRY."""

from celery import shared_task

from students.tasks import DATABASE_RETRY

from . import services


@shared_task(bind=True, **DATABASE_RETRY)
def build_export(self, job_id):
    """Build a background export's file. Idempotent: a job that is done, failed or
    expired is left alone, and the claim is a conditional UPDATE, so two deliveries of
    the message never both build. A delivery that finds another worker's claim (say, a
    message redelivered after its worker died) looks again once that claim can go stale;
    a database error gives the claim back and retries with backoff; a job killed
    MAX_ATTEMPTS times is failed (reports.services).
    """
    result = services.export_job_build(job_id=job_id)
    if result == "busy" and not self.request.called_directly:
        countdown = int(services.STALE_AFTER.total_seconds()) + 30
        if self.request.retries < self.max_retries:
            raise self.retry(countdown=countdown)
    return result


@shared_task(**DATABASE_RETRY)
def expire_export_jobs():
    """Remove the files of background exports past their download period, fail or send
    again the jobs a killed worker left, and remove orphaned temporary files (hourly)."""
    return services.export_jobs_expire()


@shared_task(**DATABASE_RETRY)
def precompute_dashboards(today: str | None = None):
    """Every coordinator's default dashboard, computed after the night's checks
    (reports.precompute). Idempotent: a second run computes the same figures again."""
    from datetime import date

    from .precompute import precompute_dashboards as precompute

    return precompute(today=date.fromisoformat(today) if today else None)
