"""Caseloads and groups (issue 19, part 4): the mentor's class, the coordinator's
overview, who reaches which caseload, and query counts that do not grow."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from monitoring.models import Signal, SignalEvent
from roadmap.models import ContactMoment
from tests.factories import EnrolmentFactory, StudentFactory, factory_today, school

pytestmark = pytest.mark.django_db


def entree_student(mentor, group="", **extra):
    student = StudentFactory(mentor=mentor, **extra)
    EnrolmentFactory(student=student, group_name=group)
    return student


def open_signal(student, *, days_late=3):
    signal = Signal.objects.create(
        student=student,
        kind="dropout",
        assignee="school",
        organisation=school(),
        due_date=factory_today() - timedelta(days=days_late),
        opened_at=timezone.now(),
    )
    SignalEvent.objects.create(signal=signal, action="opened", at=timezone.now())
    return signal


def test_mentor_sees_own_students_with_stage_next_step_signals_and_contact(client, mentor):
    student = entree_student(mentor, group="E1A")
    open_signal(student)
    ContactMoment.objects.create(
        student=student,
        kind="other",
        date=factory_today() - timedelta(days=5),
        channel="phone",
        author=mentor,
        author_organisation=school(),
    )
    client.force_login(mentor)
    response = client.get(reverse("caseload:mine"))
    assert response.status_code == 200
    row = response.context["rows"][0]
    assert row.student == student
    assert row.group == "E1A"
    assert row.open_signals == 1
    assert row.last_contact == factory_today() - timedelta(days=5)
    # Started 101 days ago without step 1: step 1 is next and overdue (4 weeks).
    assert row.next_step
    assert row.overdue
    assert row.next_due == student.enrolments.get().start_date + timedelta(days=28)
    assert escape(student.last_name) in response.content.decode()


def test_mentor_filters_by_group(client, mentor):
    first = entree_student(mentor, group="E1A")
    second = entree_student(mentor, group="E1B")
    client.force_login(mentor)
    response = client.get(reverse("caseload:mine"), {"groep": "E1B"})
    assert [row.student for row in response.context["rows"]] == [second]
    assert response.context["groups"] == ["E1A", "E1B"]
    assert first not in [row.student for row in response.context["rows"]]


def test_sorted_by_next_due_date(client, mentor):
    late = entree_student(mentor)
    late.enrolments.update(start_date=factory_today() - timedelta(days=200))
    soon = entree_student(mentor)
    soon.enrolments.update(start_date=factory_today() - timedelta(days=5))
    client.force_login(mentor)
    rows = client.get(reverse("caseload:mine")).context["rows"]
    assert [row.student for row in rows] == [late, soon]
    rows = client.get(reverse("caseload:mine"), {"sort": "-uiterlijk"}).context["rows"]
    assert [row.student for row in rows] == [soon, late]


def test_another_mentors_students_are_not_in_my_caseload(client, mentor, other_mentor):
    entree_student(other_mentor)
    client.force_login(mentor)
    assert client.get(reverse("caseload:mine")).context["rows"] == []
    # Nor is their caseload reachable, nor the school overview.
    url = reverse("caseload:mentor", args=[other_mentor.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("caseload:school")).status_code == 404


def test_coordinator_sees_sizes_and_overdue_and_opens_a_caseload(
    client, coordinator, mentor, other_mentor
):
    for _index in range(3):
        entree_student(mentor)
    open_signal(entree_student(other_mentor))
    entree_student(None)
    client.force_login(coordinator)
    response = client.get(reverse("caseload:school"))
    sizes = {row["mentor"]: (row["size"], row["overdue"]) for row in response.context["rows"]}
    assert sizes[mentor] == (3, 0)
    assert sizes[other_mentor] == (1, 1)
    assert response.context["without"]["size"] == 1
    detail = client.get(reverse("caseload:mentor", args=[mentor.pk]))
    assert detail.status_code == 200
    assert len(detail.context["rows"]) == 3
    assert client.get(reverse("caseload:mine")).status_code == 404


def test_coordinator_of_another_school_cannot_open_the_caseload(
    client, clusius_coordinator, mentor
):
    entree_student(mentor)
    client.force_login(clusius_coordinator)
    assert client.get(reverse("caseload:mentor", args=[mentor.pk])).status_code == 404


def test_student_page_shows_the_group(client, mentor):
    student = entree_student(mentor, group="Entree 2026-A")
    client.force_login(mentor)
    response = client.get(reverse("students:detail", args=[student.public_id]))
    assert "Entree 2026-A" in response.content.decode()


# Session, the user with their memberships; the students (with subqueries); the groups; the routes;
# the access log.
CASELOAD_QUERIES = 6


@pytest.mark.parametrize("count", [1, 50])
def test_caseload_query_count_does_not_grow(client, mentor, django_assert_num_queries, count):
    for index in range(count):
        student = entree_student(mentor, group=f"G{index % 3}")
        open_signal(student)
    client.force_login(mentor)
    with django_assert_num_queries(CASELOAD_QUERIES):
        response = client.get(reverse("caseload:mine"))
    assert len(response.context["rows"]) == min(count, 25)


@pytest.mark.parametrize("count", [1, 50])
def test_school_overview_query_count_does_not_grow(
    client, coordinator, mentor, other_mentor, django_assert_num_queries, count
):
    for index in range(count):
        open_signal(entree_student((mentor, other_mentor)[index % 2]))
    client.force_login(coordinator)
    # Session, the user with their memberships; the grouped counts; the mentors.
    with django_assert_num_queries(4):
        client.get(reverse("caseload:school"))
