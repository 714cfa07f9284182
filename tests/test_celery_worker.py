"""A real Celery worker on Redis runs a real project task (no eager mode).

Runs when REDIS_URL is set (CI always sets it); each xdist worker takes its own Redis
database, so parallel test processes never steal each other's tasks (PLATFORM.md).
"""

import os
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from students.models import ImportBatch
from tests.factories import make_user, organisation

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="needs REDIS_URL (a real Redis broker); CI sets it"
)


def redis_url_for_this_test_process():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    number = int("".join(ch for ch in worker if ch.isdigit()) or 0)
    base = REDIS_URL.rstrip("/")
    if base.rsplit("/", 1)[-1].isdigit():
        base = base.rsplit("/", 1)[0]
    # Databases 15, 14, ... : away from 0, which development uses.
    return f"{base}/{15 - number % 14}"


@pytest.fixture
def celery_worker(transactional_db):
    """A worker thread in this process; the test's data must be committed for it to see,
    hence a transactional database, with the reference data that a flush removed."""
    import celery.contrib.testing.tasks  # noqa: F401 - registers celery.ping for the start check
    import redis
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.apps import apps

    from accounts import reference_data
    from config.celery import app

    reference_data.load(apps)
    url = redis_url_for_this_test_process()
    redis.Redis.from_url(url).flushdb()
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    app._pool = None  # connections made with another broker URL must not be reused
    app._local.__dict__.pop("backend", None)

    def close_worker_connection(**kwargs):
        # The worker thread's database connection would keep the test database open.
        connection.close()

    task_postrun.connect(close_worker_connection, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=True, loglevel="WARNING"):
            yield app
    finally:
        task_postrun.disconnect(close_worker_connection)
        app.conf.update(saved)
        app._pool = None
        app._local.__dict__.pop("backend", None)


def test_worker_removes_expired_import_uploads(celery_worker, settings):
    from students.tasks import remove_expired_import_batches

    coordinator = make_user("coordinator@horizon.test", "school_coordinator", "Horizon College")
    school = organisation("Horizon College")
    expired = ImportBatch.objects.create(uploaded_by=coordinator, organisation=school)
    fresh = ImportBatch.objects.create(uploaded_by=coordinator, organisation=school)
    ImportBatch.objects.filter(pk=expired.pk).update(
        created_at=timezone.now() - timedelta(hours=settings.KOERS_IMPORT_BATCH_HOURS + 1)
    )

    result = remove_expired_import_batches.delay()
    result.get(timeout=30)

    assert result.successful()
    assert not ImportBatch.objects.filter(pk=expired.pk).exists()
    assert ImportBatch.objects.filter(pk=fresh.pk).exists()
