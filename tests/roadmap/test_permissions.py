"""Who reads and who writes the route (ACCESS.md, ROADMAP.md): a 404 for everything a
role may not see, ABA only for the school's mentor and coordinator, every ABA view logged."""

from datetime import timedelta

import pytest
from django.urls import reverse

from roadmap.models import ContactMoment, StudyAdviceStep
from roadmap.services import step_log
from students.models import AccessLog
from tests.factories import EnrolmentFactory, school

from .helpers import valid_data

ABA_NOTE = "ABA-gesprek met moeder, gevoelig"

READERS_OF_MINOR = {"mentor", "coordinator", "leerplicht"}
ALL_ROLES = [
    "mentor",
    "other_mentor",
    "coordinator",
    "clusius_coordinator",
    "mondriaan_coordinator",
    "leerplicht",
    "leerplicht_haaglanden",
    "dsp",
    "startpunt",
    "wi",
    "regio",
    "functional_admin",
]
WRITERS = {"mentor", "coordinator"}


@pytest.fixture
def with_steps(mentor, enrolment, today):
    for kind in ("start", "study-advice", "aba"):
        data = valid_data(kind, enrolment, today)
        if kind == "aba":
            data["note"] = ABA_NOTE
        step_log(enrolment=enrolment, kind=kind, data=data, actor=mentor, today=today)
    return enrolment


def urls(student, enrolment):
    public_id = student.public_id
    return {
        "route": reverse("roadmap:route", args=[public_id]),
        "history": reverse("roadmap:step_history", args=[public_id, enrolment.pk, "study-advice"]),
        "contacts": reverse("roadmap:contacts", args=[public_id]),
        "step": reverse("roadmap:step", args=[public_id, enrolment.pk, "study-advice"]),
        "aba": reverse("roadmap:step", args=[public_id, enrolment.pk, "aba"]),
        "aba_history": reverse("roadmap:step_history", args=[public_id, enrolment.pk, "aba"]),
    }


@pytest.mark.parametrize("role", ALL_ROLES)
def test_reading_the_route_of_a_minor_by_role(request, client, role, mentee, with_steps):
    user = request.getfixturevalue(role)
    client.force_login(user)
    expected = 200 if role in READERS_OF_MINOR else 404
    for name in ("route", "history", "contacts"):
        assert client.get(urls(mentee, with_steps)[name]).status_code == expected, name


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_the_students_school_writes_steps(request, client, role, mentee, with_steps, today):
    user = request.getfixturevalue(role)
    client.force_login(user)
    url = urls(mentee, with_steps)["step"]
    expected = 200 if role in WRITERS else 404
    assert client.get(url).status_code == expected
    data = {"date": today.isoformat(), "advice": "stop", "version": "1"}
    response = client.post(url, data)
    assert response.status_code == (302 if role in WRITERS else 404)
    assert (StudyAdviceStep.objects.get().advice == "stop") == (role in WRITERS)


def test_mentor_cannot_log_steps_for_another_mentors_student(
    client, other_mentor, mentee, enrolment
):
    client.force_login(other_mentor)
    for kind in ("start", "study-advice", "leaving"):
        url = reverse("roadmap:step", args=[mentee.public_id, enrolment.pk, kind])
        assert client.get(url).status_code == 404
        assert client.post(url, {"date": "2026-09-01", "advice": "stop"}).status_code == 404
    assert not StudyAdviceStep.objects.exists()


def test_coordinator_logs_steps_for_any_student_of_the_institution(
    client, coordinator, mentee, enrolment, today
):
    client.force_login(coordinator)
    url = reverse("roadmap:step", args=[mentee.public_id, enrolment.pk, "study-advice"])
    data = {"date": today.isoformat(), "advice": "continue"}
    assert client.post(url, data).status_code == 302
    assert StudyAdviceStep.objects.get().author == coordinator


def test_no_one_logs_steps_on_another_schools_enrolment(
    client, mentor, coordinator, clusius_coordinator, mentee, today
):
    clusius = EnrolmentFactory(
        student=mentee,
        institution=school("Clusius College"),
        programme="Entree Zorg",
        start_date=today - timedelta(days=30),
    )
    url = reverse("roadmap:step", args=[mentee.public_id, clusius.pk, "start"])
    for user in (mentor, coordinator):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(clusius_coordinator)
    assert client.get(url).status_code == 200


def test_steps_only_on_entree_enrolments(client, mentor, mentee, today):
    level2 = EnrolmentFactory(
        student=mentee, level="2", programme="Logistiek", start_date=today - timedelta(days=30)
    )
    client.force_login(mentor)
    url = reverse("roadmap:step", args=[mentee.public_id, level2.pk, "start"])
    assert client.get(url).status_code == 404


def test_unknown_step_or_enrolment_is_a_404(client, mentor, mentee, enrolment):
    client.force_login(mentor)
    assert (
        client.get(
            reverse("roadmap:step", args=[mentee.public_id, enrolment.pk, "nope"])
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("roadmap:step", args=[mentee.public_id, 999999, "start"])).status_code
        == 404
    )


def test_doorstroompunt_reads_the_route_of_an_adult_in_its_region_without_aba(
    client, dsp, mentor, adult_mentee, today
):
    enrolment = adult_mentee.enrolments.get()
    for kind in ("start", "aba"):
        step_log(
            enrolment=enrolment,
            kind=kind,
            data=valid_data(kind, enrolment, today),
            actor=mentor,
            today=today,
        )
    client.force_login(dsp)
    response = client.get(reverse("roadmap:route", args=[adult_mentee.public_id]))
    assert response.status_code == 200
    assert 'data-step="start" data-status="done"' in response.content.decode()
    assert "ABA" not in response.content.decode()
    aba_history = reverse(
        "roadmap:step_history", args=[adult_mentee.public_id, enrolment.pk, "aba"]
    )
    assert client.get(aba_history).status_code == 404
    url = reverse("roadmap:step", args=[adult_mentee.public_id, enrolment.pk, "start"])
    assert client.get(url).status_code == 404


# --- ABA: special-category data -------------------------------------------------------


@pytest.mark.parametrize("role", ["leerplicht", "clusius_coordinator"])
def test_aba_is_absent_for_every_other_role_that_sees_the_student(
    request, client, role, mentee, with_steps, today
):
    if role == "clusius_coordinator":
        # Sees the student through a Clusius enrolment, but not Horizon's ABA.
        EnrolmentFactory(
            student=mentee,
            institution=school("Clusius College"),
            programme="Entree Zorg",
            start_date=today - timedelta(days=30),
        )
    user = request.getfixturevalue(role)
    client.force_login(user)
    u = urls(mentee, with_steps)
    for url in (u["route"], reverse("students:detail", args=[mentee.public_id])):
        content = client.get(url).content.decode()
        assert 'data-step="study-advice" data-status="done"' in content  # the route is there
        assert ABA_NOTE not in content
        assert "Aanvragen" not in content
        if role == "clusius_coordinator":
            # Only the slot of step 3 on Clusius's own enrolment, which has no ABA.
            assert content.count('data-step="aba"') == 1
            assert 'data-step="aba" data-status="optional"' in content
        else:
            assert "ABA" not in content
    assert client.get(u["aba"]).status_code == 404
    assert client.get(u["aba_history"]).status_code == 404
    assert not AccessLog.objects.filter(action="view_special").exists()


@pytest.mark.parametrize("role", ["mentor", "coordinator"])
def test_school_mentor_and_coordinator_see_aba_and_every_view_is_logged(
    request, client, role, mentee, with_steps
):
    user = request.getfixturevalue(role)
    client.force_login(user)
    u = urls(mentee, with_steps)
    pages = [
        u["route"],
        reverse("students:detail", args=[mentee.public_id]),
        u["aba"],
        u["aba_history"],
    ]
    for number, url in enumerate(pages, start=1):
        response = client.get(url)
        assert response.status_code == 200
        assert "ABA" in response.content.decode()
        logged = AccessLog.objects.filter(action="view_special", user=user, student=mentee)
        assert logged.count() == number, url


def test_aba_history_is_kept_on_its_own_page_with_the_earlier_version(
    client, mentor, mentee, with_steps, today
):
    client.force_login(mentor)
    u = urls(mentee, with_steps)
    data = {"date": today.isoformat(), "decision": "declined", "note": ABA_NOTE, "version": "1"}
    assert client.post(u["aba"], data).status_code == 302
    content = client.get(u["aba_history"]).content.decode()
    assert "Aanvragen" in content
    assert "Afgezien" in content


def test_general_history_on_the_student_page_never_shows_aba(
    client, mentor, mentee, with_steps, leerplicht
):
    client.force_login(leerplicht)
    content = client.get(reverse("students:detail", args=[mentee.public_id])).content.decode()
    assert "abastep" not in content.lower()
    assert ABA_NOTE not in content


# --- Contact moments ----------------------------------------------------------------


def test_leerplicht_logs_its_own_contact_but_no_work_checkin(client, leerplicht, mentee, today):
    client.force_login(leerplicht)
    url = reverse("roadmap:contact_new", args=[mentee.public_id])
    data = {"kind": "leerplicht_contact", "date": today.isoformat(), "channel": "phone"}
    assert client.post(url, data).status_code == 302
    data["kind"] = "work_checkin"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert ContactMoment.objects.get().kind == "leerplicht_contact"


def test_doorstroompunt_logs_a_dsp_contact(client, dsp, adult_mentee, today):
    client.force_login(dsp)
    url = reverse("roadmap:contact_new", args=[adult_mentee.public_id])
    data = {"kind": "dsp_contact", "date": today.isoformat(), "channel": "in_person"}
    assert client.post(url, data).status_code == 302
    assert ContactMoment.objects.get().author_organisation.kind == "doorstroompunt"


@pytest.mark.parametrize("role", ["other_mentor", "startpunt", "wi", "regio", "functional_admin"])
def test_roles_outside_the_scope_cannot_log_contacts(request, client, role, mentee, today):
    client.force_login(request.getfixturevalue(role))
    url = reverse("roadmap:contact_new", args=[mentee.public_id])
    assert client.get(url).status_code == 404
    data = {"kind": "other", "date": today.isoformat(), "channel": "phone"}
    assert client.post(url, data).status_code == 404
    assert not ContactMoment.objects.exists()


def test_route_summary_for_exports_leaves_aba_out_for_other_roles(
    mentor, leerplicht, mentee, with_steps
):
    from roadmap.panels import route_summary

    for_leerplicht = route_summary(leerplicht, mentee)
    assert [s["step"] for s in for_leerplicht[0]["steps"]][:2] == ["start", "study-advice"]
    assert "aba" not in [s["step"] for s in for_leerplicht[0]["steps"]]
    assert not AccessLog.objects.filter(action="view_special").exists()
    for_mentor = route_summary(mentor, mentee)
    aba = next(s for s in for_mentor[0]["steps"] if s["step"] == "aba")
    assert aba["status"] == "done"
    assert AccessLog.objects.filter(action="view_special", user=mentor).count() == 1
