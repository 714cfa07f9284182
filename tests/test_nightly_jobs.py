"""The nightly jobs as one Celery chain started by beat (config.celery): the checks, then
the dashboards' precompute, then the digests; each link idempotent, a failing link
logged. The same chain through a real worker: tests/monitoring/test_tasks.py."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from config import celery as koers_celery
from config.celery import NIGHTLY_JOBS, NIGHTLY_LINK_FAILED, app, nightly_chain
from monitoring.models import DigestSent, Signal, SignalEvent
from tests.factories import EnrolmentFactory, StudentFactory, factory_today


def minor_dropout(today):
    student = StudentFactory(date_of_birth=today - timedelta(days=16 * 365))
    EnrolmentFactory(
        student=student,
        level="2",
        programme="Logistiek",
        start_date=today - timedelta(days=200),
        end_date=today - timedelta(days=30),
        end_reason="dropout",
    )
    return student


def test_the_chain_runs_checks_then_precompute_then_digests_for_one_day():
    chain = nightly_chain("2026-03-02")

    assert [link.task for link in chain.tasks] == [
        "monitoring.tasks.run_daily_checks",
        "reports.tasks.precompute_dashboards",
        "monitoring.tasks.send_daily_digests",
    ]
    assert list(NIGHTLY_JOBS) == [link.task for link in chain.tasks]
    for link in chain.tasks:
        # The day, not the result of the link before; a failure is reported, not lost.
        assert tuple(link.args) == ("2026-03-02",)
        assert link.immutable
        assert [errback["task"] for errback in link.options["link_error"]] == [NIGHTLY_LINK_FAILED]


def test_beat_starts_the_chain_and_times_none_of_its_links():
    app.loader.import_default_modules()
    tasks = [entry["task"] for entry in app.conf.beat_schedule.values()]
    assert tasks.count("koers.run_nightly_jobs") == 1
    for name in NIGHTLY_JOBS:
        assert name not in tasks, f"{name} runs in the chain, not at a time of its own"
        assert name in app.tasks
    assert NIGHTLY_LINK_FAILED in app.tasks


def test_the_starter_takes_todays_date_once_for_every_link(monkeypatch):
    started = []

    class Chain:
        def __init__(self, day):
            started.append(day)

        def apply_async(self):
            first = SimpleNamespace(id="checks", parent=None)
            return SimpleNamespace(id="digests", parent=SimpleNamespace(id="dash", parent=first))

    monkeypatch.setattr(koers_celery, "nightly_chain", Chain)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: date(2026, 3, 2))

    assert koers_celery.run_nightly_jobs.run() == {
        "date": "2026-03-02",
        "links": ["checks", "dash", "digests"],
    }
    assert koers_celery.run_nightly_jobs.run("2026-02-27")["date"] == "2026-02-27"
    assert started == ["2026-03-02", "2026-02-27"]


@pytest.fixture
def memory_results():
    """Run in this process, the links' results (and errbacks) need a backend that works
    without the file backend's folder."""
    saved = app.conf.result_backend
    app.conf.result_backend = "cache+memory://"
    app._local.__dict__.pop("backend", None)
    yield
    app.conf.result_backend = saved
    app._local.__dict__.pop("backend", None)


@pytest.mark.django_db
def test_the_chain_twice_the_same_day_does_everything_once(leerplicht, mailoutbox, memory_results):
    app.loader.import_default_modules()  # the tasks, as the worker has them
    today = factory_today()
    student = minor_dropout(today)

    nightly_chain(today.isoformat()).apply().get()
    signals, events, mails = (
        list(Signal.objects.values_list("pk", "status")),
        SignalEvent.objects.count(),
        len(mailoutbox),
    )
    nightly_chain(today.isoformat()).apply().get()

    assert Signal.objects.filter(student=student, status="open").exists()
    assert DigestSent.objects.filter(user=leerplicht, date=today).count() == 1
    assert mails == 1
    assert list(Signal.objects.values_list("pk", "status")) == signals
    assert SignalEvent.objects.count() == events
    assert len(mailoutbox) == mails


def test_a_failing_link_is_logged_with_the_links_that_did_not_run(monkeypatch):
    logged = []
    monkeypatch.setattr(koers_celery.logger, "error", lambda *args: logged.append(args))
    request = SimpleNamespace(
        task="reports.tasks.precompute_dashboards",
        args=["2026-03-02"],
        # Celery keeps the links still to come last-first.
        chain=[{"task": "monitoring.tasks.send_daily_digests"}],
    )

    koers_celery.nightly_link_failed(request, RuntimeError("cache down"), None)

    [(message, *values)] = logged
    assert message % tuple(values) == (
        "nightly jobs for 2026-03-02: reports.tasks.precompute_dashboards failed "
        "(RuntimeError: cache down); not run: monitoring.tasks.send_daily_digests"
    )
