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
    page_query = queries.captured_queries[1]["sql"]  # after the scope's municipalities
    assert "LIMIT 4" in page_query  # one more than shown, to know there are more
    assert not candidates(meeting, today=today, limit=5).more


@pytest.mark.parametrize("count", [1, 50])
def test_the_candidates_take_four_queries_whatever_their_number(
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
    # The scope's municipalities, the page of students, their signals, their advice.
    with django_assert_num_queries(4):
        found = candidates(meeting, today=today)
    assert len(found) == count
    assert all(c["kinds"] == ["dropout", "study_advice_stop"] for c in found)


# --- PostgreSQL ----------------------------------------------------------------------------


def _plan_nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_the_rule_is_asked_per_student_walked_not_hashed_over_the_population(
    meeting, mentor, today
):
    # Issue 16: an OR of two EXISTS let PostgreSQL hash every open signal and every stop
    # advice of the population (joined to every enrolment) before it showed a name; the
    # rule book's one EXISTS over a union is asked per student walked in name order.
    import json
    import re

    for n in range(30):
        student = make_student(today=today, last_name=f"Plan {n:02d}")
        make_signal(student, "dropout", today=today)
        StudyAdviceStep.objects.create(
            enrolment=student.enrolments.get(),
            date=today - timedelta(days=10),
            advice="stop",
            author=mentor,
        )
    with CaptureQueriesContext(connection) as queries:
        candidates(meeting, today=today, limit=5)
    page_query = queries.captured_queries[1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("EXPLAIN (FORMAT JSON) " + page_query)
        answer = cursor.fetchone()[0]
    plan = (json.loads(answer) if isinstance(answer, str) else answer)[0]["Plan"]
    nodes = list(_plan_nodes(plan))
    text = json.dumps(plan)
    hashed = set(re.findall(r"hashed (SubPlan \d+)", text))
    hashed_tables = {
        node.get("Relation Name")
        for top in nodes
        if top.get("Subplan Name") in hashed
        for node in _plan_nodes(top)
        if node.get("Relation Name")
    }
    # Only the agenda's own students may be hashed (a handful), never the rule's tables.
    assert hashed_tables <= {"doorstroomtafel_agendaitem"}, text
    asked = {node.get("Relation Name") for node in nodes if node.get("Subplan Name")}
    per_student = {
        node.get("Relation Name")
        for top in nodes
        if top.get("Subplan Name") and top.get("Subplan Name") not in hashed
        for node in _plan_nodes(top)
    }
    assert {"monitoring_signal", "roadmap_studyadvicestep"} <= per_student, (asked, text)
