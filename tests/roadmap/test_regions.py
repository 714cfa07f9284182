"""Each region's own route parts (issue 15; ROADMAP.md top): "Route naar succes", the
Jongeren Startpunt and the transfer system are Noord-Holland Noord's, a setting per
region; a Haaglanden student gets the "Entree-route" without them, not shown as missing."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.factories import EnrolmentFactory, StudentFactory, make_user, municipality, school

pytestmark = pytest.mark.django_db


@pytest.fixture
def mondriaan_mentor(db):
    return make_user("mentor@mondriaan.test", "mentor", "ROC Mondriaan")


def entree_student(mentor, today, *, institution, town):
    student = StudentFactory(mentor=mentor, municipality=municipality(town))
    enrolment = EnrolmentFactory(
        student=student,
        institution=school(institution),
        location=town,
        start_date=today - timedelta(weeks=20),
        planned_end_date=today + timedelta(weeks=30),
    )
    return student, enrolment


def test_noord_holland_noord_student_gets_route_naar_succes_and_startpunt(client, mentor, today):
    student, _enrolment = entree_student(
        mentor, today, institution="Horizon College", town="Alkmaar"
    )
    client.force_login(mentor)
    html = client.get(reverse("students:detail", args=[student.public_id])).content.decode()
    assert "Route naar succes" in html
    assert "Jongeren Startpunt" in html
    assert "Check-In en Doorstroompunt" in html


def test_haaglanden_student_gets_the_entree_route_without_the_regional_parts(
    client, mondriaan_mentor, today
):
    student, enrolment = entree_student(
        mondriaan_mentor, today, institution="ROC Mondriaan", town="Delft"
    )
    client.force_login(mondriaan_mentor)
    html = client.get(reverse("students:detail", args=[student.public_id])).content.decode()
    assert "Entree-route" in html
    assert "Route naar succes" not in html
    assert "Jongeren Startpunt" not in html
    assert "geen; taak bij Doorstroompunt of W&amp;I" not in html
    # The step forms leave the regional fields out rather than asking for them.
    for kind, field in (("perspective", "startpunt_involved"), ("start", "transfer_system_loaded")):
        form = client.get(
            reverse("roadmap:step", args=[student.public_id, enrolment.pk, kind])
        ).context["form"]
        assert field not in form.fields
    page = client.get(reverse("roadmap:route", args=[student.public_id])).content.decode()
    assert "Route naar succes" not in page


def test_the_region_setting_turns_the_parts_on_for_another_region(
    client, mondriaan_mentor, today, settings
):
    settings.KOERS_REGIONAL_ROUTE_REGIONS = ["Haaglanden"]
    student, enrolment = entree_student(
        mondriaan_mentor, today, institution="ROC Mondriaan", town="Delft"
    )
    client.force_login(mondriaan_mentor)
    html = client.get(reverse("students:detail", args=[student.public_id])).content.decode()
    assert "Route naar succes" in html
    form = client.get(
        reverse("roadmap:step", args=[student.public_id, enrolment.pk, "perspective"])
    ).context["form"]
    assert "startpunt_involved" in form.fields


def test_mentor_start_page_names_the_route_of_their_region(client, mondriaan_mentor, today):
    entree_student(mondriaan_mentor, today, institution="ROC Mondriaan", town="Delft")
    client.force_login(mondriaan_mentor)
    html = client.get("/").content.decode()
    assert "Mijn studenten op de Entree-route" in html
    assert "Route naar succes" not in html
