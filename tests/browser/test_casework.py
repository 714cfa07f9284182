"""Parents and the journal in real Chromium (issue 19, parts 1 and 2): a mentor adds a
parent and writes a note that the whole file may read; the leerplicht officer of the
student's region reads it, writes one of their own, and a colleague mentor's
"only me and my coordinator" note stays out of sight."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from tests.factories import EnrolmentFactory, StudentFactory, municipality

from .conftest import assert_accessible, login

MENTOR = "mentor@horizon.demo"
LEERPLICHT = "leerplicht@nhn.demo"


@pytest.fixture
def student(demo_accounts):
    today = timezone.localdate()
    mentor = User.objects.get(email=MENTOR)
    made = StudentFactory(
        first_name="Sem",
        last_name="Bakker",
        mentor=mentor,
        municipality=municipality("Hoorn"),
        date_of_birth=today - timedelta(days=16 * 365 + 30),
    )
    EnrolmentFactory(student=made)
    return made


def test_mentor_adds_a_parent_and_a_note_and_leerplicht_reads_it(page, live_server, student):
    login(page, live_server, MENTOR)
    page.goto(f"{live_server.url}/students/{student.public_id}/")
    panel = page.locator("#guardians-panel")
    expect(panel).to_contain_text("Geen ouders of contactpersonen vastgelegd.")
    panel.get_by_role("link", name="Contactpersoon toevoegen").click()
    page.get_by_label("Naam").fill("Els Bakker")
    page.get_by_label("Ouder", exact=True).check()
    page.locator('input[name="parental_authority"][value="yes"]').check()
    page.get_by_label("Telefoonnummer").fill("06-12345678")
    assert_accessible(page)
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("#guardians-panel")).to_contain_text("Els Bakker")

    page.locator("#journal-panel").get_by_role("link", name="Notitie schrijven").click()
    expect(page.locator("main")).to_contain_text("bijzondere persoonsgegevens")
    page.get_by_label("Telefoongesprek").check()
    page.locator('input[name="level"][value="file"]').check()
    page.get_by_label("Els Bakker").check()
    page.get_by_label("Verslag").fill("Moeder gebeld over de stage; afspraak volgende week.")
    assert_accessible(page)
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(f"**/journaal/{student.public_id}/")
    expect(page.locator("main")).to_contain_text("Moeder gebeld over de stage")
    expect(page.locator("main")).to_contain_text("Els Bakker")
    assert_accessible(page)

    page.context.clear_cookies()
    login(page, live_server, LEERPLICHT)
    page.goto(f"{live_server.url}/students/{student.public_id}/")
    expect(page.locator("#guardians-panel")).to_contain_text("Els Bakker")
    expect(page.locator("#journal-panel")).to_contain_text("Moeder gebeld over de stage")
    page.locator("#journal-panel").get_by_role("link", name="Notitie schrijven").click()
    page.get_by_label("Huisbezoek").check()
    page.locator('input[name="level"][value="organisation"]').check()
    page.get_by_label("Verslag").fill("Huisbezoek afgelegd, afspraken over aanwezigheid.")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(f"**/journaal/{student.public_id}/")
    expect(page.locator("main")).to_contain_text("Huisbezoek afgelegd")
    expect(page.locator("main")).to_contain_text("Moeder gebeld over de stage")

    # The mentor (another organisation) does not read Leerplicht's own note.
    page.context.clear_cookies()
    login(page, live_server, MENTOR)
    page.goto(f"{live_server.url}/journaal/{student.public_id}/")
    expect(page.locator("main")).to_contain_text("Moeder gebeld over de stage")
    expect(page.locator("main")).not_to_contain_text("Huisbezoek afgelegd")
