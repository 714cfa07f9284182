"""The mentor's daily work in real Chromium: walk one Entree student from step 1 to 5a
(work, 16 hours a week) and another to 5b (further education), see every step on the
timeline, correct a step and find the earlier version in its history."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from accounts.models import User
from tests.factories import EnrolmentFactory, StudentFactory

from .conftest import assert_accessible, login

MENTOR = "mentor@horizon.demo"
HOME_PANEL = '[data-panel="route-home"]'


@pytest.fixture
def students(demo_accounts):
    today = timezone.localdate()
    mentor = User.objects.get(email=MENTOR)
    made = []
    for first, last in (("Sem", "Bakker"), ("Noor", "Visser")):
        student = StudentFactory(
            first_name=first,
            last_name=last,
            mentor=mentor,
            date_of_birth=today - timedelta(days=17 * 365),
        )
        enrolment = EnrolmentFactory(
            student=student,
            start_date=today - timedelta(days=300),
            planned_end_date=today + timedelta(days=60),
        )
        made.append((student, enrolment))
    return made


def iso(day):
    return day.isoformat()


def open_step(page, kind):
    page.locator(f'[data-action="log-{kind}"]').click()
    # The form loads into the panel (htmx): the panel's heading names the step.
    expect(page.locator("#route-panel form")).to_be_visible()


def save(page, kind):
    page.locator("#route-panel").get_by_role("button", name="Opslaan").click()
    expect(page.locator(f'#route-panel [data-step="{kind}"]')).to_have_attribute(
        "data-status", "done"
    )


def log_start(page, day):
    open_step(page, "start")
    panel = page.locator("#route-panel")
    panel.locator("#id_date").fill(iso(day))
    panel.locator("#id_intake_origin").select_option("vso")
    panel.locator("#id_warm_handover").check()
    panel.locator("#id_handover_with").fill("Vorige school en ouders")
    save(page, "start")


def log_study_advice(page, day):
    open_step(page, "study-advice")
    panel = page.locator("#route-panel")
    panel.locator("#id_date").fill(iso(day))
    panel.get_by_label("Doorgaan met de opleiding").check()
    panel.locator("#id_perspective_discussed").check()
    save(page, "study-advice")


def log_perspective(page, day, perspective_label, place=""):
    open_step(page, "perspective")
    panel = page.locator("#route-panel")
    # The local name of the Jongeren Startpunt for Alkmaar.
    expect(panel.get_by_label("Check-In en Doorstroompunt betrokken")).to_be_visible()
    panel.locator("#id_date").fill(iso(day))
    panel.get_by_label(perspective_label, exact=True).check()
    panel.locator("#id_destination_place").fill(place)
    save(page, "perspective")


def test_mentor_walks_two_students_along_the_route_and_corrects_a_step(page, live_server, students):
    worker, learner = students
    (student, enrolment), (student_b, enrolment_b) = worker, learner
    start = enrolment.start_date
    login(page, live_server, MENTOR)

    # The start page lists both, with step 1 overdue (the route began 300 days ago).
    expect(page.locator(f'{HOME_PANEL} [data-student="{student.public_id}"]')).to_have_attribute(
        "data-overdue", "true"
    )
    page.locator(HOME_PANEL).get_by_role("link", name=student.full_name).click()
    expect(page.locator("#route-panel")).to_be_visible()
    assert_accessible(page, context="#route-panel")

    # Student 1: step 1 -> 2 -> 4 (work) -> 5a with an employment of 16 hours.
    log_start(page, start)
    log_study_advice(page, start + timedelta(days=112))
    log_perspective(page, start + timedelta(days=200), "Werk", "Bakkerij Snoek")
    expect(page.locator('[data-step="further-education"]')).to_have_attribute(
        "data-status", "not_applicable"
    )
    open_step(page, "work")
    panel = page.locator("#route-panel")
    panel.locator("#id_date").fill(iso(start + timedelta(days=240)))
    panel.locator("#id_employer").fill("Bakkerij Snoek")
    panel.locator("#id_hours_per_week").fill("16")
    panel.locator("#id_contract_type").select_option("fixed_term")
    panel.locator("#id_employment_start").fill(iso(start + timedelta(days=250)))
    assert_accessible(page, context="#route-panel")
    if os.environ.get("KOERS_SCREENSHOTS"):
        page.screenshot(path=os.environ["KOERS_SCREENSHOTS"] + "/work_form.png", full_page=True)
    save(page, "work")
    expect(page.locator("#route-panel [role=status]")).to_have_text("Stap 5a · Werk is opgeslagen.")

    for kind in ("start", "study-advice", "perspective", "work"):
        expect(page.locator(f'[data-step="{kind}"]')).to_have_attribute("data-status", "done")
    expect(page.locator('[data-step="work"]')).to_contain_text("Bakkerij Snoek, 16 uur per week")
    expect(page.locator("#route-panel")).to_contain_text("werk bij Bakkerij Snoek, 16 uur per week")
    # The Werk section and the history refresh with the save (no reload).
    expect(page.locator("#student-work")).to_contain_text("Bakkerij Snoek")
    expect(page.locator("#student-work")).not_to_contain_text("Geen dienstverbanden bekend")
    expect(page.locator("#student-history")).to_contain_text("Stap 5a: werk")
    assert_accessible(page, context="#route-panel")
    if os.environ.get("KOERS_SCREENSHOTS"):
        page.screenshot(path=os.environ["KOERS_SCREENSHOTS"] + "/route.png", full_page=True)

    # A correction: the study advice conversation was two days later than logged.
    page.locator('[data-action="correct-study-advice"]').click()
    panel = page.locator("#route-panel")
    expect(panel.locator("#id_date")).to_have_value(iso(start + timedelta(days=112)))
    panel.locator("#id_date").fill(iso(start + timedelta(days=114)))
    panel.get_by_role("button", name="Correctie opslaan").click()
    expect(page.locator('[data-step="study-advice"]')).to_contain_text("gecorrigeerd")

    page.locator('[data-step="study-advice"]').get_by_role("link", name="Geschiedenis").click()
    update = page.locator('[data-list="history"] [data-action="update"]')
    expect(update).to_have_count(1)
    with translation.override("nl"):
        earlier = date_format(start + timedelta(days=112), "j F Y")
        later = date_format(start + timedelta(days=114), "j F Y")
    expect(update.locator('[data-version="old"]')).to_have_text(earlier)
    expect(update.locator('[data-version="new"]')).to_have_text(later)
    expect(update).to_contain_text("Gecorrigeerd")
    expect(page.locator('[data-list="history"] [data-action="create"]')).to_have_count(1)
    if os.environ.get("KOERS_SCREENSHOTS"):
        page.screenshot(path=os.environ["KOERS_SCREENSHOTS"] + "/history.png", full_page=True)

    # Student 2: step 1 -> 2 -> 4 (further education) -> 5b.
    page.goto(f"{live_server.url}/students/{student_b.public_id}/")
    start_b = enrolment_b.start_date
    log_start(page, start_b)
    # Refused: step 2 without an advice, with the field and the reason.
    open_step(page, "study-advice")
    panel = page.locator("#route-panel")
    panel.locator("#id_date").fill(iso(start_b + timedelta(days=112)))
    panel.get_by_role("button", name="Opslaan").click()
    expect(panel.locator(".invalid-feedback, .text-danger").first).to_contain_text(
        "Stap 2 zonder advies kan niet"
    )
    panel.get_by_label("Doorgaan met de opleiding").check()
    save(page, "study-advice")
    log_perspective(page, start_b + timedelta(days=200), "Vervolgopleiding")
    expect(page.locator('[data-step="work"]')).to_have_attribute("data-status", "not_applicable")
    open_step(page, "further-education")
    panel = page.locator("#route-panel")
    panel.locator("#id_date").fill(iso(start_b + timedelta(days=230)))
    panel.locator("#id_programme").fill("Logistiek medewerker (mbo 2)")
    panel.locator("#id_institution").fill("Horizon College")
    panel.locator("#id_registered_date").fill(iso(start_b + timedelta(days=235)))
    save(page, "further-education")
    for kind in ("start", "study-advice", "perspective", "further-education"):
        expect(page.locator(f'[data-step="{kind}"]')).to_have_attribute("data-status", "done")
    expect(page.locator("#route-panel")).to_contain_text(
        "vervolgopleiding Logistiek medewerker (mbo 2), Horizon College"
    )

    # Back on the start page, neither is overdue any more.
    page.goto(f"{live_server.url}/")
    for who in (student, student_b):
        row = page.locator(f'{HOME_PANEL} [data-student="{who.public_id}"]')
        expect(row).to_be_visible()
        expect(row).not_to_have_attribute("data-overdue", "true")


def test_two_people_correcting_the_same_step_the_second_sees_both_versions(
    page, live_server, students
):
    from roadmap.services import step_log

    (student, enrolment), _ = students
    start = enrolment.start_date
    mentor = User.objects.get(email=MENTOR)
    step_log(
        enrolment=enrolment,
        kind="study-advice",
        data={"date": start + timedelta(days=112), "advice": "continue"},
        actor=mentor,
    )
    login(page, live_server, MENTOR)
    page.goto(f"{live_server.url}/students/{student.public_id}/")
    page.locator('[data-action="correct-study-advice"]').click()
    panel = page.locator("#route-panel")
    panel.locator("#id_perspective_note").fill("Wil naar de zorg")

    # Meanwhile the coordinator saves the other advice.
    coordinator = User.objects.get(email="coordinator@horizon.demo")
    fresh = type(enrolment).objects.get(pk=enrolment.pk)
    step_log(
        enrolment=fresh,
        kind="study-advice",
        data={"date": start + timedelta(days=112), "advice": "stop"},
        actor=coordinator,
        expected_version=1,
    )

    panel.get_by_role("button", name="Correctie opslaan").click()
    conflict = panel.locator('[data-conflict="true"]')
    expect(conflict).to_contain_text("Iemand anders heeft deze stap intussen opgeslagen")
    expect(conflict).to_contain_text("Kees Wijnands")
    expect(
        conflict.locator('[data-version="saved"]', has_text="Stoppen met de opleiding")
    ).to_have_count(1)
    expect(conflict.locator('[data-version="yours"]', has_text="Wil naar de zorg")).to_have_count(1)
    assert_accessible(page, context="#route-panel")
    if os.environ.get("KOERS_SCREENSHOTS"):
        page.screenshot(path=os.environ["KOERS_SCREENSHOTS"] + "/conflict.png", full_page=True)
    # Nothing was overwritten.
    # The form keeps what the mentor typed, to adjust and save again deliberately.
    expect(panel.locator("#id_advice_0")).to_be_checked()
    expect(panel.locator("#id_perspective_note")).to_have_value("Wil naar de zorg")
    from roadmap.models import StudyAdviceStep

    saved = StudyAdviceStep.objects.get(enrolment=enrolment)
    assert saved.advice == "stop"
    assert saved.perspective_note == ""
