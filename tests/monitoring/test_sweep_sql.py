"""The set-based SQL rules (monitoring.sweep_sql, PostgreSQL) against the Python path.

test_sweep.py compares whatever run_sweep uses (SQL on PostgreSQL) with the oracle on
kind, due date, enrolment and assignee. Here the two engines run on the same data, one
after the other with the first rolled back, and everything they write is compared: the
organisation behind each signal, closing reasons, history rows and status rows, over a
sequence of dates with person-closed signals in between.
"""

from datetime import date

import pytest
from django.db import connection, transaction

from monitoring import sweep_sql
from monitoring.models import MonitoringStatus, Signal, SignalEvent
from monitoring.services import signal_dismiss, signal_resolve
from monitoring.sweep import run_rules
from tests.factories import EnrolmentFactory, StudentFactory, make_user

from .population import build_population

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the SQL rules run on PostgreSQL only"
    ),
]

DATES = [
    date(2025, 3, 1),
    date(2025, 10, 1),
    date(2025, 12, 31),
    date(2026, 1, 1),
    date(2026, 3, 2),
    date(2026, 6, 15),
    date(2025, 10, 1),
    date(2027, 2, 28),
]


class _Rollback(Exception):
    pass


@pytest.fixture
def author(db):
    return make_user("mentor@horizon.test", "mentor", "Horizon College")


def snapshot():
    signals = sorted(
        Signal.objects.values_list(
            "student_id",
            "kind",
            "due_date",
            "enrolment_id",
            "assignee",
            "organisation_id",
            "status",
            "closed_reason",
        )
    )
    events = sorted(
        SignalEvent.objects.filter(actor__isnull=True).values_list(
            "signal__student_id",
            "signal__kind",
            "signal__due_date",
            "signal__enrolment_id",
            "action",
            "for_date",
            "reason",
            "assignee",
        )
    )
    statuses = sorted(
        MonitoringStatus.objects.values_list(
            "student_id",
            "vsv",
            "in_target_group",
            "leaving_situation",
            "monitoring_ended",
            "end_reason",
            "changed_on",
        )
    )
    return signals, events, statuses


def run_both(day):
    """Python engine then rolled back; SQL engine kept. Returns both snapshots."""
    try:
        with transaction.atomic():
            python_result = run_rules(day, engine="python")
            python_state = snapshot()
            raise _Rollback
    except _Rollback:
        pass
    sql_result = run_rules(day, engine="sql")
    return python_result, python_state, sql_result, snapshot()


def counts(result):
    return (
        result.candidates,
        result.opened,
        result.reopened,
        result.closed,
        result.reassigned,
        result.events,
        result.statuses_written,
    )


@pytest.mark.parametrize("seed", [7, 31])
def test_sql_engine_writes_exactly_what_the_python_engine_writes(author, seed):
    build_population(400, seed=seed, author=author)
    for index, day in enumerate(DATES):
        python_result, python_state, sql_result, sql_state = run_both(day)
        assert sql_state == python_state, day
        assert counts(sql_result) == counts(python_result), day
        if index == 2:
            # People close some signals; the rules must keep them closed.
            for n, signal in enumerate(Signal.objects.filter(status="open").order_by("pk")[:30]):
                if n % 2:
                    signal_resolve(signal=signal, actor=author, note="Gebeld")
                else:
                    signal_dismiss(signal=signal, actor=author, reason="Klopt niet")
    assert Signal.objects.filter(status__in=["resolved", "dismissed"]).count() == 30


def test_a_second_sql_run_for_the_same_date_writes_nothing(author):
    build_population(200, seed=3, author=author)
    first = run_rules(date(2026, 3, 1), engine="sql")
    assert first.opened > 0
    assert first.statuses_written > 0
    before = snapshot()
    second = run_rules(date(2026, 3, 1), engine="sql")
    assert second.rows_written == 0
    assert second.candidates == first.candidates
    assert snapshot() == before


def test_a_29_february_child_turns_18_on_1_march_in_a_common_year(db):
    # Born 2008-02-29: 18 on 2026-03-01 (not 2026-02-28 as PostgreSQL's interval says).
    student = StudentFactory(date_of_birth=date(2008, 2, 29))
    EnrolmentFactory(
        student=student,
        level="2",
        programme="Zorg",
        start_date=date(2025, 9, 1),
        end_date=date(2026, 1, 10),
        end_reason="dropout",
    )
    run_rules(date(2026, 2, 28), engine="sql")
    assert Signal.objects.get(student=student, kind="dropout").assignee == "leerplicht"
    run_rules(date(2026, 3, 1), engine="sql")
    assert Signal.objects.get(student=student, kind="dropout").assignee == "doorstroompunt"


def test_month_arithmetic_clamps_to_the_month_end_like_add_months(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT "
            + ", ".join(
                sweep_sql._add_months(f"DATE '{day}'", str(months))
                for day, months in [
                    ("2025-08-31", 6),
                    ("2023-08-31", 6),
                    ("2025-01-31", 1),
                    ("2025-05-31", 12),
                ]
            )
        )
        row = cursor.fetchone()
    assert list(row) == [date(2026, 2, 28), date(2024, 2, 29), date(2025, 2, 28), date(2026, 5, 31)]


def test_the_sql_birthday_follows_the_dutch_29_february_rule(db):
    from students.dates import birthday

    births = [date(2008, 2, 29), date(2004, 2, 29), date(2008, 3, 1), date(2007, 12, 31)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(sweep_sql._birthday(f"DATE '{born}'", 18) for born in births)
        )
        row = cursor.fetchone()
    assert list(row) == [birthday(born, 18) for born in births]


def test_the_sql_latest_repeat_matches_the_oracle(db):
    from monitoring.rules import latest_repeat

    starts = [date(2025, 8, 31), date(2024, 2, 29), date(2025, 1, 15), date(2026, 3, 31)]
    days = [date(2025, 11, 16), date(2026, 2, 14), date(2026, 2, 15), date(2026, 12, 31)]
    cases = [
        (s, d, every, max_k) for s in starts for d in days for every, max_k in [(3, 4), (6, 99)]
    ]
    expressions = []
    for start, day, every, max_k in cases:
        expression = sweep_sql._latest_repeat(f"DATE '{start}'", str(every), str(max_k))
        expressions.append(expression.replace("%(horizon)s", f"DATE '{day}'"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(expressions))
        row = cursor.fetchone()
    # The horizon above is D itself: a notice of 0 days.
    expected = [latest_repeat(start, every, 0, day, max_k) for start, day, every, max_k in cases]
    assert list(row) == expected


def test_sql_engine_matches_the_python_engine_on_the_synthetic_population(db):
    from monitoring.synthetic import generate

    generate(students=1500, seed=20260302, today=date(2026, 3, 2))
    days = [date(2026, 3, 2), date(2026, 3, 3), date(2026, 10, 1), date(2025, 9, 1)]
    for day in days:
        python_result, python_state, sql_result, sql_state = run_both(day)
        assert sql_state == python_state, day
        assert counts(sql_result) == counts(python_result), day
    assert Signal.objects.values("kind").distinct().count() >= 7


def sql_statements(day):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        run_rules(day, engine="sql")
    return [query["sql"][:60] for query in queries if "SAVEPOINT" not in query["sql"]]


def test_the_sql_engine_runs_the_same_statements_for_10_and_1000_students(author):
    build_population(10, seed=9, author=author)
    small_first, small_again = sql_statements(date(2026, 3, 1)), sql_statements(date(2026, 3, 1))
    Signal.objects.all().delete()
    MonitoringStatus.objects.all().delete()
    build_population(1000, seed=2, author=author, number_offset=10)
    large_first, large_again = sql_statements(date(2026, 3, 1)), sql_statements(date(2026, 3, 1))
    assert large_first == small_first == large_again == small_again
    assert any("CREATE TEMP TABLE sw_w" in sql for sql in large_first)
    assert len(large_first) < 40
    assert Signal.objects.count() > 100
