"""The Celery application. Tasks are thin: they take ids and call a service."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import setup_logging

# An empty value (as some shells and hooks pass) counts as unset.
if not os.environ.get("DJANGO_SETTINGS_MODULE"):
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"

app = Celery("koers")
# Only CELERY_* Django settings configure Celery; the broker comes from REDIS_URL.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _django_logging(**kwargs):
    """The worker logs through Django's LOGGING (its filter keeps database errors'
    details and row values out of the log, config.logfilters), not Celery's own set-up."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


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
    "monitoring checks (signals and VSV status)": {
        "task": "monitoring.tasks.run_daily_checks",
        "schedule": crontab(hour=5, minute=30),
    },
    "retention: pseudonymise students past the retention period": {
        "task": "students.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=15),
    },
    "reports: precompute the coordinators' dashboards (after the checks)": {
        "task": "reports.tasks.precompute_dashboards",
        "schedule": crontab(hour=6, minute=0),
    },
    "notifications: remove those read long ago": {
        "task": "planner.tasks.purge_read_notifications",
        "schedule": crontab(hour=4, minute=5),
    },
    "monitoring daily digests (after the checks)": {
        "task": "monitoring.tasks.send_daily_digests",
        "schedule": crontab(hour=6, minute=30),
    },
}
