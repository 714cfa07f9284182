"""The timeline: due dates as in MONITORING.md, next step, not applicable, overdue."""

from datetime import date, timedelta

import pytest

from roadmap.route import Status, build_route, perspective_due, study_advice_due
from roadmap.services import step_log
from students.models import Enrolment

from .helpers import valid_data


def entree(start, planned_end=None, end_date=None, end_reason=""):
    return Enrolment(
        start_date=start,
        planned_end_date=planned_end,
        end_date=end_date,
        end_reason=end_reason,
        level="entree",
    )


def test_study_advice_is_due_16_weeks_after_the_start():
    assert study_advice_due(date(2026, 8, 24)) == date(2026, 12, 14)


@pytest.mark.parametrize(
    ("start", "planned_end", "due"),
    [
        # start + 112 days = 14 Dec 2026: the first 1 April after it, before planned end - 91.
        (date(2026, 8, 24), date(2027, 7, 9), date(2027, 4, 1)),
        # A short programme: planned end - 91 days comes first.
        (date(2026, 8, 24), date(2027, 3, 1), date(2026, 11, 30)),
        # start + 112 days is exactly 1 April: that day counts ("on or after").
        (date(2026, 12, 10), date(2027, 12, 10), date(2027, 4, 1)),
        # start + 112 days just after 1 April: the next year's spring.
        (date(2026, 12, 11), date(2028, 12, 31), date(2028, 4, 1)),
        # No planned end: start + 365 days stands in for it.
        (date(2026, 8, 24), None, date(2027, 4, 1)),
    ],
)
def test_perspective_due_is_the_earlier_of_spring_and_planned_end_minus_91_days(
    start, planned_end, due
):
    assert perspective_due(entree(start, planned_end)) == due


def test_a_new_enrolment_has_start_as_its_next_step():
    route = build_route(
        entree(date(2026, 8, 24), date(2027, 7, 9)), today=date(2026, 8, 25), include_aba=False
    )
    assert [s.kind for s in route.steps] == [
        "start",
        "study-advice",
        "perspective",
        "work",
        "further-education",
    ]
    assert route.next_step.kind == "start"
    assert not route.overdue


def test_aba_is_shown_only_when_asked_and_is_optional():
    route = build_route(entree(date(2026, 8, 24)), today=date(2026, 9, 1), include_aba=True)
    assert route.step("aba").status == Status.OPTIONAL


def test_missing_study_advice_is_overdue_after_its_due_date(enrolment, mentor, today):
    start = enrolment.start_date
    step_log(
        enrolment=enrolment,
        kind="start",
        data=valid_data("start", enrolment, today),
        actor=mentor,
        today=today,
    )
    due = study_advice_due(start)
    route = build_route(enrolment, today=due, include_aba=False)
    assert route.next_step.kind == "study-advice"
    assert route.next_step.due_date == due
    assert not route.overdue
    route = build_route(enrolment, today=due + timedelta(days=1), include_aba=False)
    assert route.overdue
    assert route.current.kind == "start"


def test_an_ended_enrolment_is_never_overdue():
    ended = entree(
        date(2025, 8, 25), date(2026, 7, 10), end_date=date(2026, 7, 10), end_reason="diploma"
    )
    route = build_route(ended, today=date(2026, 11, 1), include_aba=False)
    assert not route.overdue


def test_work_perspective_makes_further_education_not_applicable(enrolment, mentor, today):
    step_log(
        enrolment=enrolment,
        kind="perspective",
        data=valid_data("perspective", enrolment, today),
        actor=mentor,
        today=today,
    )
    route = build_route(enrolment, today=today, include_aba=False)
    assert route.step("further-education").status == Status.NOT_APPLICABLE
    assert route.step("work").status in (Status.DUE, Status.OPEN)


def test_leaving_closes_the_rest_of_the_route(enrolment, mentor, today):
    step_log(
        enrolment=enrolment,
        kind="leaving",
        data=valid_data("leaving", enrolment, today),
        actor=mentor,
        today=today,
    )
    enrolment.refresh_from_db()
    route = build_route(enrolment, today=today, include_aba=False)
    assert route.next_step is None
    assert route.step("leaving").status == Status.DONE
    assert {s.status for s in route.steps if s.kind != "leaving"} == {Status.NOT_APPLICABLE}


def _timeline(route):
    return (
        [(s.kind, s.status, s.due_date, s.overdue, s.note, s.done) for s in route.steps],
        route.next_step.kind if route.next_step else None,
        route.current.kind if route.current else None,
    )


@pytest.mark.parametrize(
    "logged",
    [
        (),
        ("start",),
        ("start", "study-advice"),
        ("start", "study-advice", "perspective"),
        ("start", "study-advice", "perspective", "work"),
        ("start", "study-advice", "perspective:further_education"),
        ("start", "study-advice", "perspective:further_education", "further-education"),
        ("start", "leaving"),
    ],
)
def test_the_step_facts_give_the_timeline_of_the_loaded_steps(logged, enrolment, mentor, today):
    """roadmap.queries.with_step_facts (the mentor's start page): the same timeline as
    build_route from the step records themselves, whatever was logged."""
    from roadmap.queries import route_enrolments, step_facts, with_step_facts

    for entry in logged:
        kind, _sep, perspective = entry.partition(":")
        data = valid_data(kind, enrolment, today)
        if perspective:
            data.update(perspective=perspective, destination_place="ROC Kop van Noord-Holland")
        step_log(enrolment=enrolment, kind=kind, data=data, actor=mentor, today=today)
    loaded = route_enrolments(enrolment.student)[0]
    with_facts = with_step_facts(Enrolment.objects.filter(pk=enrolment.pk)).get()
    for day in (today, today + timedelta(days=400)):
        expected = _timeline(build_route(loaded, today=day, include_aba=False))
        facts = build_route(
            with_facts, today=day, include_aba=False, records=step_facts(with_facts)
        )
        assert _timeline(facts) == expected
