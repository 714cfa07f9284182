"""The student's page: what it shows, what it never shows, panels from other apps,
the access log, edits with optimistic locking, and a pinned query count."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from accounts.registry import Registry
from students import panels
from students.dates import age_on, latest_birth_date_for_age
from students.models import AccessLog, RecordChange, Student
from students.services import record_change, student_update
from tests.factories import (
    EmploymentFactory,
    EnrolmentFactory,
    QualificationFactory,
    StudentFactory,
    make_user,
    municipality,
    school,
)

pytestmark = pytest.mark.django_db

BSN = "123456782"
# 16 today, so that Leerplicht sees the student too.
DATE_OF_BIRTH = latest_birth_date_for_age(16, timezone.localdate()) - timedelta(days=30)


@pytest.fixture
def student(mentor):
    today = timezone.localdate()
    student = StudentFactory(
        first_name="Noor",
        last_name="Jansen",
        student_number="700123",
        date_of_birth=DATE_OF_BIRTH,
        municipality=municipality("Hoorn"),
        bsn=BSN,
        email="noor@example.test",
        phone="06 12345678",
        prior_education="pro",
        mentor=mentor,
    )
    EnrolmentFactory(
        student=student,
        location="Hoorn",
        programme="Entree Dienstverlening",
        start_date=today - timedelta(days=30),
        planned_end_date=today + timedelta(days=300),
    )
    return student


def page(client, student):
    return client.get(f"/students/{student.public_id}/")


def test_page_shows_personal_data_with_age_and_local_startpunt(client, mentor, student):
    client.force_login(mentor)
    html = page(client, student).content.decode()
    assert "Noor Jansen" in html
    assert "700123" in html
    assert DATE_OF_BIRTH.strftime("%d-%m-%Y") in html
    assert f"({age_on(DATE_OF_BIRTH, timezone.localdate())} jaar)" in html
    assert "Hoorn" in html
    assert "Jongerenstartpunt" in html
    assert "Praktijkonderwijs" in html
    assert escape(mentor.get_full_name()) in html  # Faker names can hold an apostrophe
    assert "noor@example.test" in html
    assert "06 12345678" in html


def test_page_masks_the_bsn_and_never_shows_it_whole(client, mentor, student):
    client.force_login(mentor)
    html = page(client, student).content.decode()
    assert BSN not in html
    assert "••••••782" in html


def test_municipality_without_startpunt_says_where_the_task_lies(client, coordinator):
    student = StudentFactory(municipality=municipality("Texel"))
    EnrolmentFactory(student=student)
    client.force_login(coordinator)
    assert "geen; taak bij Doorstroompunt of W&amp;I" in page(client, student).content.decode()


def test_page_shows_enrolments_qualifications_and_employment(client, coordinator, student):
    EnrolmentFactory(
        student=student,
        programme="Mbo 2 Logistiek",
        level="2",
        start_date=date(2023, 8, 28),
        planned_end_date=date(2024, 7, 12),
        end_date=date(2024, 1, 31),
        end_reason="dropout",
    )
    QualificationFactory(student=student, type="mbo", level=2, date=date(2022, 7, 1))
    EmploymentFactory(student=student, employer="Bakkerij Hoorn", hours_per_week=12.5)
    client.force_login(coordinator)
    html = page(client, student).content.decode()
    assert "Entree Dienstverlening" in html
    assert "Lopend" in html
    assert "Mbo 2 Logistiek" in html
    assert "Uitval" in html
    assert "Beëindigd" in html
    assert "Mbo-diploma 2" in html
    assert "Bakkerij Hoorn" in html
    assert "12,5" in html


def test_history_shows_who_when_and_old_to_new_newest_first(client, coordinator, mentor, student):
    student_update(student=student, expected_version=1, data={"phone": "0229 123456"}, actor=mentor)
    student.refresh_from_db()
    student_update(
        student=student, expected_version=2, data={"email": "n@example.test"}, actor=coordinator
    )
    client.force_login(coordinator)
    response = page(client, student)
    history = response.context["history"]
    assert [row["fields"][0]["label"] for row in history] == ["e-mailadres", "telefoonnummer"]
    assert history[1]["actor"] == mentor.get_full_name()
    assert history[1]["fields"][0]["old"] == "06 12345678"
    assert history[1]["fields"][0]["new"] == "0229 123456"
    assert "06 12345678" in response.content.decode()


def test_history_of_a_bsn_change_never_shows_the_number(client, coordinator, student):
    student_update(student=student, expected_version=1, data={"bsn": "111222333"}, actor=None)
    client.force_login(coordinator)
    html = page(client, student).content.decode()
    assert "111222333" not in html
    assert BSN not in html


def test_history_shows_the_latest_50_with_a_note(client, coordinator, student):
    RecordChange.objects.bulk_create(
        record_change(
            student_id=student.pk,
            record=student,
            action="update",
            changes={"phone": {"old": str(n), "new": str(n + 1)}},
            source="import",
        )
        for n in range(60)
    )
    client.force_login(coordinator)
    response = page(client, student)
    assert len(response.context["history"]) == 50
    assert "De laatste 50 wijzigingen" in response.content.decode()


def test_every_page_view_writes_one_access_log_row(client, leerplicht, student):
    client.force_login(leerplicht)
    page(client, student)
    page(client, student)
    rows = AccessLog.objects.filter(action="view_student")
    assert rows.count() == 2
    row = rows.first()
    assert (row.student, row.user, row.role) == (student, leerplicht, "leerplicht")


def test_a_404_writes_no_access_log_row(client, mondriaan_coordinator, student):
    client.force_login(mondriaan_coordinator)
    assert page(client, student).status_code == 404
    assert not AccessLog.objects.exists()


# --- Panels from other apps ---------------------------------------------------------


@pytest.fixture
def panel_template(settings, tmp_path):
    (tmp_path / "test_panel.html").write_text(
        '<section aria-label="testpaneel">{{ panel.text }}</section>'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    return "test_panel.html"


def test_registered_panels_render_in_order_and_none_means_nothing(
    client, monkeypatch, mentor, student, panel_template
):
    monkeypatch.setattr(panels, "student_panel_registry", Registry("empty"))
    panels.register_student_panel(
        20,
        lambda request, s: {"template": panel_template, "context": {"text": "tweede"}},
        key="second",
    )
    panels.register_student_panel(
        10,
        lambda request, s: {
            "template": panel_template,
            "context": {"text": f"eerste {s.first_name}"},
        },
        key="first",
    )
    panels.register_student_panel(15, lambda request, s: None, key="nothing")
    client.force_login(mentor)
    html = page(client, student).content.decode()
    assert html.index("eerste Noor") < html.index("tweede")
    assert html.count('aria-label="testpaneel"') == 2


# --- Editing: contact details and mentor, with optimistic locking -------------------


def post_contact(client, student, *, version, email, phone=""):
    return client.post(
        f"/students/{student.public_id}/",
        {
            "action": "contact",
            "contact-email": email,
            "contact-phone": phone,
            "contact-version": version,
        },
    )


def test_mentor_changes_contact_details_and_the_history_keeps_the_old(client, mentor, student):
    client.force_login(mentor)
    response = post_contact(
        client, student, version=1, email="nieuw@example.test", phone="0612345678"
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert (student.email, student.phone, student.version) == (
        "nieuw@example.test",
        "0612345678",
        2,
    )
    change = RecordChange.objects.get(student=student)
    assert change.actor == mentor
    assert change.changes["email"] == {"old": "noor@example.test", "new": "nieuw@example.test"}


def test_invalid_contact_details_are_refused_with_a_message(client, mentor, student):
    client.force_login(mentor)
    response = post_contact(client, student, version=1, email="geen-adres", phone="bel me")
    assert response.status_code == 200
    form = response.context["contact_form"]
    assert form.errors["email"]
    assert form.errors["phone"]
    student.refresh_from_db()
    assert student.version == 1


def test_concurrent_edit_shows_both_versions_and_overwrites_nothing(
    client, mentor, coordinator, student
):
    client.force_login(mentor)
    read_version = page(client, student).context["contact_form"].initial["version"]

    # Meanwhile the coordinator saves first.
    other = client.__class__()
    other.force_login(coordinator)
    assert (
        post_contact(other, student, version=read_version, email="coord@example.test").status_code
        == 302
    )

    response = post_contact(client, student, version=read_version, email="mentor@example.test")
    assert response.status_code == 409
    html = response.content.decode()
    assert "iemand anders heeft dit dossier intussen gewijzigd" in html
    assert "mentor@example.test" in html  # the user's version
    assert "coord@example.test" in html  # the current version
    student.refresh_from_db()
    assert student.email == "coord@example.test"

    # Saving again from the re-rendered form is a deliberate choice, and it works.
    resubmit = response.context["contact_form"]
    assert resubmit["version"].value() == str(student.version)
    assert (
        post_contact(
            client, student, version=resubmit["version"].value(), email="mentor@example.test"
        ).status_code
        == 302
    )
    student.refresh_from_db()
    assert student.email == "mentor@example.test"


def test_leerplicht_may_read_but_not_edit(client, leerplicht, student):
    client.force_login(leerplicht)
    assert page(client, student).context["contact_form"] is None
    assert post_contact(client, student, version=1, email="x@example.test").status_code == 404
    student.refresh_from_db()
    assert student.email == "noor@example.test"


def test_coordinator_assigns_a_mentor_of_their_own_school(
    client, coordinator, other_mentor, student
):
    client.force_login(coordinator)
    response = client.post(
        f"/students/{student.public_id}/",
        {"action": "mentor", "mentor-mentor": other_mentor.pk, "mentor-version": 1},
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.mentor == other_mentor
    assert RecordChange.objects.get(student=student).changes["mentor"]["new"] == str(other_mentor)


def test_coordinator_cannot_assign_another_schools_mentor(client, coordinator, student):
    stranger = make_user("mentor@clusius.test", "mentor", "Clusius College")
    client.force_login(coordinator)
    response = client.post(
        f"/students/{student.public_id}/",
        {"action": "mentor", "mentor-mentor": stranger.pk, "mentor-version": 1},
    )
    assert response.status_code == 200
    assert response.context["mentor_form"].errors["mentor"]
    student.refresh_from_db()
    assert student.mentor != stranger


def test_mentor_cannot_reassign_the_mentor(client, mentor, other_mentor, student):
    client.force_login(mentor)
    assert page(client, student).context["mentor_form"] is None
    response = client.post(
        f"/students/{student.public_id}/",
        {"action": "mentor", "mentor-mentor": other_mentor.pk, "mentor-version": 1},
    )
    assert response.status_code == 403
    student.refresh_from_db()
    assert student.mentor == mentor


def test_the_page_lists_no_mentors_until_the_coordinator_opens_the_form(
    client, coordinator, other_mentor, student
):
    """Issue 16: a large school has hundreds of mentors; the page itself does not load them."""
    client.force_login(coordinator)
    response = page(client, student)
    assert response.context["mentor_form"] is None
    assert response.context["may_assign_mentor"]
    html = response.content.decode()
    assert escape(other_mentor.get_full_name()) not in html
    assert "?deel=mentor" in html
    assert "?mentor=kiezen" in html

    # Opening the form (htmx) loads it with the school's mentors.
    part = client.get(f"/students/{student.public_id}/?deel=mentor", HTTP_HX_REQUEST="true")
    assert part.status_code == 200
    assert escape(other_mentor.get_full_name()) in part.content.decode()
    assert 'value="mentor"' in part.content.decode()

    # Without JavaScript: the link shows the page with the form open.
    full = client.get(f"/students/{student.public_id}/?mentor=kiezen")
    assert full.context["mentor_form"] is not None
    assert escape(other_mentor.get_full_name()) in full.content.decode()


def test_only_the_coordinator_gets_the_mentor_form(client, leerplicht, mentor, student):
    for user in (leerplicht, mentor):
        client.force_login(user)
        response = client.get(f"/students/{student.public_id}/?deel=mentor", HTTP_HX_REQUEST="true")
        assert response.status_code == 403
        assert not page(client, student).context["may_assign_mentor"]


# --- Query counts -------------------------------------------------------------------

# Session, the user with their memberships; student; which sections have rows at all (one query for
# the page and every panel, issue 16); enrolments, qualifications, employments, history;
# "may this user write"; access log. The school's mentors only when the coordinator opens
# the mentor form (?deel=mentor).
COORDINATOR_PAGE_QUERIES = 10


def fill(student, count):
    today = timezone.localdate()
    for n in range(count):
        EnrolmentFactory(
            student=student,
            programme=f"Opleiding {n}",
            institution=school(("Horizon College", "Clusius College")[n % 2]),
            start_date=today - timedelta(days=30 + n),
        )
        QualificationFactory(student=student, date=date(2020, 1, 1) + timedelta(days=n))
        EmploymentFactory(student=student, start_date=today - timedelta(days=n))
    RecordChange.objects.bulk_create(
        record_change(
            student_id=student.pk,
            record=student,
            action="update",
            changes={"email": {"old": "", "new": "x@example.test"}},
            actor=None,
            source="import",
        )
        for _n in range(count)
    )


@pytest.fixture
def no_other_panels(monkeypatch):
    """The students app's own queries, without the panels other apps register."""
    monkeypatch.setattr(panels, "student_panel_registry", Registry("empty"))


@pytest.mark.parametrize("count", [1, 50])
def test_page_query_count_does_not_grow_with_the_file(
    client, coordinator, django_assert_num_queries, no_other_panels, count
):
    student = StudentFactory(municipality=municipality("Schagen"))
    fill(student, count)
    client.force_login(coordinator)
    with django_assert_num_queries(COORDINATOR_PAGE_QUERIES):
        response = page(client, student)
    assert len(response.context["enrolments"]) == count
    assert len(response.context["history"]) == count


@pytest.mark.parametrize("count", [1, 50])
def test_page_query_count_for_leerplicht_does_not_grow_with_the_file(
    client, leerplicht, django_assert_num_queries, no_other_panels, count
):
    student = StudentFactory(municipality=municipality("Hoorn"), date_of_birth=DATE_OF_BIRTH)
    fill(student, count)
    client.force_login(leerplicht)
    # No edit forms (the write check is not queried), but the region's municipality ids
    # are resolved once.
    with django_assert_num_queries(COORDINATOR_PAGE_QUERIES):
        assert page(client, student).status_code == 200


@pytest.mark.parametrize("persona", ["coordinator", "mentor", "leerplicht"])
def test_page_with_every_registered_panel_costs_the_same_for_1_and_50_rows(
    request, client, persona
):
    """Whatever panels the installed apps add, a bigger file costs no extra queries."""
    user = request.getfixturevalue(persona)
    small = StudentFactory(municipality=municipality("Hoorn"), date_of_birth=DATE_OF_BIRTH)
    large = StudentFactory(municipality=municipality("Hoorn"), date_of_birth=DATE_OF_BIRTH)
    if persona == "mentor":
        Student.objects.filter(pk__in=[small.pk, large.pk]).update(mentor=user)
    fill(small, 1)
    fill(large, 50)
    client.force_login(user)
    page(client, small)  # warm up what is cached per process (content types, ...)
    counts = []
    for student in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert page(client, student).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_student_model_is_not_in_the_admin():
    from django.contrib import admin

    assert Student not in admin.site._registry


# --- Issue 16: one write check and one presence query for every panel ----------------------


def test_the_write_check_runs_once_per_page_view(client, coordinator, monkeypatch):
    """The page and its panels (guardians, journal, invitations...) ask "may this user
    change this student" once per request (students.queries.may_write_student, and
    accounts.policy.remember_in_scope for the panels' scope checks), not once per panel."""
    from students import queries as student_queries

    asked = []
    writable = student_queries.writable_students

    def counting(user):
        asked.append(user.pk)
        return writable(user)

    monkeypatch.setattr(student_queries, "writable_students", counting)
    student = StudentFactory(municipality=municipality("Schagen"), date_of_birth=DATE_OF_BIRTH)
    fill(student, 1)
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as run:
        response = page(client, student)
    assert response.status_code == 200
    assert response.context["contact_form"] is not None  # the coordinator may write
    assert asked == [coordinator.pk]
    scope_checks = [
        query["sql"]
        for query in run.captured_queries
        if query["sql"].startswith('SELECT 1 AS "a" FROM "students_student"')
    ]
    assert len(scope_checks) == 1, scope_checks


def test_presence_tells_the_panels_which_rows_exist_in_one_query(
    django_assert_num_queries,
):
    student = StudentFactory(municipality=municipality("Schagen"))
    with django_assert_num_queries(1):
        panels.load_presence(student)
    assert student.panel_presence["students.employments"] is False
    assert not panels.has_rows(student, "students.employments")
    EmploymentFactory(student=student)
    student = Student.objects.get(pk=student.pk)  # presence is asked once per object
    panels.load_presence(student)
    assert panels.has_rows(student, "students.employments")


def test_a_panel_asked_on_its_own_looks_for_itself():
    # No presence loaded (an htmx refresh of one panel): "maybe", so the panel queries.
    assert panels.has_rows(Student(), "students.employments")
