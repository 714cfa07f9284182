"""MONITORING.md sections 3 and 4 and the Doorstroomtafel candidate: the VSV status, the
transition until 1 October, the end of monitoring, and evaluate() as a whole."""

from datetime import date

import pytest

from monitoring import rules
from monitoring.rule_settings import RuleSettings
from monitoring.rules import (
    EmploymentFact,
    EnrolmentFact,
    Evaluation,
    QualificationFact,
    RoadmapFact,
    Signal,
    StudentFacts,
)

S = RuleSettings()
ADULT = date(2005, 1, 1)
T = date(2025, 6, 30)


def student(dob=ADULT, **kw):
    return StudentFacts(date_of_birth=dob, **{key: tuple(value) for key, value in kw.items()})


def entree(id=1, start=date(2024, 9, 1), planned=date(2025, 7, 10), end=None, reason=""):
    return EnrolmentFact(id, "entree", "Entree", start, planned, end, reason)


def vsv(facts, day):
    return rules.evaluate(facts, day, S).vsv


# --- Section 3: VSV status ---------------------------------------------------------------


def test_a_dropout_counts_as_vsv_from_the_day_after_the_last_day_of_enrolment():
    facts = student(enrolments=[entree(end=date(2025, 3, 14), reason="dropout")])
    assert not vsv(facts, date(2025, 3, 14))
    assert vsv(facts, date(2025, 3, 15))


def test_an_entree_graduate_without_work_is_in_transition_until_1_october():
    facts = student(enrolments=[entree(end=T, reason="diploma")])
    assert rules.leaving_situation(facts, date(2025, 9, 30), S) == "next_step_check"
    assert not vsv(facts, date(2025, 9, 30))
    assert vsv(facts, date(2025, 10, 1))


def test_a_diploma_dated_1_october_is_in_transition_until_1_october_next_year():
    facts = student(qualifications=[QualificationFact("entree", date(2025, 10, 1))])
    assert not vsv(facts, date(2025, 10, 2))
    assert not vsv(facts, date(2026, 9, 30))
    assert vsv(facts, date(2026, 10, 1))


def test_a_graduate_who_lost_a_job_is_in_transition_until_1_october_too():
    facts = student(
        enrolments=[entree(end=T, reason="diploma")],
        employments=[EmploymentFact(12, date(2025, 7, 1), date(2025, 8, 15))],
    )
    assert rules.leaving_situation(facts, date(2025, 9, 30), S) == "job_lost"
    assert not vsv(facts, date(2025, 9, 30))
    assert vsv(facts, date(2025, 10, 1))


def test_a_working_entree_graduate_is_exempt_and_not_vsv():
    facts = student(
        enrolments=[entree(end=T, reason="diploma")],
        employments=[EmploymentFact(12, date(2025, 7, 1))],
    )
    evaluation = rules.evaluate(facts, date(2025, 12, 1), S)
    assert evaluation.exempt
    assert not evaluation.vsv
    assert evaluation.leaving_situation is None


def test_a_dropout_with_a_pro_certificate_is_exempt_and_not_vsv():
    facts = student(
        enrolments=[entree(end=date(2025, 3, 14), reason="dropout")],
        qualifications=[QualificationFact("pro", date(2024, 7, 1))],
    )
    assert not vsv(facts, date(2025, 6, 1))


def test_enrolled_or_future_enrolment_is_not_vsv():
    dropout = entree(end=date(2025, 3, 14), reason="dropout")
    future = EnrolmentFact(2, "2", "Logistiek", date(2025, 9, 1))
    facts = student(enrolments=[dropout, future])
    assert not vsv(facts, date(2025, 6, 1))
    assert not vsv(facts, date(2025, 9, 1))


def test_vsv_needs_the_target_group_and_is_back_on_1_january_2026_for_a_24_year_old():
    facts = student(
        dob=date(2001, 6, 1), enrolments=[entree(end=date(2024, 3, 14), reason="dropout")]
    )
    assert not vsv(facts, date(2025, 12, 31))
    assert vsv(facts, date(2026, 1, 1))


def test_startkwalificatie_ends_vsv():
    facts = student(
        enrolments=[entree(end=date(2024, 3, 14), reason="dropout")],
        qualifications=[QualificationFact("havo", date(2025, 6, 30))],
    )
    assert vsv(facts, date(2025, 6, 29))
    assert not vsv(facts, date(2025, 6, 30))


def test_never_enrolled_is_not_vsv():
    assert not vsv(student(), date(2025, 6, 1))


# --- Doorstroomtafel candidate -----------------------------------------------------------


def candidate(facts, day):
    return rules.evaluate(facts, day, S).doorstroomtafel_candidate


@pytest.mark.parametrize(
    ("facts", "day"),
    [
        (student(enrolments=[entree(end=date(2025, 3, 14), reason="dropout")]), date(2025, 4, 1)),
        (student(enrolments=[entree(end=T, reason="diploma")]), date(2025, 7, 1)),
        (
            student(
                enrolments=[entree(end=T, reason="diploma")],
                employments=[EmploymentFact(12, date(2025, 7, 1), date(2025, 8, 15))],
            ),
            date(2025, 8, 16),
        ),
        (student(enrolments=[entree(planned=date(2025, 7, 10))]), date(2025, 6, 1)),
    ],
    ids=["dropout", "next_step_check", "job_lost", "no_next_step"],
)
def test_doorstroomtafel_candidate_with_an_open_leaving_or_no_next_step_signal(facts, day):
    assert candidate(facts, day)


def test_doorstroomtafel_candidate_after_a_stop_advice_from_its_date():
    advice = RoadmapFact(1, study_advice_date=date(2024, 12, 20), study_advice="stop")
    facts = student(enrolments=[entree()], roadmaps=[advice])
    assert not candidate(facts, date(2024, 12, 19))  # study_advice_due is no reason
    assert candidate(facts, date(2024, 12, 20))


def test_continue_advice_and_other_signals_do_not_make_a_candidate():
    advice = RoadmapFact(1, study_advice_date=date(2024, 12, 20), study_advice="continue")
    enrolled = student(enrolments=[entree()], roadmaps=[advice])
    assert not candidate(enrolled, date(2025, 3, 1))  # perspective_due is open
    working = student(
        enrolments=[entree(end=T, reason="diploma")],
        employments=[EmploymentFact(12, date(2025, 7, 1))],
    )
    assert rules.evaluate(working, date(2025, 9, 20), S).signals[0].kind == "work_checkin_due"
    assert not candidate(working, date(2025, 9, 20))


# --- Section 4: end of monitoring --------------------------------------------------------


def test_monitoring_ends_on_the_upper_age_birthday_with_reason_age_limit():
    facts = student(
        dob=date(2002, 3, 15), enrolments=[entree(end=date(2024, 12, 1), reason="dropout")]
    )
    before = rules.evaluate(facts, date(2025, 3, 14), S)
    on_the_day = rules.evaluate(facts, date(2025, 3, 15), S)
    assert (before.monitoring_ended, before.monitoring_end_reason) == (False, None)
    assert [signal.kind for signal in before.signals] == ["dropout"]
    assert (on_the_day.monitoring_ended, on_the_day.monitoring_end_reason) == (True, "age_limit")
    assert on_the_day.signals == ()
    assert not on_the_day.vsv


def test_monitoring_ends_on_the_date_of_a_startkwalificatie():
    facts = student(
        enrolments=[entree(end=date(2024, 12, 1), reason="dropout")],
        qualifications=[QualificationFact("mbo", date(2025, 7, 4), 2)],
    )
    assert rules.evaluate(facts, date(2025, 7, 3), S).signals
    ended = rules.evaluate(facts, date(2025, 7, 4), S)
    assert (ended.monitoring_end_reason, ended.signals) == ("startkwalificatie", ())


def test_startkwalificatie_is_the_reason_when_also_past_the_upper_age():
    facts = student(
        dob=date(1990, 1, 1), qualifications=[QualificationFact("vwo", date(2008, 7, 1))]
    )
    assert rules.monitoring_end_reason(facts, date(2025, 1, 1), S) == "startkwalificatie"


def test_enrolment_signals_stay_open_after_monitoring_ended():
    facts = student(
        dob=date(2002, 3, 15),
        enrolments=[
            entree(end=date(2024, 6, 1), reason="dropout"),
            entree(2, start=date(2025, 1, 6), planned=date(2025, 12, 19)),
        ],
    )
    evaluation = rules.evaluate(facts, date(2025, 5, 1), S)
    assert evaluation.monitoring_ended
    assert evaluation.signals == (Signal("study_advice_due", date(2025, 4, 28), "school", 2),)


def test_upper_age_change_on_1_january_2026_resumes_monitoring():
    facts = student(dob=date(2001, 6, 1))
    assert rules.monitoring_end_reason(facts, date(2025, 12, 31), S) == "age_limit"
    assert rules.monitoring_end_reason(facts, date(2026, 1, 1), S) is None


# --- evaluate ------------------------------------------------------------------------------


def test_evaluate_reports_every_fact_of_a_dropout():
    facts = student(
        dob=date(2008, 2, 29), enrolments=[entree(end=date(2025, 3, 14), reason="dropout")]
    )
    assert rules.evaluate(facts, date(2026, 3, 1), S) == Evaluation(
        date=date(2026, 3, 1),
        signals=(Signal("dropout", date(2025, 3, 21), "doorstroompunt"),),
        vsv=True,
        in_target_group=True,
        exempt=False,
        responsible_authority="doorstroompunt",
        leaving_situation="dropout",
        entree_diploma_date=None,
        dsp_monitoring_start=date(2026, 3, 1),  # the 18th birthday (29 Feb -> 1 Mar)
        in_dsp_monitoring=True,
        monitoring_ended=False,
        monitoring_end_reason=None,
        doorstroomtafel_candidate=True,
    )


def test_evaluate_a_working_entree_graduate_a_year_on():
    facts = student(
        enrolments=[entree(end=T, reason="diploma")],
        employments=[EmploymentFact(24, date(2025, 8, 1))],
        work_checkins=[date(2026, 6, 10)],
    )
    evaluation = rules.evaluate(facts, date(2026, 6, 20), S)
    # Check-in 4 (due 2026-06-30) was logged on 2026-06-10; the handover waits.
    assert evaluation.signals == (
        Signal("monitoring_handover", date(2026, 6, 30), "doorstroompunt"),
    )
    assert evaluation.entree_diploma_date == T
    assert (evaluation.exempt, evaluation.vsv, evaluation.leaving_situation) == (True, False, None)
    assert evaluation.dsp_monitoring_start == date(2026, 6, 30)
    assert not evaluation.in_dsp_monitoring


def test_evaluate_is_a_pure_function_of_facts_and_date():
    facts = student(enrolments=[entree(end=date(2025, 3, 14), reason="dropout")])
    earlier = rules.evaluate(facts, date(2025, 3, 20), S)
    rules.evaluate(facts, date(2026, 3, 20), S)
    assert rules.evaluate(facts, date(2025, 3, 20), S) == earlier
