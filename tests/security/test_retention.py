import io
from datetime import date

from django.core.management import call_command

from monitoring.models import MonitoringStatus
from students.models import RecordChange, Student
from students.retention import apply_retention, due_students
from tests.factories import StudentFactory

TODAY = date(2029, 6, 1)  # cutoff 2027-06-01; upper age 27 then: born by 2000-06-01


def seeded(db):
    make = {
        "old": StudentFactory(date_of_birth=date(1995, 1, 1)),
        "just_old": StudentFactory(date_of_birth=date(2000, 6, 1)),
        "just_young": StudentFactory(date_of_birth=date(2000, 6, 2)),
        "young": StudentFactory(date_of_birth=date(2010, 1, 1)),
        "ended_long_ago": StudentFactory(date_of_birth=date(2008, 1, 1)),
        "ended_recently": StudentFactory(date_of_birth=date(2008, 1, 1)),
        "in_monitoring": StudentFactory(date_of_birth=date(1990, 1, 1)),
    }
    for key, changed_on, ended in (
        ("ended_long_ago", date(2027, 6, 1), True),
        ("ended_recently", date(2027, 6, 2), True),
        ("in_monitoring", date(2020, 1, 1), False),
    ):
        MonitoringStatus.objects.create(
            student=make[key], changed_on=changed_on, monitoring_ended=ended
        )
    for student in make.values():
        RecordChange.objects.create(
            student=student, record_type="student", record_id=student.pk, action="update"
        )
    return make


def test_retention_removes_exactly_the_due_students_and_a_second_run_nothing(db):
    students = seeded(db)
    due = {"old", "just_old", "ended_long_ago"}
    dry = apply_retention(today=TODAY, dry_run=True)
    assert {item.student_id for item in dry} == {students[key].pk for key in due}
    assert not Student.objects.filter(student_number__startswith="verwijderd-").exists()

    done = apply_retention(today=TODAY)
    assert len(done) == 3
    for key, student in students.items():
        fresh = Student.objects.get(pk=student.pk)
        if key in due:
            assert fresh.first_name == fresh.last_name == fresh.bsn == fresh.email == ""
            assert fresh.date_of_birth == date(student.date_of_birth.year, 7, 1)
            assert not RecordChange.objects.filter(student=student).exists()
        else:
            assert fresh.last_name == student.last_name, key
            assert RecordChange.objects.filter(student=student).exists(), key
    # Aggregate figures keep their rows: the student count per birth year is unchanged.
    assert Student.objects.count() == 7
    assert apply_retention(today=TODAY) == []
    assert due_students(today=TODAY) == []


def test_the_dry_run_command_lists_public_ids_only(db):
    students = seeded(db)
    out = io.StringIO()
    call_command("retention", "--dry-run", "--today", TODAY.isoformat(), stdout=out)
    text = out.getvalue()
    assert students["old"].public_id in text
    assert students["old"].last_name not in text
    assert "3 student(s) would be pseudonymised" in text
    assert Student.objects.get(pk=students["old"].pk).last_name == students["old"].last_name


def test_on_29_february_the_period_ends_on_28_february(db):
    # 2032-02-29 minus 2 years is 2030-02-28; the upper age (27) from there: 2003-02-28.
    leap_day = date(2032, 2, 29)
    born_by = StudentFactory(date_of_birth=date(2003, 2, 28))
    StudentFactory(date_of_birth=date(2003, 3, 1))  # a day too young
    ended_by, ended_after = StudentFactory(), StudentFactory()
    MonitoringStatus.objects.create(
        student=ended_by, changed_on=date(2030, 2, 28), monitoring_ended=True
    )
    MonitoringStatus.objects.create(
        student=ended_after, changed_on=date(2030, 3, 1), monitoring_ended=True
    )
    due = {item.student_id for item in due_students(today=leap_day)}
    assert due == {born_by.pk, ended_by.pk}
