"""The route in the browser, through the test client: forms, htmx fragments, conflicts,
the local name of the Jongeren Startpunt, the start page, and pinned query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse

from roadmap.models import ContactMoment, StepConflict, StudyAdviceStep, WorkStep
from roadmap.services import contact_moment_log, step_log
from students.models import Employment, RecordChange
from tests.factories import EnrolmentFactory, StudentFactory, municipality

from .helpers import valid_data

HTMX = {"HTTP_HX_REQUEST": "true"}


def step_url(student, enrolment, kind):
    return reverse("roadmap:step", args=[student.public_id, enrolment.pk, kind])


def detail_url(student):
    return reverse("students:detail", args=[student.public_id])


def form_data(data, version=None):
    """A step's data as the browser posts it (dates ISO, booleans 'on')."""
    posted = {}
    for name, value in data.items():
        if value is True:
            posted[name] = "on"
        elif value in (False, None):
            continue
        else:
            posted[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if version is not None:
        posted["version"] = str(version)
    return posted


def test_mentor_logs_study_advice_and_is_sent_back_to_the_student(
    client, mentor, mentee, enrolment, today
):
    client.force_login(mentor)
    url = step_url(mentee, enrolment, "study-advice")
    assert client.get(url).status_code == 200
    response = client.post(url, form_data(valid_data("study-advice", enrolment, today)))
    assert response.status_code == 302
    assert response["Location"] == detail_url(mentee)
    assert StudyAdviceStep.objects.get().author == mentor


def test_refused_step_shows_the_field_and_the_reason(client, mentor, mentee, enrolment, today):
    client.force_login(mentor)
    data = valid_data("perspective", enrolment, today) | {"perspective": ""}
    response = client.post(step_url(mentee, enrolment, "perspective"), form_data(data))
    assert response.status_code == 200
    assert "zonder perspectief" in response.context["form"].errors["perspective"][0]
    response = client.post(
        step_url(mentee, enrolment, "work"),
        form_data(valid_data("work", enrolment, today) | {"date": today + timedelta(days=2)}),
    )
    assert "in de toekomst" in response.context["form"].errors["date"][0]
    assert not WorkStep.objects.exists()


def test_htmx_form_loads_into_the_panel_and_success_rerenders_the_route(
    client, mentor, mentee, enrolment, today
):
    client.force_login(mentor)
    url = step_url(mentee, enrolment, "start")
    fragment = client.get(url, **HTMX)
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    assert b'hx-post="' + url.encode() in fragment.content
    response = client.post(url, form_data(valid_data("start", enrolment, today)), **HTMX)
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'data-step="start" data-status="done"' in response.content
    assert b'data-step="study-advice" data-status="due"' in response.content
    assert response["HX-Trigger"] == "roadmap-changed"


def test_concurrent_edit_in_the_browser_shows_both_versions_and_keeps_the_first(
    client, mentor, coordinator, mentee, enrolment, today
):
    step_log(
        enrolment=enrolment,
        kind="study-advice",
        data=valid_data("study-advice", enrolment, today),
        actor=mentor,
        today=today,
    )
    url = step_url(mentee, enrolment, "study-advice")
    first = valid_data("study-advice", enrolment, today) | {"advice": "stop"}
    second = valid_data("study-advice", enrolment, today) | {"perspective_note": "Wil naar de zorg"}

    client.force_login(coordinator)
    assert client.post(url, form_data(first, version=1)).status_code == 302

    client.force_login(mentor)
    response = client.post(url, form_data(second, version=1))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-conflict="true"' in content
    assert "Stoppen met de opleiding" in content
    assert "Wil naar de zorg" in content
    saved = StudyAdviceStep.objects.get()
    assert saved.advice == "stop"
    assert saved.perspective_note == ""
    assert saved.version == 2
    conflict = StepConflict.objects.get()
    assert conflict.actor == mentor
    assert conflict.values["perspective_note"]["refused"] == "Wil naar de zorg"
    # Having seen both, the mentor may save deliberately: the form now carries version 2.
    assert response.context["form"]["version"].value() == 2


def test_correction_keeps_the_earlier_version_on_the_history_page(
    client, mentor, mentee, enrolment, today
):
    step = step_log(
        enrolment=enrolment,
        kind="start",
        data=valid_data("start", enrolment, today),
        actor=mentor,
        today=today,
    )
    client.force_login(mentor)
    data = valid_data("start", enrolment, today) | {"intake_origin": "pro"}
    client.post(step_url(mentee, enrolment, "start"), form_data(data, version=1))
    history = client.get(
        reverse("roadmap:step_history", args=[mentee.public_id, enrolment.pk, "start"])
    )
    content = history.content.decode()
    assert "Voortgezet speciaal onderwijs" in content  # the earlier version
    assert "Praktijkonderwijs" in content
    assert RecordChange.objects.filter(record_id=step.pk, record_type="startstep").count() == 2


def test_work_step_in_the_browser_records_an_employment_of_16_hours(
    client, mentor, mentee, enrolment, today
):
    client.force_login(mentor)
    client.post(
        step_url(mentee, enrolment, "work"), form_data(valid_data("work", enrolment, today))
    )
    employment = Employment.objects.get()
    assert employment.hours_per_week == 16
    assert employment.employer == "Bakkerij Ooms"


@pytest.mark.parametrize(
    ("town", "expected"),
    [
        ("Alkmaar", "Check-In en Doorstroompunt betrokken"),
        ("Hoorn", "Jongerenstartpunt betrokken"),
        ("Den Helder", "Jongerenpunt betrokken"),
        ("Texel", "Doorstroompunt of W&amp;I betrokken"),
    ],
)
def test_jongeren_startpunt_has_its_local_name(client, mentor, today, town, expected):
    student = StudentFactory(mentor=mentor, municipality=municipality(town))
    enrolment = EnrolmentFactory(student=student, start_date=today - timedelta(days=30))
    client.force_login(mentor)
    response = client.get(step_url(student, enrolment, "perspective"))
    assert expected in response.content.decode()


def test_notes_warn_against_health_details(client, mentor, mentee, enrolment):
    client.force_login(mentor)
    content = client.get(step_url(mentee, enrolment, "study-advice")).content.decode()
    assert "geen gezondheids- of medische gegevens" in content


def test_mentor_logs_a_work_checkin(client, mentor, mentee, today):
    client.force_login(mentor)
    url = reverse("roadmap:contact_new", args=[mentee.public_id])
    response = client.post(
        url,
        {
            "kind": "work_checkin",
            "date": today.isoformat(),
            "channel": "phone",
            "still_working": "true",
            "hours_per_week": "16",
        },
    )
    assert response.status_code == 302
    moment = ContactMoment.objects.get()
    assert moment.still_working is True
    assert moment.hours_per_week == 16


def test_start_page_shows_my_students_with_the_next_due_date_and_overdue_marker(
    client, mentor, mentee, enrolment, today
):
    # Started 20 weeks ago, no study advice: overdue since week 16.
    client.force_login(mentor)
    content = client.get(reverse("home")).content.decode()
    assert "Mijn studenten op de Route naar succes" in content
    assert f'data-student="{mentee.public_id}" data-overdue="true"' in content
    for kind in ("start", "study-advice"):
        step_log(
            enrolment=enrolment,
            kind=kind,
            data=valid_data(kind, enrolment, today),
            actor=mentor,
            today=today,
        )
    content = client.get(reverse("home")).content.decode()
    assert f'data-student="{mentee.public_id}" data-overdue' not in content


# --- Query counts -------------------------------------------------------------------


def test_logging_a_step_takes_one_request_with_a_pinned_number_of_queries(
    client, mentor, mentee, enrolment, today, django_assert_num_queries
):
    client.force_login(mentor)
    url = step_url(mentee, enrolment, "study-advice")
    data = form_data(valid_data("study-advice", enrolment, today))
    # session, the user with their memberships, enrolment with student, scope and step (one query), the
    # insert in a savepoint (3; the test's transaction makes the service's atomic a
    # savepoint too: 2 more), the history row.
    with django_assert_num_queries(9):
        response = client.post(url, data)
    assert response.status_code == 302
    corrected = form_data(
        valid_data("study-advice", enrolment, today) | {"advice": "stop"}, version=1
    )
    # A correction: the same lookup, the conditional UPDATE and the history row.
    with django_assert_num_queries(7):
        response = client.post(url, corrected)
    assert response.status_code == 302


def _fill(student, enrolment, mentor, today, count):
    for kind in ("start", "study-advice", "aba", "perspective", "work"):
        step_log(
            enrolment=enrolment,
            kind=kind,
            data=valid_data(kind, enrolment, today),
            actor=mentor,
            today=today,
        )
    for i in range(count):
        contact_moment_log(
            student=student,
            kind="work_checkin",
            data={
                "date": today - timedelta(days=i % 90),
                "channel": "phone",
                "still_working": True,
                "hours_per_week": 16,
            },
            actor=mentor,
        )
    for i in range(count - 1):
        Employment.objects.create(
            student=student,
            employer=f"Werkgever {i}",
            hours_per_week=12,
            start_date=today - timedelta(days=i + 1),
        )


def _count_queries(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url_name", ["students:detail", "roadmap:route"])
def test_route_panel_query_count_is_the_same_with_1_and_with_50_rows(
    client, mentor, today, url_name, django_assert_max_num_queries
):
    one = StudentFactory(mentor=mentor)
    one_enrolment = EnrolmentFactory(student=one, start_date=today - timedelta(weeks=30))
    many = StudentFactory(mentor=mentor)
    many_enrolment = EnrolmentFactory(student=many, start_date=today - timedelta(weeks=30))
    _fill(one, one_enrolment, mentor, today, 1)
    _fill(many, many_enrolment, mentor, today, 50)
    client.force_login(mentor)
    few = _count_queries(
        client, reverse(url_name, args=[one.public_id]), django_assert_max_num_queries
    )
    lots = _count_queries(
        client, reverse(url_name, args=[many.public_id]), django_assert_max_num_queries
    )
    assert few == lots


def test_start_page_query_count_does_not_grow_with_the_number_of_students(client, mentor, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("home"))
        return len(captured)

    student = StudentFactory(mentor=mentor)
    enrolment = EnrolmentFactory(student=student, start_date=today - timedelta(weeks=30))
    _fill(student, enrolment, mentor, today, 1)
    client.force_login(mentor)
    before = count()
    for _ in range(20):
        other = StudentFactory(mentor=mentor)
        EnrolmentFactory(student=other, start_date=today - timedelta(weeks=3))
    assert count() == before


# --- Issue 13: a tampered version is a form error, never a 500 ------------------------


@pytest.mark.parametrize("version", ["99999999999", "-1", "abc"])
def test_a_tampered_version_is_a_form_error_not_a_500(
    client, mentor, mentee, enrolment, today, version
):
    step_log(
        enrolment=enrolment,
        kind="study-advice",
        data=valid_data("study-advice", enrolment, today),
        actor=mentor,
    )
    client.force_login(mentor)
    data = form_data(valid_data("study-advice", enrolment, today) | {"advice": "stop"})
    data["version"] = version
    response = client.post(step_url(mentee, enrolment, "study-advice"), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert StudyAdviceStep.objects.get().advice == "continue"


def test_a_follow_up_meeting_before_the_advice_conversation_is_refused_on_its_field(
    client, mentor, mentee, enrolment, today
):
    client.force_login(mentor)
    data = valid_data("study-advice", enrolment, today)
    data["followup_meeting_date"] = data["date"] - timedelta(days=1)
    response = client.post(step_url(mentee, enrolment, "study-advice"), form_data(data))
    assert response.status_code == 200
    assert "vervolggesprek" in response.context["form"].errors["followup_meeting_date"][0]
    assert not StudyAdviceStep.objects.exists()
