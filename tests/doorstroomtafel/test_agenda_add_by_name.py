"""The agenda's "add a student" finds a student by name as well as by number (issue 15),
within the same rule as before: students the preparer may see, in the table's scope."""

import pytest
from django.urls import reverse

from doorstroomtafel.models import AgendaItem

from .conftest import make_student

pytestmark = pytest.mark.django_db


def post_add(client, meeting, text, reason="Zorgen over verzuim"):
    return client.post(
        reverse("doorstroomtafel:item_add", args=[meeting.public_id]),
        {"student_number": text, "reason": reason},
    )


def test_a_name_without_accents_adds_the_one_student_it_matches(client, meeting, leerplicht, today):
    sahin = make_student(today=today, age=17, first_name="Elif", last_name="Şahin")
    client.force_login(leerplicht)
    response = post_add(client, meeting, "elif sahin")
    assert response.status_code == 302
    item = AgendaItem.objects.get(meeting=meeting)
    assert (item.student, item.origin) == (sahin, "manual")


def test_a_student_number_still_works(client, meeting, leerplicht, today):
    student = make_student(today=today, age=17, last_name="Visser")
    client.force_login(leerplicht)
    assert post_add(client, meeting, student.student_number).status_code == 302
    assert AgendaItem.objects.get(meeting=meeting).student == student


def test_several_matches_are_offered_to_choose_from(client, meeting, leerplicht, today):
    first = make_student(today=today, age=17, first_name="Anna", last_name="de Jong")
    second = make_student(today=today, age=17, first_name="Bram", last_name="Jong")
    client.force_login(leerplicht)
    response = post_add(client, meeting, "jong")
    assert response.status_code == 200
    assert not AgendaItem.objects.filter(meeting=meeting).exists()
    assert set(response.context["add_matches"]) == {first, second}
    html = response.content.decode()
    assert f'value="{first.student_number}"' in html
    assert 'value="Zorgen over verzuim"' in html


def test_a_name_outside_the_tables_scope_is_not_found(client, meeting, leerplicht, today):
    make_student(today=today, age=17, town="Den Helder", first_name="Noa", last_name="Buiten")
    client.force_login(leerplicht)
    assert post_add(client, meeting, "buiten").status_code == 404
    assert not AgendaItem.objects.filter(meeting=meeting).exists()
