"""The daily checks through a real Celery worker on Redis, and overlapping runs."""

import threading
import time
from datetime import date

import pytest
from django.db import connection

from config.celery import app
from monitoring.models import Signal, SignalEvent
from monitoring.sweep import run_sweep
from tests.factories import EnrolmentFactory, StudentFactory
from tests.test_celery_worker import REDIS_URL, celery_worker  # noqa: F401 - the fixture


def dropout_student(number):
    student = StudentFactory(student_number=number, date_of_birth=date(2008, 6, 15))
    EnrolmentFactory(
        student=student,
        level="2",
        programme="Logistiek",
        start_date=date(2025, 9, 1),
        end_date=date(2026, 2, 1),
        end_reason="dropout",
    )
    return student


def test_the_daily_checks_start_the_nightly_chain_that_beat_starts():
    from config.celery import NIGHTLY_JOBS

    tasks = [entry["task"] for entry in app.conf.beat_schedule.values()]
    assert "koers.run_nightly_jobs" in tasks
    assert NIGHTLY_JOBS[0] == "monitoring.tasks.run_daily_checks"


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (a real Redis broker); CI sets it")
def test_a_worker_runs_the_checks_and_the_signals_appear(celery_worker):  # noqa: F811
    from monitoring.tasks import run_daily_checks

    student = dropout_student("300001")
    result = run_daily_checks.delay("2026-03-01")
    summary = result.get(timeout=60)

    assert summary["opened"] == 1
    signal = Signal.objects.get(student=student)
    assert (signal.kind, signal.due_date, signal.assignee) == (
        "dropout",
        date(2026, 2, 8),
        "leerplicht",
    )
    # Delivered twice (a double beat): nothing doubles.
    assert run_daily_checks.delay("2026-03-01").get(timeout=60)["opened"] == 0
    assert Signal.objects.filter(student=student).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a server database")
def test_overlapping_runs_double_nothing():
    from django.apps import apps

    from accounts import reference_data

    reference_data.load(apps)  # a transactional test before this one flushed it
    for number in range(20):
        dropout_student(f"4000{number:02d}")
    errors = []
    barrier = threading.Barrier(3)

    def run():
        try:
            barrier.wait()
            run_sweep(date(2026, 3, 1))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Signal.objects.count() == 20
    assert SignalEvent.objects.filter(action="opened").count() == 20


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (a real Redis broker); CI sets it")
def test_a_worker_runs_the_nightly_chain_link_after_link(celery_worker, leerplicht, mailoutbox):  # noqa: F811
    from celery.result import AsyncResult

    from config.celery import run_nightly_jobs
    from monitoring.models import DigestSent

    student = dropout_student("300002")
    started = run_nightly_jobs.delay("2026-03-01").get(timeout=60)
    digests = AsyncResult(started["links"][-1], app=celery_worker).get(timeout=120)

    assert started["date"] == "2026-03-01"
    assert Signal.objects.filter(student=student, status="open").count() == 1
    # The digests ran after the checks: they saw the new signal.
    assert digests == {"sent": 1, "already_sent": 0}
    assert DigestSent.objects.filter(user=leerplicht, date=date(2026, 3, 1)).count() == 1

    # The whole chain again the same day: nothing twice.
    again = run_nightly_jobs.delay("2026-03-01").get(timeout=60)
    assert AsyncResult(again["links"][-1], app=celery_worker).get(timeout=120) == {
        "sent": 0,
        "already_sent": 1,
    }
    assert Signal.objects.filter(student=student).count() == 1


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (a real Redis broker); CI sets it")
def test_a_failing_link_stops_the_chain_and_is_logged(celery_worker, leerplicht, monkeypatch):  # noqa: F811
    from celery.result import AsyncResult

    from config import celery as koers_celery
    from config.celery import run_nightly_jobs
    from monitoring.models import DigestSent

    def broken(today=None):
        raise RuntimeError("cache down")

    logged = []
    monkeypatch.setattr("reports.precompute.precompute_dashboards", broken)
    monkeypatch.setattr(koers_celery.logger, "error", lambda *args: logged.append(args))
    student = dropout_student("300003")

    started = run_nightly_jobs.delay("2026-03-01").get(timeout=60)
    checks, precompute, digests = (AsyncResult(i, app=celery_worker) for i in started["links"])
    assert checks.get(timeout=120)["opened"] == 1
    with pytest.raises(RuntimeError, match="cache down"):
        precompute.get(timeout=60)
    for _ in range(50):  # the errback runs in the worker just after the failure is stored
        if logged:
            break
        time.sleep(0.1)
    # Never run: Celery marks the links after the failed one failed with its error.
    with pytest.raises(RuntimeError, match="cache down"):
        digests.get(timeout=5)
    assert Signal.objects.filter(student=student).count() == 1  # the checks ran
    assert not DigestSent.objects.exists()  # the digests did not
    [(message, *values)] = logged
    assert message % tuple(values) == (
        "nightly jobs for 2026-03-01: reports.tasks.precompute_dashboards failed "
        "(RuntimeError: cache down); not run: monitoring.tasks.send_daily_digests"
    )
