"""MONITORING.md section 2, row by row: when each signal opens (and not the day before its
notice window), its assignee and due date, and what closes it."""

from datetime import date

import pytest

from monitoring import rules
from monitoring.rule_settings import RuleSettings
from monitoring.rules import (
    DestinationFact,
    EmploymentFact,
    EnrolmentFact,
    QualificationFact,
    RoadmapFact,
    Signal,
    StudentFacts,
)

S = RuleSettings()
ADULT = date(2005, 1, 1)  # 20 in 2025: in the target group, Doorstroompunt responsible
MINOR = date(2008, 5, 1)  # 17 until 1 May 2026: Leerplicht responsible


def student(dob=MINOR, **kw):
    return StudentFacts(date_of_birth=dob, **{key: tuple(value) for key, value in kw.items()})


def entree(id=1, start=date(2025, 9, 1), planned=date(2026, 7, 10), end=None, reason="", **kw):
    return EnrolmentFact(id, "entree", kw.get("programme", "Entree"), start, planned, end, reason)


def mbo(id, level="2", start=date(2025, 9, 1), end=None, reason="", programme="Logistiek"):
    return EnrolmentFact(id, level, programme, start, None, end, reason)


def job(hours, start, end=None):
    return EmploymentFact(hours, start, end)


def signals(facts, day, kind=None):
    found = rules.evaluate(facts, day, S).signals
    return [signal for signal in found if kind is None or signal.kind == kind]


# --- study_advice_due ------------------------------------------------------------------


def test_study_advice_opens_14_days_before_16_weeks_after_the_start():
    facts = student(enrolments=[entree()])
    due = date(2025, 12, 22)  # 2025-09-01 + 112 days
    assert signals(facts, date(2025, 12, 7)) == []
    assert signals(facts, date(2025, 12, 8)) == [Signal("study_advice_due", due, "school", 1)]


def test_study_advice_closes_when_the_advice_is_logged():
    roadmap = RoadmapFact(1, study_advice_date=date(2025, 12, 10), study_advice="continue")
    facts = student(enrolments=[entree()], roadmaps=[roadmap])
    assert signals(facts, date(2025, 12, 9), "study_advice_due")
    assert signals(facts, date(2025, 12, 10), "study_advice_due") == []


def test_study_advice_closes_when_the_enrolment_ends():
    facts = student(enrolments=[entree(end=date(2025, 12, 15), reason="dropout")])
    assert signals(facts, date(2025, 12, 15), "study_advice_due")  # last day of enrolment
    assert signals(facts, date(2025, 12, 16), "study_advice_due") == []


def test_study_advice_stays_open_overdue_past_the_planned_end_while_enrolled():
    facts = student(enrolments=[entree(planned=date(2026, 7, 10))])
    assert signals(facts, date(2026, 10, 1), "study_advice_due") == [
        Signal("study_advice_due", date(2025, 12, 22), "school", 1)
    ]


def test_enrolment_signals_follow_every_student_also_outside_the_target_group():
    facts = student(dob=date(1990, 1, 1), enrolments=[entree()])
    assert not rules.in_target_group(facts, date(2025, 12, 8), S)
    assert signals(facts, date(2025, 12, 8), "study_advice_due")


def test_enrolment_signals_are_for_entree_enrolments_only():
    facts = student(enrolments=[mbo(1, "2"), mbo(2, "vavo")])
    assert signals(facts, date(2026, 8, 1)) == []


def test_each_entree_enrolment_has_its_own_enrolment_signals():
    facts = student(
        enrolments=[entree(1), entree(2, start=date(2025, 9, 1), programme="Entree Zorg")]
    )
    found = signals(facts, date(2025, 12, 8), "study_advice_due")
    assert [signal.enrolment_id for signal in found] == [1, 2]


# --- perspective_due -------------------------------------------------------------------


def test_perspective_is_due_on_the_first_1_april_after_16_weeks():
    facts = student(enrolments=[entree(planned=date(2026, 7, 10))])
    # min(2026-04-01, 2026-07-10 - 91 days = 2026-04-10); open from 28 days before.
    assert signals(facts, date(2026, 3, 3), "perspective_due") == []
    assert signals(facts, date(2026, 3, 4), "perspective_due") == [
        Signal("perspective_due", date(2026, 4, 1), "school", 1)
    ]


def test_perspective_is_due_91_days_before_an_earlier_planned_end():
    facts = student(enrolments=[entree(planned=date(2026, 6, 1))])
    assert signals(facts, date(2026, 2, 1), "perspective_due") == []
    assert signals(facts, date(2026, 2, 2), "perspective_due") == [
        Signal("perspective_due", date(2026, 3, 2), "school", 1)
    ]


def test_perspective_spring_date_on_or_after_start_plus_112_days():
    planned = date(2027, 7, 31)
    on_the_day = entree(start=date(2025, 12, 10), planned=planned)  # + 112 days = 1 April
    day_after = entree(start=date(2025, 12, 11), planned=planned)  # + 112 days = 2 April
    assert rules.perspective_due_date(on_the_day, S) == date(2026, 4, 1)
    assert rules.perspective_due_date(day_after, S) == date(2027, 4, 1)


def test_perspective_uses_start_plus_365_days_without_planned_end():
    enrolment = entree(start=date(2025, 12, 11), planned=None)
    # first 1 April on or after 2026-04-02 is 2027-04-01; 2026-12-11 - 91 days is earlier.
    assert rules.perspective_due_date(enrolment, S) == date(2026, 9, 11)


def test_perspective_closes_when_step_4_is_logged_or_the_enrolment_ends():
    logged = student(
        enrolments=[entree()], roadmaps=[RoadmapFact(1, perspective_date=date(2026, 3, 20))]
    )
    assert signals(logged, date(2026, 3, 19), "perspective_due")
    assert signals(logged, date(2026, 3, 20), "perspective_due") == []
    ended = student(enrolments=[entree(end=date(2026, 3, 20), reason="other")])
    assert signals(ended, date(2026, 3, 20), "perspective_due")
    assert signals(ended, date(2026, 3, 21), "perspective_due") == []


# --- no_next_step ----------------------------------------------------------------------


def test_no_next_step_opens_56_days_before_the_planned_end():
    facts = student(enrolments=[entree(planned=date(2026, 7, 10))])
    assert signals(facts, date(2026, 5, 14), "no_next_step") == []
    assert signals(facts, date(2026, 5, 15), "no_next_step") == [
        Signal("no_next_step", date(2026, 7, 10), "school", 1)
    ]


def test_no_next_step_without_planned_end_is_due_start_plus_365_days():
    facts = student(enrolments=[entree(planned=None)])
    assert signals(facts, date(2026, 7, 6), "no_next_step") == []
    assert signals(facts, date(2026, 7, 7), "no_next_step") == [
        Signal("no_next_step", date(2026, 9, 1), "school", 1)
    ]


def test_no_next_step_stays_open_past_the_planned_end_and_closes_when_enrolment_ends():
    facts = student(enrolments=[entree(end=date(2026, 8, 14), reason="diploma")])
    assert signals(facts, date(2026, 8, 14), "no_next_step")
    assert signals(facts, date(2026, 8, 15), "no_next_step") == []


@pytest.mark.parametrize(
    ("extra", "secured"),
    [
        (mbo(2, "2", start=date(2026, 9, 1)), True),  # a future enrolment
        (mbo(2, "entree", start=date(2026, 9, 1)), True),  # any future enrolment
        (mbo(2, "2", start=date(2026, 1, 5)), True),  # another programme, enrolled on D
        (mbo(2, "3", start=date(2026, 1, 5)), True),
        (mbo(2, "4", start=date(2026, 1, 5)), True),
        (mbo(2, "vavo", start=date(2026, 1, 5), programme="Vavo havo"), True),
        (mbo(2, "entree", start=date(2026, 1, 5), programme="Entree Zorg"), False),
        (mbo(2, "2", start=date(2026, 1, 5), programme="  ENTREE "), False),  # same name
        (mbo(2, "2", start=date(2026, 1, 5), end=date(2026, 5, 31), reason="dropout"), False),
    ],
    ids=[
        "future-mbo2",
        "future-entree",
        "mbo2-enrolled",
        "mbo3-enrolled",
        "mbo4-enrolled",
        "vavo-enrolled",
        "entree-other-name",
        "same-name-case-and-spaces",
        "mbo2-ended-before-d",
    ],
)
def test_next_step_secured_by_an_enrolment(extra, secured):
    facts = student(enrolments=[entree(programme="Entree"), extra])
    assert bool(signals(facts, date(2026, 6, 1), "no_next_step")) is not secured


@pytest.mark.parametrize(
    ("employment", "day", "secured"),
    [
        (job(12, date(2026, 3, 1)), date(2026, 6, 1), True),
        (job(11, date(2026, 3, 1)), date(2026, 6, 1), False),  # under 12 hours
        (job(12, date(2026, 7, 10)), date(2026, 6, 1), True),  # starts on the planned end
        (job(12, date(2026, 7, 11)), date(2026, 6, 1), False),  # starts after it
        (job(12, date(2026, 3, 1), date(2026, 7, 10)), date(2026, 6, 1), True),
        (job(12, date(2026, 3, 1), date(2026, 7, 9)), date(2026, 6, 1), False),
        # Past the planned end: the end may not lie before D.
        (job(12, date(2026, 3, 1), date(2026, 7, 20)), date(2026, 8, 1), False),
        (job(12, date(2026, 3, 1), date(2026, 8, 1)), date(2026, 8, 1), True),
    ],
)
def test_next_step_secured_by_an_employment(employment, day, secured):
    facts = student(enrolments=[entree(planned=date(2026, 7, 10))], employments=[employment])
    assert bool(signals(facts, day, "no_next_step")) is not secured


def test_hours_of_two_jobs_do_not_secure_a_next_step():
    facts = student(
        enrolments=[entree()],
        employments=[job(6, date(2026, 3, 1)), job(6, date(2026, 3, 1))],
    )
    assert signals(facts, date(2026, 6, 1), "no_next_step")


@pytest.mark.parametrize(
    ("destination", "secured"),
    [
        (DestinationFact("dagbesteding", "Zorgboerderij De Hoeve", date(2026, 4, 1)), True),
        (DestinationFact("praktijkleren", "Bakkerij Jansen", date(2026, 4, 1)), True),
        (DestinationFact("praktijkleren", "  ", date(2026, 4, 1)), False),  # no named place
        (DestinationFact("work", "Albert Heijn", date(2026, 4, 1)), False),
        (DestinationFact("dagbesteding", "De Hoeve", date(2026, 6, 2)), False),  # after D
    ],
)
def test_next_step_secured_by_a_named_dagbesteding_or_praktijkleren_place(destination, secured):
    facts = student(enrolments=[entree()], roadmaps=[RoadmapFact(1, destinations=(destination,))])
    assert bool(signals(facts, date(2026, 6, 1), "no_next_step")) is not secured


def test_destination_of_another_enrolment_does_not_secure_this_one():
    destination = DestinationFact("dagbesteding", "De Hoeve", date(2026, 4, 1))
    facts = student(enrolments=[entree()], roadmaps=[RoadmapFact(9, destinations=(destination,))])
    assert signals(facts, date(2026, 6, 1), "no_next_step")


# --- The leaving situation and dropout -------------------------------------------------


def dropped_out(dob=MINOR, end=date(2025, 11, 3), reason="dropout", **kw):
    kw.setdefault("enrolments", [entree(start=date(2024, 9, 1), end=end, reason=reason)])
    return student(dob=dob, **kw)


def test_dropout_opens_the_day_after_the_last_day_of_enrolment():
    facts = dropped_out()
    assert signals(facts, date(2025, 11, 3), "dropout") == []
    assert signals(facts, date(2025, 11, 4)) == [
        Signal("dropout", date(2025, 11, 10), "leerplicht")
    ]
    assert rules.leaving_situation(facts, date(2025, 11, 4), S) == "dropout"


def test_dropout_is_for_leerplicht_under_18_and_the_doorstroompunt_from_18():
    facts = dropped_out(dob=MINOR)  # 18 on 2026-05-01
    assert signals(facts, date(2026, 4, 30), "dropout")[0].assignee == "leerplicht"
    assert signals(facts, date(2026, 5, 1), "dropout")[0].assignee == "doorstroompunt"


@pytest.mark.parametrize("reason", ["switch", "other"])
def test_every_end_without_diploma_is_a_dropout(reason):
    assert signals(dropped_out(reason=reason), date(2025, 12, 1), "dropout")


def test_dropout_closes_when_the_student_enrols_again_or_has_a_future_enrolment():
    facts = dropped_out(
        enrolments=[
            entree(1, start=date(2024, 9, 1), end=date(2025, 11, 3), reason="dropout"),
            mbo(2, "2", start=date(2026, 2, 1)),
        ]
    )
    assert signals(facts, date(2025, 12, 1)) == []  # future enrolment
    assert signals(facts, date(2026, 2, 1)) == []  # enrolled
    # The new enrolment ends without a diploma: a new dropout, with a new due date.
    again = dropped_out(
        enrolments=[
            entree(1, start=date(2024, 9, 1), end=date(2025, 11, 3), reason="dropout"),
            mbo(2, "2", start=date(2026, 2, 1), end=date(2026, 3, 6), reason="dropout"),
        ]
    )
    assert signals(again, date(2026, 3, 7)) == [Signal("dropout", date(2026, 3, 13), "leerplicht")]


def test_dropout_closes_when_the_student_becomes_exempt():
    facts = dropped_out(qualifications=[QualificationFact("pro", date(2026, 1, 15))])
    assert signals(facts, date(2026, 1, 14), "dropout")
    assert signals(facts, date(2026, 1, 15), "dropout") == []


def test_tie_on_the_same_date_the_diploma_wins():
    facts = student(
        enrolments=[entree(start=date(2024, 9, 1), end=date(2025, 6, 30), reason="dropout")],
        qualifications=[QualificationFact("entree", date(2025, 6, 30))],
    )
    assert rules.leaving_situation(facts, date(2025, 7, 1), S) == "next_step_check"
    assert signals(facts, date(2025, 7, 1)) == [
        Signal("next_step_check", date(2025, 10, 1), "leerplicht")
    ]


def test_entree_qualification_is_a_leaving_event_also_when_recorded_as_enrolment_too():
    facts = student(
        enrolments=[
            entree(1, start=date(2024, 9, 1), end=date(2025, 6, 30), reason="diploma"),
            mbo(2, "2", start=date(2025, 9, 1), end=date(2025, 10, 15), reason="dropout"),
        ],
        # The same Entree diploma, registered with a later date than the enrolment's end.
        qualifications=[QualificationFact("entree", date(2025, 11, 1))],
    )
    assert rules.leaving_situation(facts, date(2025, 11, 1), S) == "dropout"
    assert rules.leaving_situation(facts, date(2025, 11, 2), S) == "next_step_check"
    assert signals(facts, date(2025, 11, 2)) == [
        Signal("next_step_check", date(2026, 10, 1), "leerplicht")
    ]


def test_latest_leaving_event_wins_over_an_earlier_diploma():
    facts = student(
        enrolments=[
            entree(1, start=date(2024, 9, 1), end=date(2025, 6, 30), reason="diploma"),
            mbo(2, "2", start=date(2025, 9, 1), end=date(2025, 10, 15), reason="dropout"),
        ]
    )
    assert signals(facts, date(2025, 10, 16)) == [
        Signal("dropout", date(2025, 10, 22), "leerplicht")
    ]


def test_no_leaving_event_means_no_leaving_situation():
    never_enrolled = student(qualifications=[QualificationFact("vmbo", date(2025, 6, 30))])
    enrolled_now = student(enrolments=[entree()])
    assert rules.leaving_situation(never_enrolled, date(2025, 12, 1), S) is None
    assert rules.leaving_situation(enrolled_now, date(2025, 10, 1), S) is None
    assert signals(never_enrolled, date(2025, 12, 1)) == []


def test_no_dropout_outside_the_target_group_and_back_in_it_on_1_january_2026():
    facts = dropped_out(dob=date(2002, 3, 15), end=date(2024, 12, 1))
    assert signals(facts, date(2025, 3, 14), "dropout")
    assert signals(facts, date(2025, 3, 15)) == []  # 23rd birthday
    assert signals(facts, date(2026, 1, 1), "dropout") == [
        Signal("dropout", date(2024, 12, 8), "doorstroompunt")
    ]


# --- job_lost ----------------------------------------------------------------------------

T = date(2025, 6, 30)


def graduate(dob=ADULT, employments=(), **kw):
    diploma = entree(start=date(2024, 9, 1), planned=T, end=T, reason="diploma")
    return student(dob=dob, enrolments=[diploma], employments=list(employments), **kw)


def test_job_lost_after_a_job_from_t_minus_92_days_ended_after_t():
    facts = graduate(employments=[job(12, date(2025, 3, 30), date(2025, 9, 15))])
    assert signals(facts, date(2025, 9, 15)) == []  # still working: exempt
    assert rules.leaving_situation(facts, date(2025, 9, 16), S) == "job_lost"
    assert signals(facts, date(2025, 9, 16)) == [
        Signal("job_lost", date(2025, 9, 29), "doorstroompunt")
    ]


def test_a_job_started_before_t_minus_92_days_is_no_job_lost():
    facts = graduate(employments=[job(12, date(2025, 3, 29), date(2025, 9, 15))])
    assert signals(facts, date(2025, 9, 16)) == [
        Signal("next_step_check", date(2025, 10, 1), "doorstroompunt")
    ]


def test_a_job_that_ended_before_t_is_no_job_lost():
    facts = graduate(employments=[job(12, date(2025, 4, 1), date(2025, 6, 29))])
    assert rules.leaving_situation(facts, date(2025, 7, 1), S) == "next_step_check"


def test_a_job_that_ended_on_t_is_a_job_lost():
    facts = graduate(employments=[job(12, date(2025, 4, 1), T)])
    assert signals(facts, date(2025, 7, 1)) == [
        Signal("job_lost", date(2025, 7, 14), "doorstroompunt")
    ]


def test_a_job_under_12_hours_is_no_job_lost():
    facts = graduate(employments=[job(11.5, date(2025, 7, 1), date(2025, 9, 15))])
    assert rules.leaving_situation(facts, date(2025, 9, 16), S) == "next_step_check"


def test_job_lost_is_due_14_days_after_the_latest_end():
    facts = graduate(
        employments=[
            job(12, date(2025, 7, 1), date(2025, 9, 15)),
            job(16, date(2025, 7, 1), date(2025, 8, 1)),
        ]
    )
    assert signals(facts, date(2025, 9, 16))[0].due_date == date(2025, 9, 29)


def test_job_lost_closes_when_the_student_works_or_enrols_again():
    lost = [job(12, date(2025, 7, 1), date(2025, 9, 15))]
    working = graduate(employments=[*lost, job(12, date(2025, 10, 1))])
    assert signals(working, date(2025, 9, 30), "job_lost")
    assert signals(working, date(2025, 10, 1), "job_lost") == []
    enrolling = graduate(employments=lost)
    enrolling = StudentFacts(
        date_of_birth=enrolling.date_of_birth,
        enrolments=(*enrolling.enrolments, mbo(2, "2", start=date(2026, 2, 1))),
        employments=enrolling.employments,
    )
    assert signals(enrolling, date(2025, 9, 16), "job_lost") == []


# --- next_step_check ---------------------------------------------------------------------


def test_next_step_check_opens_the_day_after_t_due_the_first_1_october_after_t():
    facts = graduate(dob=MINOR)
    assert signals(facts, T, "next_step_check") == []
    assert signals(facts, date(2025, 7, 1)) == [
        Signal("next_step_check", date(2025, 10, 1), "leerplicht")
    ]


def test_next_step_check_for_a_diploma_dated_1_october_is_due_a_year_later():
    facts = student(dob=ADULT, qualifications=[QualificationFact("entree", date(2025, 10, 1))])
    assert signals(facts, date(2025, 10, 2)) == [
        Signal("next_step_check", date(2026, 10, 1), "doorstroompunt")
    ]


def test_next_step_check_closes_when_the_student_enrols_or_starts_working():
    working = graduate(employments=[job(12, date(2025, 8, 1))])
    assert signals(working, date(2025, 7, 31), "next_step_check")
    assert signals(working, date(2025, 8, 1), "next_step_check") == []
    enrolling = student(
        dob=ADULT,
        enrolments=[
            entree(1, start=date(2024, 9, 1), end=T, reason="diploma"),
            mbo(2, "2", start=date(2025, 9, 1)),
        ],
    )
    assert signals(enrolling, date(2025, 7, 1), "next_step_check") == []


# --- work_checkin_due --------------------------------------------------------------------

T_AUG = date(2025, 8, 31)


def working_graduate(checkins=(), dob=ADULT, **kw):
    diploma = entree(start=date(2024, 9, 1), planned=T_AUG, end=T_AUG, reason="diploma")
    return student(
        dob=dob,
        enrolments=[diploma],
        employments=[job(20, date(2025, 9, 1))],
        work_checkins=list(checkins),
        **kw,
    )


@pytest.mark.parametrize(
    ("day_before", "first_day", "due"),
    [
        (date(2025, 11, 15), date(2025, 11, 16), date(2025, 11, 30)),  # k = 1
        (date(2026, 2, 13), date(2026, 2, 14), date(2026, 2, 28)),  # k = 2, month end
        (date(2026, 5, 16), date(2026, 5, 17), date(2026, 5, 31)),  # k = 3, from T: 31 May
        (date(2026, 8, 16), date(2026, 8, 17), date(2026, 8, 31)),  # k = 4
    ],
)
def test_work_checkin_k_opens_14_days_before_t_plus_3k_months(day_before, first_day, due):
    facts = working_graduate()
    before = signals(facts, day_before, "work_checkin_due")
    assert due not in [signal.due_date for signal in before]
    assert signals(facts, first_day, "work_checkin_due") == [
        Signal("work_checkin_due", due, "school")
    ]


def test_only_the_latest_work_checkin_is_open():
    facts = working_graduate()  # check-in 1 was never logged
    assert signals(facts, date(2026, 2, 13), "work_checkin_due") == [
        Signal("work_checkin_due", date(2025, 11, 30), "school")
    ]
    assert signals(facts, date(2026, 2, 14), "work_checkin_due") == [
        Signal("work_checkin_due", date(2026, 2, 28), "school")
    ]


def test_work_checkin_ends_12_months_after_t():
    facts = working_graduate()
    assert signals(facts, date(2026, 8, 31), "work_checkin_due")
    assert signals(facts, date(2026, 9, 1), "work_checkin_due") == []


def test_work_checkin_logged_from_28_days_before_the_due_date_closes_it():
    early = working_graduate(checkins=[date(2025, 11, 1)])
    in_time = working_graduate(checkins=[date(2025, 11, 2)])
    assert signals(early, date(2025, 11, 16), "work_checkin_due")
    assert signals(in_time, date(2025, 11, 16), "work_checkin_due") == []
    # A check-in logged after D does not count for D (recomputing an earlier date).
    late = working_graduate(checkins=[date(2025, 11, 20)])
    assert signals(late, date(2025, 11, 19), "work_checkin_due")
    assert signals(late, date(2025, 11, 20), "work_checkin_due") == []


def test_work_checkin_from_29_february_in_a_leap_year():
    facts = student(
        dob=ADULT,
        qualifications=[QualificationFact("entree", date(2023, 8, 31))],
        employments=[job(12, date(2023, 9, 1))],
    )
    assert signals(facts, date(2024, 2, 15), "work_checkin_due") == [
        Signal("work_checkin_due", date(2024, 2, 29), "school")
    ]


def test_work_checkin_needs_work_and_no_enrolment():
    not_working = graduate(dob=ADULT)
    assert signals(not_working, date(2025, 9, 16), "work_checkin_due") == []
    enrolled = StudentFacts(
        date_of_birth=ADULT,
        enrolments=(
            entree(1, start=date(2024, 9, 1), end=T, reason="diploma"),
            mbo(2, "2", start=date(2025, 9, 1)),
        ),
        employments=(job(12, date(2025, 7, 1)),),
    )
    assert signals(enrolled, date(2025, 9, 16), "work_checkin_due") == []


def test_work_checkin_only_in_the_target_group():
    facts = working_graduate(dob=date(2002, 10, 1))  # 23 on 2025-10-01
    assert signals(facts, date(2025, 11, 16)) == []


# --- monitoring_handover -----------------------------------------------------------------


def test_handover_opens_14_days_before_t_plus_12_months():
    facts = graduate()
    assert signals(facts, date(2026, 6, 15), "monitoring_handover") == []
    assert signals(facts, date(2026, 6, 16), "monitoring_handover") == [
        Signal("monitoring_handover", date(2026, 6, 30), "doorstroompunt")
    ]


def test_handover_stays_open_until_acknowledged():
    facts = graduate(handover_acknowledgements=[date(2026, 7, 20)])
    assert signals(facts, date(2026, 7, 19), "monitoring_handover")
    assert signals(facts, date(2026, 7, 20), "monitoring_handover") == []


def test_an_acknowledgement_before_t_does_not_count():
    facts = graduate(handover_acknowledgements=[date(2025, 6, 1)])
    assert signals(facts, date(2026, 6, 16), "monitoring_handover")


def test_handover_also_for_a_working_graduate():
    facts = working_graduate()  # exempt, in the target group
    assert signals(facts, date(2026, 8, 17), "monitoring_handover") == [
        Signal("monitoring_handover", date(2026, 8, 31), "doorstroompunt")
    ]


def test_no_handover_while_enrolled_or_with_a_future_enrolment():
    future = StudentFacts(
        date_of_birth=ADULT,
        enrolments=(
            entree(1, start=date(2024, 9, 1), end=T, reason="diploma"),
            mbo(2, "2", start=date(2026, 9, 1)),
        ),
    )
    assert signals(future, date(2026, 6, 20), "monitoring_handover") == []
    assert signals(future, date(2026, 9, 1), "monitoring_handover") == []


# --- dsp_checkin_due ---------------------------------------------------------------------


def test_dsp_checkin_every_6_months_from_the_dropout_date_of_an_adult():
    facts = dropped_out(dob=date(2005, 3, 10), end=date(2025, 3, 31))
    assert rules.dsp_monitoring_start(facts, date(2025, 4, 1), S) == date(2025, 3, 31)
    assert signals(facts, date(2025, 9, 15), "dsp_checkin_due") == []
    assert signals(facts, date(2025, 9, 16), "dsp_checkin_due") == [
        Signal("dsp_checkin_due", date(2025, 9, 30), "doorstroompunt")
    ]
    # Counted from the start: 31 March, not 30 September + 6 months.
    assert signals(facts, date(2026, 3, 16), "dsp_checkin_due")[0].due_date == date(2025, 9, 30)
    assert signals(facts, date(2026, 3, 17), "dsp_checkin_due") == [
        Signal("dsp_checkin_due", date(2026, 3, 31), "doorstroompunt")
    ]


def test_dsp_contact_logged_from_28_days_before_the_due_date_closes_it():
    early = dropped_out(
        dob=date(2005, 3, 10), end=date(2025, 3, 31), dsp_contacts=[date(2025, 9, 1)]
    )
    in_time = dropped_out(
        dob=date(2005, 3, 10), end=date(2025, 3, 31), dsp_contacts=[date(2025, 9, 2)]
    )
    assert signals(early, date(2025, 9, 16), "dsp_checkin_due")
    assert signals(in_time, date(2025, 9, 16), "dsp_checkin_due") == []
    # The next due date needs a new contact.
    assert signals(in_time, date(2026, 3, 17), "dsp_checkin_due")


def test_dsp_monitoring_of_a_minor_starts_on_the_18th_birthday():
    facts = dropped_out(dob=date(2009, 1, 15), end=date(2025, 3, 31))
    assert rules.dsp_monitoring_start(facts, date(2025, 4, 1), S) == date(2027, 1, 15)
    assert not rules.in_dsp_monitoring(facts, date(2027, 1, 14), S)
    assert rules.in_dsp_monitoring(facts, date(2027, 1, 15), S)
    assert signals(facts, date(2027, 6, 30), "dsp_checkin_due") == []
    assert signals(facts, date(2027, 7, 1), "dsp_checkin_due") == [
        Signal("dsp_checkin_due", date(2027, 7, 15), "doorstroompunt")
    ]


def test_dsp_monitoring_starts_on_1_march_for_a_29_february_birthday():
    facts = dropped_out(dob=date(2008, 2, 29), end=date(2024, 5, 1))
    assert rules.dsp_monitoring_start(facts, date(2025, 1, 1), S) == date(2026, 3, 1)
    assert signals(facts, date(2026, 8, 18), "dsp_checkin_due") == [
        Signal("dsp_checkin_due", date(2026, 9, 1), "doorstroompunt")
    ]


def test_dsp_monitoring_after_an_entree_diploma_starts_12_months_after_t():
    facts = graduate()
    assert rules.dsp_monitoring_start(facts, date(2025, 7, 1), S) == date(2026, 6, 30)
    assert signals(facts, date(2026, 12, 15), "dsp_checkin_due") == []
    assert signals(facts, date(2026, 12, 16), "dsp_checkin_due") == [
        Signal("dsp_checkin_due", date(2026, 12, 30), "doorstroompunt")
    ]


def test_dsp_monitoring_includes_exempt_students():
    facts = dropped_out(
        dob=date(2005, 3, 10),
        end=date(2025, 3, 31),
        qualifications=[QualificationFact("pro", date(2023, 7, 1))],
    )
    assert rules.exempt(facts, date(2025, 9, 16), S)
    assert signals(facts, date(2025, 9, 16)) == [
        Signal("dsp_checkin_due", date(2025, 9, 30), "doorstroompunt")
    ]


def test_dsp_monitoring_needs_a_leaving_event():
    facts = student(dob=ADULT, qualifications=[QualificationFact("pro", date(2023, 7, 1))])
    assert rules.dsp_monitoring_start(facts, date(2026, 1, 1), S) is None
    assert signals(facts, date(2026, 1, 1)) == []


def test_no_dsp_checkin_with_a_future_enrolment():
    facts = dropped_out(
        dob=date(2005, 3, 10),
        enrolments=[
            entree(1, start=date(2024, 9, 1), end=date(2025, 3, 31), reason="dropout"),
            mbo(2, "2", start=date(2025, 11, 1)),
        ],
    )
    assert rules.dsp_monitoring_start(facts, date(2025, 9, 16), S) == date(2025, 3, 31)
    assert signals(facts, date(2025, 9, 16)) == []
