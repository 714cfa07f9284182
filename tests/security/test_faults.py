"""No fault loses work or shows a bare 500 (issue 13): Redis down, the database down,
database errors in the log, killed and retried jobs."""

import io
import logging
import os
import time
from datetime import date, timedelta
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import path
from django.utils import timezone

from reports import exports, services
from reports.models import ExportJob
from tests.factories import EnrolmentFactory, StudentFactory

TODAY = date(2027, 11, 15)
CLOSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once
BSN = "123456782"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("reports.scope.timezone.localdate", lambda: TODAY)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path / "exports"


@pytest.fixture
def redis_down(settings):
    """The cache (rate limits, kept figures) on a port where no Redis answers."""
    settings.CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED,
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        }
        for alias in ("default", "reports")
    }


@pytest.fixture
def broker_down(monkeypatch):
    """Celery's broker on a port where no Redis answers (and no connection kept from
    before)."""
    from config.celery import app

    monkeypatch.setitem(app.conf, "broker_url", CLOSED)
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    yield app
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def enrolled(coordinator):
    student = StudentFactory()
    EnrolmentFactory(student=student)
    return student


# --- Redis down ----------------------------------------------------------------------


def test_search_works_with_redis_down_and_warns(redis_down, coordinator, enrolled, client, caplog):
    client.force_login(coordinator)
    response = client.get("/students/", {"q": enrolled.last_name})
    assert response.status_code == 200
    assert "cache unavailable" in caplog.text


def test_rate_limit_still_counts_locally_with_redis_down(
    redis_down, mentor, client, settings, monkeypatch
):
    from accounts import security

    security._local_counters.clear()
    now = time.time()
    monkeypatch.setattr("accounts.security.time.time", lambda: now)  # one window
    settings.KOERS_RATE_LIMITS = {**settings.KOERS_RATE_LIMITS, "search": (2, 60)}
    client.force_login(mentor)
    answers = [client.get("/students/", {"q": f"x{n}"}).status_code for n in range(3)]
    # The fallback counts in this process: the third search in the window is refused.
    assert answers == [200, 200, 429]


def test_dashboard_and_csv_export_work_with_redis_down(redis_down, coordinator, enrolled, client):
    client.force_login(coordinator)
    assert client.get("/rapportages/", {"jaar": 2026}).status_code == 200
    response = client.get("/rapportages/export/alles.csv", {"jaar": 2026})
    assert response.status_code == 200
    assert b"".join(response.streaming_content)
    listed = client.get("/rapportages/export/studenten.csv", {"jaar": 2026})
    assert listed.status_code == 200
    assert enrolled.student_number in b"".join(listed.streaming_content).decode("utf-8-sig")
    refresh = client.post("/rapportages/?jaar=2026")
    assert refresh.status_code == 302


@pytest.fixture
def reference_data_back(django_db_blocker):
    """Set up before the transactional database and so torn down after its flush: the
    reference data back for the tests after this one (as tests/reports does)."""
    yield
    from django.apps import apps

    from accounts import reference_data

    with django_db_blocker.unblock():
        reference_data.load(apps)


def test_export_start_with_the_broker_down_says_try_again(
    reference_data_back, transactional_db, broker_down, redis_down, client
):
    # Committed for real: the task is sent after the commit, as in production.
    from django.apps import apps

    from accounts import reference_data
    from tests.factories import make_user

    reference_data.load(apps)
    coordinator = make_user("coordinator@horizon.test", "school_coordinator", "Horizon College")
    client.force_login(coordinator)
    started = time.monotonic()
    response = client.post("/rapportages/exports/nieuw/csv/?jaar=2026")
    assert time.monotonic() - started < 10
    assert response.status_code == 302
    assert response["Location"] == "/rapportages/?jaar=2026"
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("Probeer het zo opnieuw" in text for text in texts)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED  # never a job that waits for ever


def test_kept_figures_fall_back_to_computing(redis_down, coordinator, caplog):
    from reports import precompute
    from reports.scope import scope_for

    coordinator.set_active_membership(None)
    scope = scope_for(coordinator, {"jaar": "2026"})
    run = precompute.tables_for(scope)
    assert run.fresh
    assert run.tables
    assert "kept figures unavailable" in caplog.text


# --- The database down ----------------------------------------------------------------


def _database_down():
    return mock.patch.object(
        BaseDatabaseWrapper,
        "ensure_connection",
        side_effect=OperationalError("connection to server failed: Connection refused"),
    )


def _no_database_connection():
    # The test database is open (a transaction around the test): close the way in.
    return mock.patch.object(
        BaseDatabaseWrapper,
        "cursor",
        side_effect=OperationalError("connection to server failed: Connection refused"),
    )


@pytest.mark.parametrize("path_", ["/", "/students/", "/accounts/login/", "/rapportages/"])
def test_a_database_that_is_down_gives_the_dutch_503_page(path_, mentor, db):
    client = Client(raise_request_exception=False)
    client.force_login(mentor)
    with _database_down(), _no_database_connection():
        response = client.get(path_)
    assert response.status_code == 503
    page = response.content.decode()
    assert "probeer het over een paar minuten opnieuw" in page
    assert "Server Error" not in page
    assert response["Retry-After"]


def test_the_503_page_is_rendered_without_the_database(db):
    from config.errors import database_unavailable

    with _database_down(), _no_database_connection():
        response = database_unavailable()
    assert response.status_code == 503
    assert b"Koers is even niet beschikbaar" in response.content


def test_healthz_answers_503_when_the_database_is_down(db):
    client = Client(raise_request_exception=False)
    assert client.get("/healthz").status_code == 200
    with _database_down(), _no_database_connection():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable"


def test_another_error_gets_the_dutch_500_page_not_a_bare_one(mentor, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(mentor)

    def broken(request):
        raise RuntimeError("boom")

    monkeypatch.setattr("accounts.views.home_panels", broken)
    response = client.get("/")
    assert response.status_code == 500
    assert "Er ging iets mis" in response.content.decode()


# --- Database errors never reach a log with their text ------------------------------


def _violating_view(request):
    """Writes a row the database refuses, with a BSN-like value in it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE IF NOT EXISTS t13 (note text CHECK (note = ''))")
            cursor.execute("INSERT INTO t13 (note) VALUES (%s)", [f"bsn {BSN}"])
    # SQLite's messages name no values: the same text PostgreSQL writes, raised here.
    raise IntegrityError(
        'new row for relation "t13" violates check constraint "t13_note_check"\n'
        f"DETAIL:  Failing row contains (bsn {BSN})."
    )


urlpatterns = [path("violate/", _violating_view)]


@pytest.fixture
def log_output():
    """Everything the root logger's handlers write, as text."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    from config.logfilters import DatabaseErrorFilter

    root = logging.getLogger()
    # The same filter as the configured handler (settings.LOGGING), checked below.
    assert any(isinstance(f, DatabaseErrorFilter) for h in root.handlers for f in h.filters), (
        "the root handler has no database error filter"
    )
    handler.addFilter(DatabaseErrorFilter())
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


@pytest.mark.urls(__name__)
def test_an_integrity_error_with_a_bsn_never_reaches_the_log(db, caplog, log_output):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.DEBUG):
        response = client.get("/violate/")
    assert response.status_code == 500
    assert BSN not in response.content.decode()
    # django.request logged the error: its class, without the row.
    assert any(r.name == "django.request" for r in caplog.records)
    assert "IntegrityError" in caplog.text
    assert BSN not in caplog.text
    assert "Failing row" not in caplog.text
    output = log_output.getvalue()
    assert "IntegrityError" in output
    assert BSN not in output


class _DriverError(Exception):
    """Like psycopg's errors: the SQLSTATE as an attribute."""

    sqlstate = "23514"


def test_the_filter_scrubs_messages_arguments_tracebacks_and_query_parameters():
    from config.logfilters import DatabaseErrorFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(DatabaseErrorFilter())
    logger = logging.getLogger("koers.test.faults")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        error = IntegrityError(f"DETAIL:  Failing row contains ({BSN}).")
        error.__cause__ = _DriverError(f"DETAIL:  Failing row contains ({BSN}).")
        logger.warning("saving failed: %s", error)
        try:
            raise error
        except IntegrityError:
            logger.exception("unexpected")
        # A Celery-style record: the exception's repr in a dict of arguments.
        try:
            raise error
        except IntegrityError as caught:
            logger.error("Task raised: %(exc)s", {"exc": repr(caught)}, exc_info=True)
        query = logging.getLogger("django.db.backends")
        query.addHandler(handler)
        query.propagate = False
        query.setLevel(logging.DEBUG)
        query.debug(
            "(%.3f) %s; args=%s; alias=%s",
            0.001,
            "INSERT INTO note VALUES (%s)",
            (BSN,),
            "default",
            extra={"duration": 0.001, "sql": "INSERT", "params": (BSN,), "alias": "default"},
        )
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
        query = logging.getLogger("django.db.backends")
        query.removeHandler(handler)
        query.propagate = True
        query.setLevel(logging.NOTSET)
    output = stream.getvalue()
    assert BSN not in output
    assert "IntegrityError (SQLSTATE 23514)" in output
    assert "(0.001) query; alias=default" in output


def test_logging_is_configured_with_the_filter_on_the_error_loggers():
    from config.logfilters import DatabaseErrorFilter

    for name in ("django.request", "django.db.backends", "celery", "celery.app.trace"):
        filters = logging.getLogger(name).filters
        assert any(isinstance(f, DatabaseErrorFilter) for f in filters), name
    from config import celery, gunicorn  # noqa: F401 - gunicorn's hooks install it too

    gunicorn._filter_database_errors()
    assert any(
        isinstance(f, DatabaseErrorFilter) for f in logging.getLogger("gunicorn.error").filters
    )
    assert celery.app.conf.worker_hijack_root_logger is False


# --- Killed and retried jobs ---------------------------------------------------------


def test_tasks_retry_database_errors_with_backoff_and_are_redelivered():
    from monitoring.tasks import run_daily_checks, send_daily_digests
    from reports.tasks import build_export, expire_export_jobs, precompute_dashboards
    from students.tasks import apply_retention, remove_expired_import_batches

    for task in (
        run_daily_checks,
        send_daily_digests,
        build_export,
        expire_export_jobs,
        precompute_dashboards,
        apply_retention,
        remove_expired_import_batches,
    ):
        assert OperationalError in task.autoretry_for, task.name
        assert task.retry_backoff, task.name
        assert task.max_retries == 5, task.name
        assert task.acks_late, task.name
        assert task.reject_on_worker_lost, task.name
        assert 0 < task.soft_time_limit < task.time_limit, task.name


def test_visibility_timeout_is_above_the_longest_task_and_retry(settings):
    from config.celery import app

    longest = max(settings.KOERS_TASK_TIME_LIMIT, settings.KOERS_TASK_RETRY_BACKOFF_MAX)
    assert longest < settings.CELERY_VISIBILITY_TIMEOUT
    assert services.STALE_AFTER.total_seconds() + 30 < settings.CELERY_VISIBILITY_TIMEOUT
    assert app.conf.task_time_limit == settings.KOERS_TASK_TIME_LIMIT
    assert app.conf.task_acks_late
    assert app.conf.task_reject_on_worker_lost


def test_an_operational_error_on_the_first_call_is_retried(monkeypatch):
    from celery.exceptions import Retry

    from monitoring import tasks

    calls = []

    def flaky(*, today=None):
        calls.append(today)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("monitoring.services.run_daily_checks", flaky)
    retried = []

    def fake_retry(*args, **kwargs):
        retried.append(kwargs)
        raise Retry("again", kwargs.get("exc"))

    monkeypatch.setattr(tasks.run_daily_checks, "retry", fake_retry)
    # As a worker runs it (not called directly): the autoretry asks for a retry.
    tasks.run_daily_checks.push_request(called_directly=False, retries=0)
    try:
        with pytest.raises(Retry):
            tasks.run_daily_checks.run("2027-11-15")
    finally:
        tasks.run_daily_checks.pop_request()
    assert len(calls) == 1
    assert isinstance(retried[0]["exc"], OperationalError)
    assert retried[0]["countdown"] >= 0


def test_a_database_error_while_building_gives_the_claim_back_for_the_retry(
    coordinator, enrolled, client, monkeypatch, media
):
    client.force_login(coordinator)
    client.post("/rapportages/exports/nieuw/csv/?jaar=2026")
    job = ExportJob.objects.get()

    def broken(queryset, ids=None):
        yield from ()
        raise OperationalError("terminating connection due to administrator command")

    with monkeypatch.context() as patch:
        patch.setattr("reports.exports.student_rows", broken)
        with pytest.raises(OperationalError):
            services.export_job_build(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ExportJob.Status.QUEUED, 1)
    assert services.export_job_build(job_id=job.pk) == "done"  # the retry claims it
    job.refresh_from_db()
    assert job.attempts == 2


def test_a_stale_running_export_is_reclaimed_and_fails_after_max_attempts(
    coordinator, enrolled, client
):
    client.force_login(coordinator)
    client.post("/rapportages/exports/nieuw/csv/?jaar=2026")
    job = ExportJob.objects.get()
    later = timezone.now()
    # A worker was killed while running: the heartbeat lapsed, the job is taken over.
    for attempt in range(1, services.MAX_ATTEMPTS + 1):
        assert services.export_job_claim(job.pk, now=later) == attempt
        later += services.STALE_AFTER + timedelta(seconds=1)
    # Killed on every attempt: the next delivery finds it failed, not "running" for ever.
    assert services.export_job_claim(job.pk, now=later) is None
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert "mislukt" in job.error


def test_the_hourly_sweep_fails_exhausted_jobs_and_sends_stuck_ones_again(
    coordinator, enrolled, client, monkeypatch
):
    client.force_login(coordinator)
    client.post("/rapportages/exports/nieuw/csv/?jaar=2026")
    client.post("/rapportages/exports/nieuw/xlsx/?jaar=2026")
    exhausted, stuck = ExportJob.objects.order_by("pk")
    old = timezone.now() - timedelta(hours=1)
    ExportJob.objects.filter(pk=exhausted.pk).update(
        status="running", attempts=services.MAX_ATTEMPTS, heartbeat_at=old
    )
    ExportJob.objects.filter(pk=stuck.pk).update(status="running", attempts=1, heartbeat_at=old)
    sent = []
    monkeypatch.setattr("reports.tasks.build_export.delay", lambda job_id: sent.append(job_id))
    services.export_jobs_expire()
    exhausted.refresh_from_db()
    stuck.refresh_from_db()
    assert exhausted.status == ExportJob.Status.FAILED
    assert sent == [stuck.pk]
    assert services.export_job_build(job_id=stuck.pk) == "done"


def test_the_hourly_sweep_removes_orphaned_temporary_files(media, settings):
    folder = exports.private_temp_dir()
    orphan = os.path.join(folder, "openpyxl.orphan")
    fresh = os.path.join(folder, "openpyxl.fresh")
    for name in (orphan, fresh):
        with open(name, "w") as handle:
            handle.write("Jansen;2009-05-01")
    past = time.time() - settings.KOERS_TASK_TIME_LIMIT - 60
    os.utime(orphan, (past, past))
    services._remove_orphan_temp_files(timezone.now())
    assert not os.path.exists(orphan)
    assert os.path.exists(fresh)  # a running task's file stays


def test_the_hourly_task_runs_the_temporary_file_sweep(db, media, settings):
    from reports.tasks import expire_export_jobs

    folder = exports.private_temp_dir()
    orphan = os.path.join(folder, "openpyxl.orphan")
    with open(orphan, "w") as handle:
        handle.write("x")
    past = time.time() - settings.KOERS_TASK_TIME_LIMIT - 60
    os.utime(orphan, (past, past))
    expire_export_jobs()
    assert not os.path.exists(orphan)
    assert os.stat(folder).st_mode & 0o777 == 0o700
