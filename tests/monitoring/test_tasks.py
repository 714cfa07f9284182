"""The daily checks through a real Celery worker on Redis, and overlapping runs."""

import threading
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


def test_the_daily_checks_are_in_the_beat_schedule():
    tasks = [entry["task"] for entry in app.conf.beat_schedule.values()]
    assert "monitoring.tasks.run_daily_checks" in tasks


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
