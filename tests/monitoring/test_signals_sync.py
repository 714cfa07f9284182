"""The one signal writer (monitoring.signals_sync): a check says which signals it wants
open, the writer writes the difference, its events, under its lock, idempotently."""

import threading
from datetime import date

import pytest
from django.db import connection, transaction
from django.utils import timezone

from monitoring.models import Signal, SignalEvent, SignalStatus
from monitoring.signals_sync import (
    ASSIGNEE_FOR_ORGANISATION_KIND,
    SWEEP_LOCK_KEY,
    SqlSync,
    Wanted,
    assignee_for,
    lock_key,
    signals_sync,
)
from tests.factories import StudentFactory, organisation

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 2)
SOURCE = "test-check"


def wanted(student, kind="kind_a", due=date(2026, 3, 1), assignee="school", org=None):
    return Wanted(
        student_id=student.pk,
        kind=kind,
        due_date=due,
        assignee=assignee,
        organisation_id=org.pk if org else None,
    )


def rows():
    return sorted(
        Signal.objects.filter(source=SOURCE).values_list(
            "student_id", "kind", "due_date", "status", "assignee", "organisation_id"
        )
    )


def events():
    return sorted(SignalEvent.objects.values_list("signal__kind", "action", "reason", "assignee"))


def test_the_same_wanted_set_twice_writes_nothing_the_second_time():
    one, two = StudentFactory(), StudentFactory()
    school = organisation("Horizon College")
    wish = [wanted(one, org=school), wanted(two, kind="kind_b", org=school)]

    first = signals_sync(SOURCE, wish, DAY)
    before = (rows(), SignalEvent.objects.count())
    second = signals_sync(SOURCE, wish, DAY)
    third = signals_sync(SOURCE, wish, date(2026, 3, 3))

    assert (first.opened, first.events) == (2, 2)
    assert second == third == type(second)()  # nothing at all
    assert (rows(), SignalEvent.objects.count()) == before
    assert events() == [
        ("kind_a", "opened", "", "school"),
        ("kind_b", "opened", "", "school"),
    ]


def test_a_new_wish_opens_and_one_no_longer_wanted_closes_by_the_rules():
    one, two = StudentFactory(), StudentFactory()
    signals_sync(SOURCE, [wanted(one)], DAY)

    result = signals_sync(SOURCE, [wanted(two)], date(2026, 3, 3))

    assert (result.opened, result.closed, result.events) == (1, 1, 2)
    closed = Signal.objects.get(student=one)
    assert (closed.status, closed.closed_reason) == (SignalStatus.CLOSED, "rules")
    assert closed.closed_at is not None
    assert Signal.objects.get(student=two).status == SignalStatus.OPEN
    event = SignalEvent.objects.get(signal=closed, action="closed")
    assert (event.reason, event.for_date) == ("rules", date(2026, 3, 3))


def test_closed_by_the_rules_reopens_but_a_persons_decision_stays():
    one, two = StudentFactory(), StudentFactory()
    signals_sync(SOURCE, [wanted(one), wanted(two)], DAY)
    signals_sync(SOURCE, [], DAY)  # both closed by the rules
    Signal.objects.filter(student=two).update(status=SignalStatus.RESOLVED)

    result = signals_sync(SOURCE, [wanted(one), wanted(two)], date(2026, 3, 3))

    assert (result.reopened, result.opened) == (1, 0)
    assert dict(Signal.objects.values_list("student_id", "status")) == {
        one.pk: SignalStatus.OPEN,
        two.pk: SignalStatus.RESOLVED,
    }
    assert Signal.objects.get(student=one).closed_reason == ""


def test_other_hands_change_hands_with_an_event():
    student = StudentFactory()
    school, leerplicht = organisation("Horizon College"), organisation("Leerplicht Haaglanden")
    signals_sync(SOURCE, [wanted(student, org=school)], DAY)

    result = signals_sync(SOURCE, [wanted(student, assignee="leerplicht", org=leerplicht)], DAY)

    assert result.reassigned == 1
    signal = Signal.objects.get()
    assert (signal.assignee, signal.organisation) == ("leerplicht", leerplicht)
    assert SignalEvent.objects.filter(action="assignee_changed", assignee="leerplicht").count() == 1


def test_the_writer_touches_only_its_source_and_its_students():
    one, two = StudentFactory(), StudentFactory()
    signals_sync("other-source", [wanted(one, kind="kind_x")], DAY)
    signals_sync(SOURCE, [wanted(one), wanted(two)], DAY)

    # A chunk of the sweep: only student one's signals are compared.
    result = signals_sync(SOURCE, [], DAY, students=[one.pk])

    assert result.closed == 1
    assert Signal.objects.get(source="other-source").status == SignalStatus.OPEN
    assert Signal.objects.get(source=SOURCE, student=two).status == SignalStatus.OPEN


def test_an_ended_monitoring_closes_with_its_reason_except_the_exempt_kinds():
    student = StudentFactory()
    signals_sync(SOURCE, [wanted(student, kind="kind_a"), wanted(student, kind="kind_b")], DAY)

    signals_sync(
        SOURCE,
        [],
        DAY,
        ended={student.pk: "age_limit"},
        reason_exempt_kinds={"kind_b"},
    )

    assert dict(Signal.objects.values_list("kind", "closed_reason")) == {
        "kind_a": "age_limit",
        "kind_b": "rules",
    }


def test_only_close_opens_nothing():
    one, two = StudentFactory(), StudentFactory()
    signals_sync(SOURCE, [wanted(one), wanted(two)], DAY)
    Signal.objects.filter(student=two).update(status=SignalStatus.CLOSED, closed_at=timezone.now())
    three = StudentFactory()

    result = signals_sync(SOURCE, [wanted(two), wanted(three)], DAY, only_close=True)

    assert (result.closed, result.opened, result.reopened) == (1, 0, 0)
    assert dict(Signal.objects.values_list("student_id", "status")) == {
        one.pk: SignalStatus.CLOSED,
        two.pk: SignalStatus.CLOSED,
    }


def test_one_identity_wanted_twice_is_one_signal():
    student = StudentFactory()
    school, leerplicht = organisation("Horizon College"), organisation("Leerplicht Haaglanden")
    result = signals_sync(
        SOURCE,
        [wanted(student, org=school), wanted(student, assignee="leerplicht", org=leerplicht)],
        DAY,
    )
    assert result.opened == 1
    assert Signal.objects.get().organisation == school  # the first wish


def test_one_definition_of_whose_list_an_organisation_kind_goes_to():
    assert assignee_for("school", "x") == "school"
    assert assignee_for("leerplicht", "x") == "leerplicht"
    assert assignee_for("doorstroompunt", "x") == "doorstroompunt"
    assert assignee_for("wi", "receiver") == "receiver"
    assert set(ASSIGNEE_FOR_ORGANISATION_KIND) == {"school", "leerplicht", "doorstroompunt"}


def test_each_source_has_its_own_lock_and_the_rules_keep_the_sweeps():
    assert lock_key("monitoring") == SWEEP_LOCK_KEY
    assert len({lock_key(s) for s in ("monitoring", "referrals", "doorstroomtafel")}) == 3


def test_kinds_travel_with_their_check(monkeypatch):
    from monitoring import models, sweep

    monkeypatch.setattr(sweep, "_checks", dict(sweep._checks))
    monkeypatch.setattr(models, "_other_kind_labels", dict(models._other_kind_labels))

    sweep.register_check("test-kinds", lambda *, today: {}, kinds={"test_kind": "Testsoort"})

    assert "test-kinds" in sweep.registered_checks()
    assert models.signal_kind_label("test_kind") == "Testsoort"
    assert ("test_kind", "Testsoort") in models.signal_kind_choices()


# --- PostgreSQL: the set-based path and the lock -------------------------------------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the set-based path runs on PostgreSQL"
)


def sql_sync(wish, day, **options):
    """The set-based path with the wanted identities in a temp table."""
    with transaction.atomic():
        sync = SqlSync(SOURCE, day)
        sync.snapshot()
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE t_w (student_id bigint, kind varchar, due date,"
                " enrolment_id bigint, assignee varchar, org bigint) ON COMMIT DROP"
            )
            for item in wish:
                cursor.execute(
                    "INSERT INTO t_w VALUES (%s, %s, %s, %s, %s, %s)",
                    [
                        item.student_id,
                        item.kind,
                        item.due_date,
                        item.enrolment_id,
                        item.assignee,
                        item.organisation_id,
                    ],
                )
        result = sync.apply("t_w", **options)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE t_w")  # the test's transaction does not commit
        return result


@on_postgresql
def test_the_set_based_path_writes_what_the_python_path_writes():
    one, two, three = StudentFactory(), StudentFactory(), StudentFactory()
    school, leerplicht = organisation("Horizon College"), organisation("Leerplicht Haaglanden")
    steps = [
        [wanted(one, org=school), wanted(two, org=school)],
        [wanted(one, assignee="leerplicht", org=leerplicht), wanted(three)],
        [wanted(two), wanted(three)],
        [wanted(two), wanted(three)],
    ]
    python_rows = []
    for step in steps:
        python_rows.append((signals_sync(SOURCE, step, DAY), rows(), events()))
    Signal.objects.all().delete()
    for step, (python_result, python_state, python_events) in zip(steps, python_rows, strict=True):
        result = sql_sync(step, DAY)
        assert (result, rows(), events()) == (python_result, python_state, python_events)
    # The last step repeats the one before: nothing written.
    assert python_rows[-1][0] == type(python_rows[-1][0])()


@on_postgresql
def test_the_set_based_path_closes_only_within_its_scope_with_the_end_reason():
    one, two = StudentFactory(), StudentFactory()
    signals_sync(SOURCE, [wanted(one), wanted(one, kind="kind_b"), wanted(two)], DAY)

    result = sql_sync(
        [],
        DAY,
        scope=f"(SELECT {one.pk}::bigint AS student_id, 'age_limit'::varchar AS end_reason)",
        reason_exempt_kinds=["kind_b"],
    )

    assert result.closed == 2
    assert dict(Signal.objects.filter(student=one).values_list("kind", "closed_reason")) == {
        "kind_a": "age_limit",
        "kind_b": "rules",
    }
    assert Signal.objects.get(student=two).status == SignalStatus.OPEN


@on_postgresql
def test_the_set_based_path_opens_an_identity_wanted_twice_once():
    student = StudentFactory()
    school = organisation("Horizon College")

    result = sql_sync([wanted(student, org=school), wanted(student, org=school)], DAY)

    assert (result.opened, result.events) == (1, 1)
    assert rows() == [(student.pk, "kind_a", date(2026, 3, 1), "open", "school", school.pk)]


@on_postgresql
def test_the_set_based_path_does_not_open_over_a_row_the_lock_should_have_kept_out():
    # The snapshot is read under the source's lock, so an identity it lacks has no row; a
    # row written past the lock is a failure of the run, not something to skip in silence.
    from django.db import IntegrityError

    student = StudentFactory()
    with transaction.atomic():
        sync = SqlSync(SOURCE, DAY)
        sync.snapshot()
        signals_sync("another-check", [wanted(student)], DAY)  # the same identity
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE t_w ON COMMIT DROP AS SELECT %s::bigint AS student_id,"
                " 'kind_a'::varchar AS kind, %s::date AS due, NULL::bigint AS enrolment_id,"
                " 'school'::varchar AS assignee, NULL::bigint AS org",
                [student.pk, date(2026, 3, 1)],
            )
        with pytest.raises(IntegrityError), transaction.atomic():
            sync.apply("t_w")
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE t_w")


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_concurrent_writers_of_one_source_double_nothing():
    from django.apps import apps

    from accounts import reference_data

    reference_data.load(apps)  # a transactional test before this one flushed it
    students = [StudentFactory() for _ in range(30)]
    wish = [wanted(student) for student in students]
    errors, results = [], []
    barrier = threading.Barrier(4)

    def run():
        try:
            barrier.wait()
            results.append(signals_sync(SOURCE, wish, DAY))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(result.opened for result in results) == [0, 0, 0, 30]
    assert Signal.objects.count() == 30
    assert SignalEvent.objects.filter(action="opened").count() == 30
