"""The stored startkwalificatie date (issue 16): Student.startkwalificatie_on follows every
change of a student's enrolments and qualifications through its one writer
(students.services.student_refresh_startkwalificatie), and the Doorstroompunt's scope
reads it. On PostgreSQL: the scoped lists are planned without a sequential scan of
students."""

from datetime import date, timedelta

import pytest
from django.db import connection

from students.dates import latest_birth_date_for_age
from students.models import Student
from students.queries import startkwalificatie_q
from students.services import enrolment_update, student_refresh_startkwalificatie
from tests.factories import (
    EnrolmentFactory,
    QualificationFactory,
    StudentFactory,
    factory_today,
    municipality,
)

pytestmark = pytest.mark.django_db

DIPLOMA = date(2025, 7, 1)


def stored(student):
    return Student.objects.values_list("startkwalificatie_on", flat=True).get(pk=student.pk)


def adult(**extra):
    """20 years old, living in the Doorstroompunt's region (Noord-Holland Noord)."""
    born = latest_birth_date_for_age(20, factory_today()) - timedelta(days=10)
    return StudentFactory(municipality=municipality("Hoorn"), date_of_birth=born, **extra)


def test_a_qualification_that_counts_sets_the_date_and_its_removal_clears_it():
    student = adult()
    assert stored(student) is None
    QualificationFactory(student=student, type="vmbo", level=None, date=DIPLOMA)
    assert stored(student) is None  # a vmbo diploma is no startkwalificatie
    havo = QualificationFactory(student=student, type="havo", level=None, date=DIPLOMA)
    assert stored(student) == DIPLOMA
    earlier = QualificationFactory(student=student, type="mbo", level=2, date=date(2024, 7, 1))
    assert stored(student) == date(2024, 7, 1)  # the earliest one counts
    earlier.delete()
    havo.delete()
    assert stored(student) is None


def test_an_mbo_2_diploma_enrolment_sets_the_date_and_a_correction_moves_it(coordinator):
    student = adult()
    entree = EnrolmentFactory(
        student=student, level="entree", start_date=date(2024, 8, 1), end_date=DIPLOMA,
        end_reason="diploma",
    )  # fmt: skip
    assert stored(student) is None  # Entree is no startkwalificatie
    mbo = EnrolmentFactory(student=student, level="2", start_date=date(2023, 8, 1))
    assert stored(student) is None
    enrolment_update(
        enrolment=mbo, expected_version=mbo.version, actor=coordinator,
        data={"end_date": DIPLOMA, "end_reason": "diploma"},
    )  # fmt: skip
    assert stored(student) == DIPLOMA
    mbo.refresh_from_db()
    enrolment_update(
        enrolment=mbo, expected_version=mbo.version, actor=coordinator,
        data={"end_reason": "dropout"},
    )  # fmt: skip
    assert stored(student) is None
    assert entree.pk


def test_saving_a_student_loaded_before_the_diploma_keeps_the_date():
    student = adult()
    QualificationFactory(student=student, type="vwo", level=None, date=DIPLOMA)
    student.phone = "06 11111111"  # this instance still holds no date
    student.save()
    assert stored(student) == DIPLOMA


def test_the_writer_repairs_a_date_written_around_it_and_agrees_with_the_rule():
    students = [adult() for _ in range(3)]
    QualificationFactory(student=students[0], type="havo", level=None, date=DIPLOMA)
    QualificationFactory(student=students[1], type="mbo", level=3, date=factory_today())
    Student.objects.update(startkwalificatie_on=date(2000, 1, 1))  # a bulk write around it
    assert student_refresh_startkwalificatie() == 3
    assert student_refresh_startkwalificatie() == 0  # nothing left to change
    for day in (DIPLOMA - timedelta(days=1), DIPLOMA, factory_today()):
        by_rule = set(Student.objects.filter(startkwalificatie_q(day)).values_list("pk", flat=True))
        by_date = set(
            Student.objects.filter(startkwalificatie_on__lte=day).values_list("pk", flat=True)
        )
        assert by_rule == by_date


def test_the_doorstroompunt_sees_adults_without_a_startkwalificatie_today(dsp):
    without = adult()
    with_one = adult()
    QualificationFactory(student=with_one, type="havo", level=None, date=DIPLOMA)
    later = adult()  # a diploma dated after today: still in the target group today
    QualificationFactory(
        student=later, type="mbo", level=2, date=factory_today() + timedelta(days=30)
    )
    visible = set(Student.objects.visible_to(dsp, today=factory_today()))
    assert without in visible
    assert later in visible
    assert with_one not in visible


# --- PostgreSQL: the plans of the scoped lists ------------------------------------------


def _plan(queryset):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE students_student")
        cursor.execute("ANALYZE students_enrolment")
        # A test database is tiny: without this every plan is a sequential scan. With it,
        # a sequential scan is still chosen when no index can serve the query.
        cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()


def _list_page(user):
    # As the student list asks for its first page (students.views, students.paging).
    return Student.objects.visible_to(user, today=factory_today()).order_by("sort_name", "id")[:26]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="plans are PostgreSQL's")
@pytest.mark.parametrize("persona", ["dsp", "leerplicht", "coordinator", "mentor"])
def test_the_scoped_list_is_planned_without_a_sequential_scan_of_students(request, persona):
    user = request.getfixturevalue(persona)
    for _ in range(20):
        student = adult()
        EnrolmentFactory(student=student)
    plan = _plan(_list_page(user))
    assert "Seq Scan on students_student" not in plan, plan
    assert "students_qualification" not in plan, plan  # no scan of every diploma


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="plans are PostgreSQL's")
def test_the_doorstroompunt_scope_reads_no_enrolments_or_qualifications(dsp):
    """Before issue 16 the scope was hashed subplans over every enrolment and
    qualification, per request; now a filter on the student row."""
    for _ in range(20):
        QualificationFactory(student=adult(), type="havo", level=None, date=DIPLOMA)
    plan = _plan(Student.objects.visible_to(dsp, today=factory_today()).order_by()[:1001])
    assert "startkwalificatie_on" in plan, plan
    assert "students_enrolment" not in plan, plan
    assert "students_qualification" not in plan, plan
