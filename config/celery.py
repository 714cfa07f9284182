"""The Celery application. Tasks are thin: they take ids and call a service."""

import logging
import os

from celery import Celery, chain
from celery.schedules import crontab
from celery.signals import setup_logging

# An empty value (as some shells and hooks pass) counts as unset.
if not os.environ.get("DJANGO_SETTINGS_MODULE"):
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"

app = Celery("koers")
# Only CELERY_* Django settings configure Celery; the broker comes from REDIS_URL.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger("koers.nightly")


@setup_logging.connect
def _django_logging(**kwargs):
    """The worker logs through Django's LOGGING (its filter keeps database errors'
    details and row values out of the log, config.logfilters), not Celery's own set-up."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


# --- The nightly jobs: one chain, each link after the one before (not at set times) ----
# The checks, then what needs their result: the coordinators' dashboards and the daily
# digests. config may know every app; monitoring names no task of reports. Each link is
# idempotent (a second run for the same day opens no signal twice, computes the same
# figures again and sends no digest twice), so the whole chain may run again for a day.
NIGHTLY_JOBS = (
    "monitoring.tasks.run_daily_checks",
    "reports.tasks.precompute_dashboards",
    "monitoring.tasks.send_daily_digests",
)
NIGHTLY_LINK_FAILED = "koers.nightly_link_failed"


def nightly_chain(today: str):
    """The chain for one day (an ISO date, the same for every link). Each link is
    immutable (it takes the day, not the result of the link before); a link that fails
    (after its own retries) stops the chain, and the errback logs which link failed and
    which did not run."""
    errback = app.signature(NIGHTLY_LINK_FAILED)
    links = []
    for name in NIGHTLY_JOBS:
        link = app.signature(name, args=(today,), immutable=True)
        link.link_error(errback.clone())
        links.append(link)
    return chain(*links, app=app)


@app.task(name="koers.run_nightly_jobs", acks_late=True)
def run_nightly_jobs(today: str | None = None) -> dict:
    """Beat starts this: the nightly chain for today (or an ISO date, to run a day
    again). Returns the day and the result ids of the links, in order."""
    from django.utils import timezone

    day = today or timezone.localdate().isoformat()
    result = nightly_chain(day).apply_async()
    logger.info("nightly jobs for %s started: %s", day, ", ".join(NIGHTLY_JOBS))
    links = []
    while result is not None:
        links.insert(0, result.id)
        result = result.parent
    return {"date": day, "links": links}


@app.task(name=NIGHTLY_LINK_FAILED)
def nightly_link_failed(request, exc, traceback):
    """The errback of every link: called in the worker when a link failed for good."""
    remaining = [link.get("task") for link in reversed(request.chain or [])]
    logger.error(
        "nightly jobs for %s: %s failed (%s: %s); not run: %s",
        (request.args or ["?"])[0],
        request.task,
        type(exc).__name__,
        exc,
        ", ".join(remaining) or "nothing",
    )


# Every periodic job, in one place. Each is idempotent, so a double beat is harmless.
app.conf.beat_schedule = {
    "remove expired import uploads": {
        "task": "students.tasks.remove_expired_import_batches",
        "schedule": crontab(minute=17),
    },
    "remove expired background exports": {
        "task": "reports.tasks.expire_export_jobs",
        "schedule": crontab(minute=47),
    },
    "remove expired copies of young people's data (portal)": {
        "task": "portal.tasks.expire_copies",
        "schedule": crontab(minute=53),
    },
    "retention: pseudonymise students past the retention period": {
        "task": "students.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=15),
    },
    # The checks, then the dashboards' precompute, then the digests (NIGHTLY_JOBS).
    "nightly jobs: monitoring checks, then dashboards, then digests": {
        "task": "koers.run_nightly_jobs",
        "schedule": crontab(hour=5, minute=30),
    },
    "notifications: remove those read long ago": {
        "task": "planner.tasks.purge_read_notifications",
        "schedule": crontab(hour=4, minute=5),
    },
}
