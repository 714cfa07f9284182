"""The student file's write services: history with old values, optimistic locking, and
the access log."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from students.models import AccessLog, RecordChange
from students.services import (
    ConcurrentEditError,
    access_log,
    enrolment_update,
    student_assign_mentor,
    student_update,
)
from tests.factories import EnrolmentFactory, StudentFactory, make_user, school

pytestmark = pytest.mark.django_db


def test_student_update_saves_bumps_the_version_and_keeps_the_old_values(coordinator):
    student = StudentFactory(email="oud@example.test", phone="0612345678")
    student, changes = student_update(
        student=student,
        expected_version=1,
        data={"email": "nieuw@example.test", "phone": "0612345678"},
        actor=coordinator,
    )
    assert student.email == "nieuw@example.test"
    assert student.version == 2
    assert changes == {"email": {"old": "oud@example.test", "new": "nieuw@example.test"}}
    change = RecordChange.objects.get()
    assert (change.student, change.actor, change.action, change.source) == (
        student,
        coordinator,
        "update",
        "web",
    )
    assert change.record_type == "student"
    assert change.record_id == student.pk
    assert change.changes == changes


def test_an_update_that_changes_nothing_writes_nothing(coordinator):
    student = StudentFactory(email="zelfde@example.test")
    _student, changes = student_update(
        student=student,
        expected_version=1,
        data={"email": "zelfde@example.test"},
        actor=coordinator,
    )
    assert changes == {}
    student.refresh_from_db()
    assert student.version == 1
    assert not RecordChange.objects.exists()


def test_a_stale_version_raises_with_the_current_record_and_overwrites_nothing(coordinator, mentor):
    student = StudentFactory(email="oud@example.test")
    stale = type(student).objects.get(pk=student.pk)
    student_update(
        student=student, expected_version=1, data={"email": "eerst@example.test"}, actor=mentor
    )
    with pytest.raises(ConcurrentEditError) as error:
        student_update(
            student=stale,
            expected_version=1,
            data={"email": "later@example.test"},
            actor=coordinator,
        )
    assert error.value.current.email == "eerst@example.test"
    assert error.value.current.version == 2
    student.refresh_from_db()
    assert student.email == "eerst@example.test"
    assert RecordChange.objects.count() == 1


def test_a_bsn_change_is_recorded_without_the_number(coordinator):
    student = StudentFactory(bsn="")
    student_update(
        student=student, expected_version=1, data={"bsn": "123456782"}, actor=coordinator
    )
    change = RecordChange.objects.get()
    assert change.changes == {"bsn": {"old": "", "new": "•"}}
    assert "123456782" not in str(change.changes)


def test_dates_are_kept_in_the_history_as_iso_text(coordinator):
    student = StudentFactory(date_of_birth=date(2009, 5, 1))
    student_update(
        student=student,
        expected_version=1,
        data={"date_of_birth": date(2009, 6, 1)},
        actor=coordinator,
    )
    assert RecordChange.objects.get().changes["date_of_birth"] == {
        "old": "2009-05-01",
        "new": "2009-06-01",
    }


def test_assign_mentor_records_the_previous_mentor(coordinator, mentor, other_mentor):
    student = StudentFactory(mentor=mentor)
    student, changes = student_assign_mentor(
        student=student, expected_version=1, mentor=other_mentor, actor=coordinator
    )
    assert student.mentor == other_mentor
    assert changes == {"mentor": {"old": str(mentor), "new": str(other_mentor)}}


def test_assign_mentor_refuses_someone_who_is_not_a_mentor(coordinator, leerplicht):
    student = StudentFactory()
    with pytest.raises(ValidationError):
        student_assign_mentor(
            student=student, expected_version=1, mentor=leerplicht, actor=coordinator
        )
    student.refresh_from_db()
    assert student.mentor is None


def test_assign_no_mentor_clears_it(coordinator, mentor):
    student = StudentFactory(mentor=mentor)
    student, _changes = student_assign_mentor(
        student=student, expected_version=1, mentor=None, actor=coordinator
    )
    assert student.mentor is None


def test_enrolment_update_keeps_the_history_on_the_students_file(coordinator):
    enrolment = EnrolmentFactory(location="Alkmaar")
    enrolment_update(
        enrolment=enrolment, expected_version=1, data={"location": "Hoorn"}, actor=coordinator
    )
    change = RecordChange.objects.get()
    assert change.student_id == enrolment.student_id
    assert change.record_type == "enrolment"
    assert change.changes == {"location": {"old": "Alkmaar", "new": "Hoorn"}}
    with pytest.raises(ConcurrentEditError):
        enrolment_update(
            enrolment=enrolment,
            expected_version=1,
            data={"location": "Purmerend"},
            actor=coordinator,
        )


def test_access_log_records_who_in_which_role_and_organisation(coordinator):
    students = [StudentFactory(), StudentFactory()]
    row = access_log(user=coordinator, action=AccessLog.Action.LIST_STUDENTS, students=students)
    assert row.user == coordinator
    assert row.role == "school_coordinator"
    assert row.organisation == school()
    assert row.student_ids == [s.pk for s in students]
    assert row.at is not None


def test_access_log_records_the_active_membership_of_a_person_with_two_roles():
    user = make_user("twee@koers.test", "school_coordinator", "Horizon College")
    make_user("twee@koers.test", "leerplicht", "Leerplicht Haaglanden")
    second = user.memberships.get(role="leerplicht")
    user.set_active_membership(second.pk)
    row = access_log(user=user, action=AccessLog.Action.VIEW_STUDENT, student=StudentFactory())
    assert row.role == "leerplicht"
    assert row.organisation.name == "Leerplicht Haaglanden"


def test_a_versioned_update_moves_updated_at(coordinator):
    from datetime import timedelta

    from students.models import Student
    from students.services import student_update

    from ..factories import StudentFactory

    student = StudentFactory()
    Student.objects.filter(pk=student.pk).update(updated_at=student.updated_at - timedelta(days=1))
    student.refresh_from_db()
    before = student.updated_at
    student_update(
        student=student, expected_version=student.version, data={"phone": "06 1"}, actor=coordinator
    )
    student.refresh_from_db()
    assert student.updated_at > before
