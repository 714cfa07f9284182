"""The student list's rows built in Python (students.rows.with_list_rows) read as the
template's did: escaped, the sorted name, date and age, enrolments, mentor."""

from datetime import date

import pytest

from students.rows import with_list_rows
from tests.factories import EnrolmentFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db


def listed(student, **flags):
    student.age = 17
    student.current_enrolments = list(student.enrolments.select_related("institution"))
    (row,) = with_list_rows([student], **({"shared_only": False, "bulk": False} | flags))
    return row.row_html


def test_a_row_shows_name_number_birth_date_enrolment_and_mentor_escaped():
    mentor = UserFactory(first_name="Mo", last_name="<i>Ali</i>")
    student = StudentFactory(
        first_name="<b>Jan</b>", last_name="de Boer", student_number="777001",
        date_of_birth=date(2009, 3, 4), mentor=mentor,
    )  # fmt: skip
    EnrolmentFactory(student=student, programme="Entree <Zorg>", location="")
    html = listed(student)
    assert "Boer, &lt;b&gt;Jan&lt;/b&gt; de" in html
    assert f'href="/students/{student.public_id}/"' in html
    assert "<td>777001</td>" in html
    assert "<td>04-03-2009 (17 jaar)</td>" in html
    assert "<td>Alkmaar</td>" in html
    assert ": Entree &lt;Zorg&gt; <span" in html
    assert "Mo &lt;i&gt;Ali&lt;/i&gt;" in html
    assert "<b>" not in html
    assert "<i>" not in html


def test_without_enrolment_or_mentor_the_row_says_so():
    html = listed(StudentFactory(mentor=None))
    assert "Niet ingeschreven" in html
    assert "Geen mentor" in html


def test_a_partner_sees_the_name_only_and_bulk_adds_a_checkbox():
    student = StudentFactory()
    assert listed(student, shared_only=True).count("<td>") == 0
    html = listed(student, bulk=True)
    assert f'value="{student.public_id}" form="bulk-students"' in html
    assert 'type="checkbox"' not in listed(student)
