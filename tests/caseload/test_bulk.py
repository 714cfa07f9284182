"""Bulk actions (issue 19, part 6): select -> confirm (how many, which) -> apply; every id
checked against the scope on both POSTs; history per record; versions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from monitoring.models import Signal, SignalEvent
from students.models import Enrolment, RecordChange, Student
from tests.factories import (
    EnrolmentFactory,
    StudentFactory,
    factory_today,
    make_user,
    school,
)

pytestmark = pytest.mark.django_db


def enrolled(mentor=None, institution="Horizon College", group=""):
    student = StudentFactory(mentor=mentor)
    EnrolmentFactory(student=student, institution=school(institution), group_name=group)
    return student


def select(client, action, students, url="caseload:bulk_students"):
    ids = [getattr(s, "public_id", s) for s in students]
    return client.post(reverse(url), {"action": action, "ids": ids, "next": "/students/"})


def confirm_url(response):
    assert response.status_code == 302, response.status_code
    return response["Location"]


def test_coordinator_assigns_a_mentor_to_many_students_with_history(
    client, coordinator, mentor, other_mentor
):
    students = [enrolled(mentor) for _ in range(30)]
    client.force_login(coordinator)
    url = confirm_url(select(client, "mentor", students))
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["count"] == 30
    assert len(page.context["records"]) == 25  # paged
    assert len(client.get(url, {"pos": 26}).context["records"]) == 5
    response = client.post(url, {"mentor": str(other_mentor.pk)})
    assert response.status_code == 302
    assert Student.objects.filter(mentor=other_mentor).count() == 30
    assert all(s.version == 2 for s in Student.objects.all())
    changes = RecordChange.objects.filter(record_type="student", source="bulk")
    assert changes.count() == 30
    assert changes.first().actor == coordinator
    assert changes.first().changes["mentor"]["new"] == str(other_mentor)
    # The student's page shows it in the history.
    detail = client.get(reverse("students:detail", args=[students[0].public_id]))
    assert str(other_mentor) in detail.content.decode()
    # The selection is used up.
    assert client.get(url).status_code == 404


def test_an_out_of_scope_id_refuses_the_whole_selection(client, coordinator, mentor):
    mine = [enrolled(mentor) for _ in range(3)]
    elsewhere = enrolled(institution="Clusius College")
    client.force_login(coordinator)
    response = select(client, "mentor", [*mine, elsewhere])
    assert response.status_code == 404
    forged = select(client, "mentor", [*mine, "niet-bestaand"])
    assert forged.status_code == 404


def test_a_student_out_of_scope_by_the_time_of_applying_refuses_everything(
    client, coordinator, mentor, other_mentor
):
    students = [enrolled(mentor) for _ in range(3)]
    client.force_login(coordinator)
    url = confirm_url(select(client, "mentor", students))
    # One student leaves the school's scope before the confirmation.
    Enrolment.objects.filter(student=students[0]).update(institution=school("Clusius College"))
    response = client.post(url, {"mentor": str(other_mentor.pk)})
    assert response.status_code == 404
    assert not Student.objects.filter(mentor=other_mentor).exists()


def test_a_student_changed_meanwhile_refuses_everything(client, coordinator, mentor, other_mentor):
    students = [enrolled(mentor) for _ in range(3)]
    client.force_login(coordinator)
    url = confirm_url(select(client, "mentor", students))
    Student.objects.filter(pk=students[1].pk).update(version=5)
    response = client.post(url, {"mentor": str(other_mentor.pk)})
    assert response.status_code == 302
    assert not Student.objects.filter(mentor=other_mentor).exists()
    assert not RecordChange.objects.filter(source="bulk").exists()


def test_a_mentor_cannot_assign_mentors_or_groups(client, mentor):
    students = [enrolled(mentor)]
    client.force_login(mentor)
    assert select(client, "mentor", students).status_code == 404
    assert select(client, "group", students).status_code == 404


def test_a_mentor_cannot_select_another_mentors_student(client, mentor, other_mentor):
    theirs = enrolled(other_mentor)
    client.force_login(mentor)
    assert select(client, "case_table", [enrolled(mentor), theirs]).status_code == 404


def test_another_users_selection_is_not_reachable(client, coordinator, mentor):
    client.force_login(coordinator)
    url = confirm_url(select(client, "mentor", [enrolled(mentor)]))
    other = make_user("coordinator2@horizon.test", "school_coordinator", "Horizon College")
    client.force_login(other)
    assert client.get(url).status_code == 404


def test_coordinator_puts_students_in_a_group_with_history(client, coordinator, mentor):
    students = [enrolled(mentor, group="oud") for _ in range(4)]
    client.force_login(coordinator)
    url = confirm_url(select(client, "group", students))
    assert client.post(url, {"group": "E1A"}).status_code == 302
    assert set(Enrolment.objects.values_list("group_name", flat=True)) == {"E1A"}
    change = RecordChange.objects.filter(record_type="enrolment").first()
    assert change.changes == {"group_name": {"old": "oud", "new": "E1A"}}
    assert RecordChange.objects.filter(record_type="enrolment").count() == 4
    # The mentor's caseload shows and filters the group.
    client.force_login(mentor)
    rows = client.get(reverse("caseload:mine"), {"groep": "E1A"}).context["rows"]
    assert len(rows) == 4


def open_signal(student, kind="dropout"):
    signal = Signal.objects.create(
        student=student,
        kind=kind,
        assignee="school",
        organisation=school(),
        due_date=factory_today() - timedelta(days=3),
        opened_at=timezone.now(),
    )
    SignalEvent.objects.create(signal=signal, action="opened", at=timezone.now())
    return signal


@pytest.mark.parametrize(("action", "status"), [("resolve", "resolved"), ("dismiss", "dismissed")])
def test_coordinator_closes_signals_with_one_reason(client, coordinator, action, status):
    signals = [open_signal(enrolled()) for _ in range(3)]
    client.force_login(coordinator)
    url = confirm_url(select(client, action, [s.pk for s in signals], "caseload:bulk_signals"))
    page = client.get(url)
    assert page.context["count"] == 3
    # One reason is required, as for a single dismissal.
    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "Besproken in het team"}).status_code == 302
    assert set(Signal.objects.values_list("status", flat=True)) == {status}
    assert SignalEvent.objects.filter(action=status, actor=coordinator).count() == 3


def test_a_signal_of_another_organisation_refuses_the_selection(client, coordinator, leerplicht):
    mine = open_signal(enrolled())
    theirs = Signal.objects.create(
        student=enrolled(),
        kind="dropout",
        assignee="leerplicht",
        organisation=leerplicht.active_membership.organisation,
        due_date=factory_today(),
        opened_at=timezone.now(),
    )
    client.force_login(coordinator)
    response = select(client, "resolve", [mine.pk, theirs.pk], "caseload:bulk_signals")
    assert response.status_code == 404
    assert Signal.objects.filter(status="open").count() == 2


def test_a_signal_changed_meanwhile_refuses_everything(client, coordinator):
    signals = [open_signal(enrolled()) for _ in range(2)]
    client.force_login(coordinator)
    url = confirm_url(select(client, "dismiss", [s.pk for s in signals], "caseload:bulk_signals"))
    SignalEvent.objects.create(signal=signals[1], action="assignee_changed", at=timezone.now())
    assert client.post(url, {"reason": "Geen zorg"}).status_code == 302
    assert Signal.objects.filter(status="open").count() == 2


@pytest.mark.parametrize("count", [1, 50])
def test_confirmation_query_count_does_not_grow(
    client, coordinator, mentor, django_assert_num_queries, count
):
    students = [enrolled(mentor) for _ in range(count)]
    client.force_login(coordinator)
    url = confirm_url(select(client, "mentor", students))
    # Session, the user with their memberships; the scope check; the records; the mentors of the form;
    # the access log.
    with django_assert_num_queries(6):
        client.get(url)


@pytest.mark.parametrize("count", [1, 50])
def test_apply_query_count_does_not_grow(
    client, coordinator, mentor, other_mentor, django_assert_num_queries, count
):
    students = [enrolled(mentor) for _ in range(count)]
    client.force_login(coordinator)
    url = confirm_url(select(client, "mentor", students))
    # Session, the user with their memberships; the scope check; the records; the mentors; the savepoint,
    # the mentor check, the locked rows, the old mentors, one UPDATE, one INSERT of the
    # history, release; the session saved.
    with django_assert_num_queries(15):
        client.post(url, {"mentor": str(other_mentor.pk)})
    assert Student.objects.filter(mentor=other_mentor).count() == count
