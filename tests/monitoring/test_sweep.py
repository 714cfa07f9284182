"""The set-based sweep against the oracle (monitoring.rules), its writes and its cost."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitoring import rules
from monitoring.models import MonitoringStatus, Signal, SignalEvent, SignalStatus
from monitoring.rule_settings import RuleSettings
from monitoring.services import signal_dismiss, signal_resolve
from monitoring.sweep import register_check, registered_checks, run_rules, run_sweep
from tests.factories import EnrolmentFactory, StudentFactory, make_user

from .population import build_population

pytestmark = pytest.mark.django_db

DATES = [
    date(2025, 3, 1),
    date(2025, 10, 1),
    date(2026, 1, 1),
    date(2026, 6, 15),
    date(2025, 12, 31),
]


@pytest.fixture
def author(db):
    return make_user("mentor@horizon.test", "mentor", "Horizon College")


def stored_open(student_ids=None):
    found = {}
    for student_id, kind, due, enrolment_id, assignee in Signal.objects.filter(
        status=SignalStatus.OPEN
    ).values_list("student_id", "kind", "due_date", "enrolment_id", "assignee"):
        found.setdefault(student_id, set()).add((kind, due, enrolment_id, assignee))
    return found


def expected_open(population, day, person_closed=frozenset()):
    settings = RuleSettings.from_django()
    expected, vsv = {}, set()
    for student_id, (_number, facts) in population.items():
        evaluation = rules.evaluate(facts, day, settings)
        wanted = {
            (s.kind, s.due_date, s.enrolment_id, s.assignee)
            for s in evaluation.signals
            if (student_id, s.identity) not in person_closed
        }
        if wanted:
            expected[student_id] = wanted
        if evaluation.vsv:
            vsv.add(student_id)
    return expected, vsv


def test_sweep_matches_the_oracle_for_every_student_on_every_date(author):
    population = build_population(400, seed=7, author=author)
    for day in DATES:
        run_sweep(day)
        expected, vsv = expected_open(population, day)
        assert stored_open() == expected, day
        assert (
            set(MonitoringStatus.objects.filter(vsv=True).values_list("student_id", flat=True))
            == vsv
        )


def test_a_person_closed_signal_stays_closed_and_the_rest_still_matches(author):
    population = build_population(300, seed=11, author=author)
    run_sweep(DATES[1])
    person_closed = set()
    for index, signal in enumerate(Signal.objects.filter(status="open").order_by("pk")[:40]):
        if index % 2:
            signal_resolve(signal=signal, actor=author, note="Gebeld")
        else:
            signal_dismiss(signal=signal, actor=author, reason="Klopt niet")
        person_closed.add((signal.student_id, (signal.kind, signal.due_date, signal.enrolment_id)))
    for day in DATES[1:]:
        run_sweep(day)
        expected, _vsv = expected_open(population, day, frozenset(person_closed))
        assert stored_open() == expected, day
    assert Signal.objects.filter(status__in=["resolved", "dismissed"]).count() == 40


def test_a_second_run_for_the_same_date_writes_nothing(author):
    build_population(200, seed=3, author=author)
    first = run_sweep(date(2026, 3, 1))
    assert first.opened > 0
    second = run_sweep(date(2026, 3, 1))
    assert second.rows_written == 0
    assert second.candidates == first.candidates


def test_a_run_for_an_earlier_date_recomputes_that_state(author):
    population = build_population(200, seed=5, author=author)
    run_sweep(date(2025, 10, 1))
    before = stored_open()
    run_sweep(date(2026, 6, 1))
    run_sweep(date(2025, 10, 1))
    assert stored_open() == before == expected_open(population, date(2025, 10, 1))[0]
    # Signals the later run closed were reopened, not doubled.
    assert Signal.objects.filter(events__action="reopened").exists()


def count_statements(day):
    with CaptureQueriesContext(connection) as queries:
        run_rules(day)
    return [query["sql"][:40] for query in queries if "SAVEPOINT" not in query["sql"]]


def test_statements_do_not_grow_with_the_number_of_students(author):
    build_population(10, seed=9, author=author)
    small_first = count_statements(date(2026, 3, 1))
    small_again = count_statements(date(2026, 3, 1))
    Signal.objects.all().delete()
    MonitoringStatus.objects.all().delete()
    build_population(1000, seed=2, author=author, number_offset=10)
    large_first = count_statements(date(2026, 3, 1))
    large_again = count_statements(date(2026, 3, 1))
    assert large_again == small_again
    assert large_first == small_first, (small_first, large_first)
    assert Signal.objects.count() > 100


def test_only_the_latest_is_reassigned_when_the_responsible_authority_changes(db):
    # A 17-year-old dropout: Leerplicht; on the 18th birthday the Doorstroompunt.
    student = StudentFactory(date_of_birth=date(2008, 5, 1))
    EnrolmentFactory(
        student=student,
        level="2",
        programme="Logistiek",
        start_date=date(2025, 9, 1),
        end_date=date(2026, 2, 1),
        end_reason="dropout",
    )
    run_sweep(date(2026, 3, 1))
    signal = Signal.objects.get(student=student, kind="dropout")
    assert (signal.assignee, signal.organisation.kind) == ("leerplicht", "leerplicht")
    assert signal.organisation.region_id == student.municipality.region_id
    run_sweep(date(2026, 5, 1))
    signal.refresh_from_db()
    assert (signal.assignee, signal.organisation.kind) == ("doorstroompunt", "doorstroompunt")
    assert Signal.objects.filter(student=student).count() == 1
    assert list(signal.events.values_list("action", flat=True).order_by("pk")) == [
        "opened",
        "assignee_changed",
    ]


def test_signals_close_with_the_end_of_monitoring_reason(db):
    # Dropout at 22; turns 23 on 2025-11-01 (upper age 23 in 2025): age_limit.
    student = StudentFactory(date_of_birth=date(2002, 11, 1))
    enrolment = EnrolmentFactory(
        student=student,
        level="2",
        programme="Zorg",
        start_date=date(2024, 9, 1),
        end_date=date(2025, 6, 1),
        end_reason="dropout",
    )
    run_sweep(date(2025, 10, 1))
    assert Signal.objects.get(student=student, kind="dropout").status == "open"
    run_sweep(date(2025, 11, 1))
    signal = Signal.objects.get(student=student, kind="dropout")
    assert (signal.status, signal.closed_reason) == ("closed", "age_limit")
    status = MonitoringStatus.objects.get(student=student)
    assert (status.monitoring_ended, status.end_reason) == (True, "age_limit")
    # 27 from 2026-01-01: in the target group again, the same identity reopens.
    run_sweep(date(2026, 1, 1))
    signal.refresh_from_db()
    assert signal.status == "open"
    assert MonitoringStatus.objects.get(student=student).vsv is True
    assert enrolment.signals.count() == 0


def test_the_school_signal_goes_to_the_school_of_the_enrolment(db):
    student = StudentFactory(date_of_birth=date(2008, 1, 1))
    enrolment = EnrolmentFactory(student=student, start_date=date(2025, 9, 1))
    run_sweep(date(2025, 12, 15))
    signal = Signal.objects.get(student=student)
    assert (signal.kind, signal.enrolment_id) == ("study_advice_due", enrolment.pk)
    assert signal.organisation_id == enrolment.institution_id


def test_registered_checks_run_after_the_rules(db):
    calls = []
    register_check("test-check", lambda *, today: calls.append(today) or {"seen": 1})
    try:
        result = run_sweep(date(2026, 1, 5))
    finally:
        registered_checks()  # the registry is a copy; remove ours below
        from monitoring import sweep

        sweep._checks.pop("test-check")
    assert calls == [date(2026, 1, 5)]
    # Other apps register checks of their own (referrals, doorstroomtafel).
    assert result.checks["test-check"] == {"seen": 1}


def test_history_rows_record_every_rule_change(db):
    student = StudentFactory(date_of_birth=date(2008, 1, 1))
    EnrolmentFactory(
        student=student,
        start_date=date(2025, 9, 1),
        end_date=date(2026, 1, 31),
        end_reason="dropout",
    )
    run_sweep(date(2025, 12, 15))
    run_sweep(date(2026, 2, 10))
    actions = list(
        SignalEvent.objects.order_by("pk").values_list("signal__kind", "action", "reason")
    )
    assert ("study_advice_due", "opened", "") in actions
    assert ("study_advice_due", "closed", "rules") in actions
    assert ("dropout", "opened", "") in actions
