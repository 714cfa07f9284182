"""Properties of the rule book that hold for any student and any D (hypothesis)."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring import rules
from monitoring.rule_settings import RuleSettings
from monitoring.rules import (
    DestinationFact,
    EmploymentFact,
    EnrolmentFact,
    QualificationFact,
    RoadmapFact,
    StudentFacts,
)

S = RuleSettings()
# Around the 2026 change of the upper age, with leap years on both sides.
days = st.dates(min_value=date(2022, 1, 1), max_value=date(2028, 12, 31))
offsets = st.integers


@st.composite
def cases(draw):
    """A student and a day D, with the student's dates drawn near D so that the windows,
    edges and leaving situations of the rule book come up often."""
    day = draw(days)

    def near(low, high):
        return day + timedelta(days=draw(offsets(low, high)))

    def after(start, low, high):
        return start + timedelta(days=draw(offsets(low, high)))

    enrolments = []
    for id in range(1, draw(offsets(0, 3)) + 1):
        start = near(-800, 30)
        level = draw(st.sampled_from(["entree", "entree", "2", "3", "vavo"]))
        # Mostly ended: the leaving situations need an enrolment that ended before D.
        end = after(start, 0, 500) if draw(offsets(0, 3)) else None
        reasons = ["dropout", "switch"] if level == "vavo" else ["diploma", "dropout", "switch"]
        enrolments.append(
            EnrolmentFact(
                id,
                level,
                draw(st.sampled_from(["Entree", " entree ", "Logistiek", "Zorg"])),
                start,
                draw(st.none() | st.just(after(start, 150, 400))),
                end,
                "" if end is None else draw(st.sampled_from(reasons)),
            )
        )
    qualifications = []
    for _ in range(draw(offsets(0, 2))):
        kind = draw(st.sampled_from(["entree", "entree", "pro", "vso", "vmbo", "havo", "mbo"]))
        level = draw(st.sampled_from([2, 3, 4])) if kind == "mbo" else None
        qualifications.append(QualificationFact(kind, near(-700, 10), level))
    employments = []
    for _ in range(draw(offsets(0, 3))):
        start = near(-500, 30)
        hours = draw(st.sampled_from([8, 11.5, 12, 16, 38]))
        employments.append(
            EmploymentFact(hours, start, draw(st.none() | st.just(after(start, 0, 300))))
        )
    roadmaps = []
    for enrolment in enrolments:
        if enrolment.level != "entree" or not draw(st.booleans()):
            continue
        destinations = ()
        if draw(st.booleans()):
            destination = DestinationFact(
                draw(
                    st.sampled_from(["work", "further_education", "dagbesteding", "praktijkleren"])
                ),
                draw(st.sampled_from(["", " ", "De Hoeve"])),
                near(-300, 10),
            )
            destinations = (destination,)
        roadmaps.append(
            RoadmapFact(
                enrolment.id,
                study_advice_date=draw(st.none() | st.just(near(-400, 10))),
                study_advice=draw(st.sampled_from(["continue", "stop"])),
                perspective_date=draw(st.none() | st.just(near(-300, 10))),
                destinations=destinations,
            )
        )
    contacts = st.lists(st.builds(lambda n: day + timedelta(days=n), offsets(-200, 10)), max_size=3)
    facts = StudentFacts(
        date_of_birth=day - timedelta(days=draw(offsets(14 * 365, 30 * 365))),
        enrolments=tuple(enrolments),
        qualifications=tuple(qualifications),
        employments=tuple(employments),
        roadmaps=tuple(roadmaps),
        work_checkins=tuple(draw(contacts)),
        dsp_contacts=tuple(draw(contacts)),
        handover_acknowledgements=tuple(draw(contacts))[:1],
    )
    return facts, day


def reversed_facts(facts):
    return StudentFacts(
        date_of_birth=facts.date_of_birth,
        enrolments=facts.enrolments[::-1],
        qualifications=facts.qualifications[::-1],
        employments=facts.employments[::-1],
        roadmaps=facts.roadmaps[::-1],
        work_checkins=facts.work_checkins[::-1],
        dsp_contacts=facts.dsp_contacts[::-1],
        handover_acknowledgements=facts.handover_acknowledgements[::-1],
    )


# Few examples per run but a new draw every run; no example database in the working tree.
PROPERTY = settings(max_examples=150, deadline=None, database=None)


@settings(max_examples=40, deadline=None, database=None)
@given(cases())
def test_evaluate_is_deterministic_and_does_not_depend_on_the_order_of_the_facts(case):
    facts, day = case
    evaluation = rules.evaluate(facts, day, S)
    assert rules.evaluate(facts, day, S) == evaluation
    assert rules.evaluate(reversed_facts(facts), day, S) == evaluation


def assert_one_open_signal_per_identity_and_one_per_non_enrolment_kind(evaluation):
    found = evaluation.signals
    assert len({signal.identity for signal in found}) == len(found)
    others = [signal.kind for signal in found if signal.kind not in rules.ENROLMENT_SIGNAL_KINDS]
    assert len(set(others)) == len(others)


def assert_no_non_enrolment_signal_outside_the_target_group(evaluation):
    if not evaluation.in_target_group:
        assert all(signal.kind in rules.ENROLMENT_SIGNAL_KINDS for signal in evaluation.signals)
        assert evaluation.monitoring_ended
        assert not evaluation.vsv


def assert_enrolment_signals_belong_to_an_entree_enrolment_enrolled_on_d(facts, evaluation):
    by_id = {enrolment.id: enrolment for enrolment in facts.enrolments}
    for signal in evaluation.signals:
        if signal.kind in rules.ENROLMENT_SIGNAL_KINDS:
            enrolment = by_id[signal.enrolment_id]
            assert enrolment.level == "entree"
            assert rules.enrolled_on(enrolment, evaluation.date)
            assert signal.assignee == "school"
        else:
            assert signal.enrolment_id is None


def assert_the_leaving_signal_matches_the_leaving_situation(evaluation):
    leaving = [signal for signal in evaluation.signals if signal.kind in rules.LEAVING_SITUATIONS]
    if evaluation.leaving_situation is None:
        assert leaving == []
    else:
        assert [signal.kind for signal in leaving] == [evaluation.leaving_situation]
        assert leaving[0].assignee == evaluation.responsible_authority
        assert evaluation.doorstroomtafel_candidate


def assert_vsv_only_for_a_non_exempt_leaver_without_enrolment(facts, evaluation):
    day = evaluation.date
    if evaluation.vsv:
        assert evaluation.in_target_group
        assert not evaluation.exempt
        assert evaluation.leaving_situation is not None
        assert not rules.is_enrolled(facts, day)
        assert not rules.future_enrolment(facts, day)
    if evaluation.leaving_situation == "dropout":
        assert evaluation.vsv


def assert_repeating_due_dates_are_counted_from_their_start(evaluation):
    notice = timedelta(days=S.CHECKIN_NOTICE_DAYS)
    for signal in evaluation.signals:
        if signal.kind == "work_checkin_due":
            diploma = evaluation.entree_diploma_date
            dues = [rules.add_months(diploma, 3 * k) for k in range(1, 5)]
        elif signal.kind == "dsp_checkin_due":
            start = evaluation.dsp_monitoring_start
            dues = [rules.add_months(start, 6 * k) for k in range(1, 30)]
        else:
            continue
        assert signal.due_date in dues
        # Its window has begun, and the next one's has not (only the latest is open).
        assert evaluation.date >= signal.due_date - notice
        k = dues.index(signal.due_date)
        if k + 1 < len(dues):
            assert evaluation.date < dues[k + 1] - notice


@PROPERTY
@given(cases())
def test_invariants_of_the_rule_book_hold_for_any_student_and_day(case):
    facts, day = case
    evaluation = rules.evaluate(facts, day, S)
    assert_one_open_signal_per_identity_and_one_per_non_enrolment_kind(evaluation)
    assert_no_non_enrolment_signal_outside_the_target_group(evaluation)
    assert_enrolment_signals_belong_to_an_entree_enrolment_enrolled_on_d(facts, evaluation)
    assert_the_leaving_signal_matches_the_leaving_situation(evaluation)
    assert_vsv_only_for_a_non_exempt_leaver_without_enrolment(facts, evaluation)
    assert_repeating_due_dates_are_counted_from_their_start(evaluation)
