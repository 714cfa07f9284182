"""Lost updates on the student's page (issue 13): every edit form of the students app
carries the version the user read; a stale save is refused side by side, and a tampered
version is a form error, never a server error."""

import pytest

from students.models import Student
from students.validators import MAX_VERSION as VERSION_MAX
from tests.factories import EnrolmentFactory, StudentFactory, make_user

pytestmark = pytest.mark.django_db

CONFLICT = "iemand anders heeft dit dossier intussen gewijzigd"


@pytest.fixture
def student(mentor):
    student = StudentFactory(mentor=mentor, email="noor@example.test")
    EnrolmentFactory(student=student)
    return student


def url(student):
    return f"/students/{student.public_id}/"


def post_contact(client, student, version, email="nieuw@example.test"):
    return client.post(
        url(student),
        {
            "action": "contact",
            "contact-email": email,
            "contact-phone": "",
            "contact-version": version,
        },
    )


def post_mentor(client, student, version, mentor):
    return client.post(
        url(student), {"action": "mentor", "mentor-mentor": mentor.pk, "mentor-version": version}
    )


def test_every_edit_form_carries_a_hidden_version(client, coordinator, student):
    client.force_login(coordinator)
    html = client.get(url(student)).content.decode()
    assert 'type="hidden" name="contact-version" value="1"' in html
    # The mentor form loads when opened (issue 16), with the version it read.
    mentor_form = client.get(url(student), {"deel": "mentor"}, HTTP_HX_REQUEST="true")
    assert 'type="hidden" name="mentor-version" value="1"' in mentor_form.content.decode()


def test_stale_contact_save_is_refused_side_by_side(client, mentor, student):
    Student.objects.filter(pk=student.pk).update(email="ander@example.test", version=2)
    client.force_login(mentor)
    response = post_contact(client, student, 1)
    assert response.status_code == 409
    html = response.content.decode()
    assert CONFLICT in html
    assert "nieuw@example.test" in html
    assert "ander@example.test" in html
    student.refresh_from_db()
    assert (student.email, student.version) == ("ander@example.test", 2)


def test_stale_mentor_assignment_is_refused_side_by_side(
    client, coordinator, mentor, other_mentor, student
):
    third = make_user("mentor3@horizon.test", "mentor", "Horizon College", first_name="Derde")
    Student.objects.filter(pk=student.pk).update(mentor=third, version=2)
    client.force_login(coordinator)
    response = post_mentor(client, student, 1, other_mentor)
    assert response.status_code == 409
    html = response.content.decode()
    assert CONFLICT in html
    assert "Derde" in html
    student.refresh_from_db()
    assert (student.mentor, student.version) == (third, 2)


@pytest.mark.parametrize("version", [str(VERSION_MAX + 1), "99999999999", "-1", "0", "x"])
def test_tampered_contact_version_is_a_form_error(client, mentor, student, version):
    client.force_login(mentor)
    response = post_contact(client, student, version)
    assert response.status_code == 200
    assert response.context["contact_form"].errors["version"]
    student.refresh_from_db()
    assert (student.email, student.version) == ("noor@example.test", 1)


@pytest.mark.parametrize("version", [str(VERSION_MAX + 1), "99999999999", "-1", "0", "x"])
def test_tampered_mentor_version_is_a_form_error(
    client, coordinator, mentor, other_mentor, student, version
):
    client.force_login(coordinator)
    response = post_mentor(client, student, version, other_mentor)
    assert response.status_code == 200
    assert response.context["mentor_form"].errors["version"]
    student.refresh_from_db()
    assert (student.mentor, student.version) == (mentor, 1)


def test_assigning_a_mentor_clears_an_address_waiting_for_an_account(
    client, coordinator, other_mentor, student
):
    Student.objects.filter(pk=student.pk).update(pending_mentor_email="later@horizon.test")
    client.force_login(coordinator)
    assert post_mentor(client, student, 1, other_mentor).status_code == 302
    student.refresh_from_db()
    assert (student.mentor, student.pending_mentor_email) == (other_mentor, "")
