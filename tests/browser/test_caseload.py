"""Caseloads and bulk actions in real Chromium (issue 19, parts 4 and 6): a coordinator
selects students in the list, assigns a mentor, confirms the count and sees the result;
a mentor filters their class by group."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from students.models import Student
from tests.factories import EnrolmentFactory, StudentFactory

from .conftest import assert_accessible, login


def enrolled(mentor=None, group="", **names):
    student = StudentFactory(mentor=mentor, **names)
    EnrolmentFactory(student=student, group_name=group)
    return student


@pytest.fixture
def people(demo_accounts):
    return {
        "mentor": User.objects.get(email="mentor@horizon.demo"),
        "mentor2": User.objects.get(email="mentor2@horizon.demo"),
    }


def test_coordinator_assigns_a_mentor_to_selected_students(page, live_server, people):
    first = enrolled(people["mentor"], first_name="Aafke", last_name="Aalders")
    second = enrolled(people["mentor"], first_name="Bente", last_name="Bakker")
    untouched = enrolled(people["mentor"], first_name="Cor", last_name="Claassen")
    login(page, live_server, "coordinator@horizon.demo")
    page.goto(f"{live_server.url}/students/")
    page.get_by_label(f"Selecteer {first.full_name}").check()
    page.get_by_label(f"Selecteer {second.full_name}").check()
    page.get_by_label("Met de gekozen studenten").select_option(label="Mentor toewijzen")
    page.locator("#bulk-students").get_by_role("button", name="Doorgaan").click()

    expect(page.get_by_test_id("bulk-count")).to_have_text("Dit verandert 2 studenten.")
    records = page.get_by_test_id("bulk-records")
    expect(records).to_contain_text("Aalders")
    expect(records).not_to_contain_text("Claassen")
    assert_accessible(page)
    mentor2 = people["mentor2"]
    page.get_by_label("Nieuwe mentor").select_option(label=mentor2.get_full_name())
    page.get_by_role("button", name="Toepassen op 2 regels").click()

    expect(page.get_by_text("2 studenten zijn gewijzigd.")).to_be_visible()
    assert set(Student.objects.filter(mentor=mentor2)) == {first, second}
    assert Student.objects.get(pk=untouched.pk).mentor == people["mentor"]
    # The student's history names the change.
    page.goto(f"{live_server.url}/students/{first.public_id}/")
    expect(page.locator("body")).to_contain_text(mentor2.get_full_name())


def test_mentor_filters_the_class_by_group(page, live_server, people):
    enrolled(people["mentor"], group="E1A", first_name="Daan", last_name="Dekker")
    enrolled(people["mentor"], group="E1B", first_name="Eva", last_name="Evers")
    login(page, live_server, "mentor@horizon.demo")
    page.get_by_role("link", name="Mijn klas").click()
    table = page.get_by_test_id("caseload-table")
    expect(table).to_contain_text("Dekker")
    expect(table).to_contain_text("Evers")
    page.get_by_label("Klas of groep").select_option("E1B")
    page.get_by_role("button", name="Filteren").click()
    expect(table).to_contain_text("Evers")
    expect(table).not_to_contain_text("Dekker")
    assert_accessible(page)
