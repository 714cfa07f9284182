"""A school's name search, scope first (issue 16): Student.institution_ids follows every
change of a student's enrolments through the writer of the derived columns
(students.services.student_refresh_startkwalificatie), and on PostgreSQL the
coordinator's search reads the school and the name's trigrams from one index
(student_school_search), without a sequential scan of students."""

import pytest
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Concat
from django.urls import reverse

from students.models import Enrolment, Student
from students.queries import school_search_q
from students.services import student_refresh_startkwalificatie
from tests.factories import EnrolmentFactory, StudentFactory, school

pytestmark = pytest.mark.django_db


def stored(student):
    return Student.objects.values_list("institution_ids", flat=True).get(pk=student.pk)


def ids(value):
    # SQLite hands back the JSON text the writer made; PostgreSQL a list.
    import json

    return json.loads(value) if isinstance(value, str) else value


def test_the_institutions_follow_the_enrolments():
    horizon, clusius = school("Horizon College"), school("Clusius College")
    student = StudentFactory()
    assert not ids(stored(student))
    first = EnrolmentFactory(student=student, institution=clusius)
    assert ids(stored(student)) == [clusius.pk]
    second = EnrolmentFactory(student=student, institution=horizon, programme="Other")
    assert ids(stored(student)) == sorted([horizon.pk, clusius.pk])
    first.delete()
    assert ids(stored(student)) == [horizon.pk]
    second.institution = clusius
    second.save()
    assert ids(stored(student)) == [clusius.pk]
    # A save of a student loaded before keeps what the writer wrote.
    loaded = Student.objects.get(pk=student.pk)
    Enrolment.objects.filter(pk=second.pk).delete()
    EnrolmentFactory(student=student, institution=horizon)
    loaded.first_name = "Anders"
    loaded.save()
    assert ids(stored(student)) == [horizon.pk]


def test_bulk_writers_refresh_them_by_range_and_by_ids():
    horizon = school("Horizon College")
    students = [StudentFactory() for _ in range(3)]
    Enrolment.objects.bulk_create(
        [EnrolmentFactory.build(student=s, institution=horizon) for s in students]
    )  # no post_save: the bulk writer calls the service
    Student.objects.update(institution_ids=None)
    student_refresh_startkwalificatie(student_ids=[students[0].pk])
    assert ids(stored(students[0])) == [horizon.pk]
    assert stored(students[1]) is None
    first, last = min(s.pk for s in students), max(s.pk for s in students)
    student_refresh_startkwalificatie(student_ids=range(first, last + 1))
    assert all(ids(stored(s)) == [horizon.pk] for s in students)


def test_the_coordinators_search_finds_the_schools_students_only(client, coordinator):
    horizon, clusius = school("Horizon College"), school("Clusius College")
    here = EnrolmentFactory(student=StudentFactory(last_name="Jansen"), institution=horizon)
    EnrolmentFactory(student=StudentFactory(last_name="Jansen"), institution=clusius)
    # Once at the school, now elsewhere: still in the coordinator's scope.
    moved = StudentFactory(last_name="Jansen")
    EnrolmentFactory(student=moved, institution=horizon, programme="Eerder")
    EnrolmentFactory(student=moved, institution=clusius)
    client.force_login(coordinator)
    page = client.get(reverse("students:list"), {"q": "jansen"}).content.decode()
    found = {s.public_id for s in Student.objects.all() if s.public_id in page}
    assert found == {here.student.public_id, moved.public_id}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="plans are PostgreSQL's")
def test_the_coordinators_search_reads_school_and_name_from_one_index(coordinator):
    horizon, clusius = school("Horizon College"), school("Clusius College")
    # Many Jansens in the country, a few at the coordinator's school (as at 500,000).
    students = Student.objects.bulk_create(
        [StudentFactory.build(last_name="Jansen" if n % 4 else "Bakker") for n in range(400)]
    )
    students = list(Student.objects.order_by("pk"))
    Enrolment.objects.bulk_create(
        [
            EnrolmentFactory.build(student=s, institution=horizon if n % 20 == 0 else clusius)
            for n, s in enumerate(students)
        ]
    )
    student_refresh_startkwalificatie(student_ids=[s.pk for s in students])
    # As the list asks for a search's first page (students.views._name_order).
    search = (
        Student.objects.visible_to(coordinator)
        .search("jansen")
        .filter(school_search_q(coordinator, "jansen"))
        .order_by(Concat("sort_name", Value("")), "id")[:26]
    )
    # The narrowing alone: what the index must serve (on a test database this small the
    # planner may drive the whole search from the school's enrolments instead).
    narrowed = Student.objects.search("jansen").filter(school_search_q(coordinator, "jansen"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE students_student")
        cursor.execute("ANALYZE students_enrolment")
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = search.explain()
        # Without a walk of the primary key, the index holding both conditions serves.
        cursor.execute("SET LOCAL enable_indexscan = off")
        narrowed_plan = narrowed.explain()
    assert "Seq Scan on students_student" not in plan, plan
    assert "institution_ids" in plan, plan
    # An index serves the narrowing: student_school_search (both conditions) at scale; on
    # a test database this small the planner may take the name's trigram index and filter
    # on the institutions, which is no scan of the students either.
    assert "Seq Scan on students_student" not in narrowed_plan, narrowed_plan
    assert "institution_ids" in narrowed_plan, narrowed_plan
    assert "student_school_search" in narrowed_plan or "student_search" in narrowed_plan, (
        narrowed_plan
    )


def test_other_roles_and_short_words_are_not_narrowed(mentor, coordinator, leerplicht):
    assert school_search_q(mentor, "jansen") == school_search_q(leerplicht, "jansen")
    assert not school_search_q(leerplicht, "jansen")
    assert not school_search_q(coordinator, "ja")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the narrowing is PostgreSQL's")
def test_the_scope_decides_what_a_narrowed_search_shows(client, coordinator):
    """The page's ids come from the row's list of schools; its rows are read through the
    scope, so a list that says "Horizon" of a student not enrolled there shows nothing."""
    horizon, clusius = school("Horizon College"), school("Clusius College")
    here = EnrolmentFactory(student=StudentFactory(last_name="Jansen"), institution=horizon)
    elsewhere = EnrolmentFactory(student=StudentFactory(last_name="Jansen"), institution=clusius)
    Student.objects.filter(pk=elsewhere.student_id).update(institution_ids=[horizon.pk])
    client.force_login(coordinator)
    response = client.get(reverse("students:list"), {"q": "jansen"})
    page = response.content.decode()
    assert here.student.public_id in page
    assert elsewhere.student.public_id not in page
    # Nor in the count: a page the scope shortened is counted through the scope.
    assert response.context["page"].total == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the narrowing is PostgreSQL's")
def test_a_narrowed_search_pages_forward_and_back(client, coordinator, settings):
    settings.KOERS_PAGE_SIZE = 3
    horizon = school("Horizon College")
    names = [f"Jansen {letter}" for letter in "abcdefg"]
    for name in names:
        EnrolmentFactory(
            student=StudentFactory(last_name=name, first_name="Kim"), institution=horizon
        )
    client.force_login(coordinator)

    def shown(response):
        html = response.content.decode()
        return [name for name in names if f"{name}, Kim" in html]

    first = client.get(reverse("students:list"), {"q": "jansen"})
    assert shown(first) == names[:3]
    assert first.context["page"].total == 7
    second = client.get(reverse("students:list") + first.context["next_url"])
    assert shown(second) == names[3:6]
    back = client.get(reverse("students:list") + second.context["previous_url"])
    assert shown(back) == names[:3]
