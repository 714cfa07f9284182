"""The case table's candidates are the rule book's doorstroomtafel_candidate, paged in SQL."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from doorstroomtafel.queries import candidates
from monitoring import rules
from roadmap.models import StudyAdviceStep

from .conftest import make_signal, make_student

pytestmark = pytest.mark.django_db


def test_a_stop_advice_proposes_a_student_however_old_it_is(meeting, mentor, today):
    # The rule book sets no window to the stop advice (MONITORING.md); the list had 365 days.
    student = make_student(today=today, last_name="Oudstopadvies")
    StudyAdviceStep.objects.create(
        enrolment=student.enrolments.get(),
        date=today - timedelta(days=400),
        advice="stop",
        author=mentor,
    )
    facts = rules.StudentFacts(
        date_of_birth=student.date_of_birth,
        roadmaps=(
            rules.RoadmapFact(
                enrolment_id=1, study_advice="stop", study_advice_date=today - timedelta(days=400)
            ),
        ),
    )
    assert rules.doorstroomtafel_candidate(facts, today, signals=())

    found = candidates(meeting, today=today)

    assert [c["student"].pk for c in found] == [student.pk]
    assert found[0]["kinds"] == ["study_advice_stop"]


def test_the_candidate_kinds_are_the_rule_books(meeting, today):
    made = {}
    for kind in rules.SIGNAL_KINDS:
        made[kind] = make_student(today=today, last_name=f"K {kind}")
        make_signal(made[kind], kind, today=today)

    found = {c["kinds"][0] for c in candidates(meeting, today=today)}

    assert found == set(rules.DOORSTROOMTAFEL_KINDS)


def test_a_stop_advice_dated_after_the_day_does_not_count_yet(meeting, mentor, today):
    student = make_student(today=today)
    StudyAdviceStep.objects.create(
        enrolment=student.enrolments.get(),
        date=today + timedelta(days=1),
        advice="stop",
        author=mentor,
    )
    assert candidates(meeting, today=today) == []


def test_the_list_is_cut_off_in_the_database_in_name_order(meeting, today):
    students = [make_student(today=today, last_name=f"Naam {n:02d}") for n in range(5)]
    for student in students:
        make_signal(student, "dropout", today=today)

    with CaptureQueriesContext(connection) as queries:
        found = candidates(meeting, today=today, limit=3)

    assert [c["student"].pk for c in found] == [s.pk for s in students[:3]]
    assert found.more
    page_query = queries.captured_queries[0]["sql"]
    assert "LIMIT 4" in page_query  # one more than shown, to know there are more
    assert not candidates(meeting, today=today, limit=5).more


@pytest.mark.parametrize("count", [1, 50])
def test_the_candidates_take_three_queries_whatever_their_number(
    meeting, mentor, today, count, django_assert_num_queries
):
    for n in range(count):
        student = make_student(today=today, last_name=f"Kandidaat {n:02d}")
        make_signal(student, "dropout", today=today)
        StudyAdviceStep.objects.create(
            enrolment=student.enrolments.get(),
            date=today - timedelta(days=10),
            advice="stop",
            author=mentor,
        )
    meeting.table  # noqa: B018  (loaded by the view before the list)
    with django_assert_num_queries(3):
        found = candidates(meeting, today=today)
    assert len(found) == count
    assert all(c["kinds"] == ["dropout", "study_advice_stop"] for c in found)
