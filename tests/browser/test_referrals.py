"""Warm handover and the Flexservice in real Chromium.

1. The mentor sends an overgangsdocument with chosen sections to W&I; W&I cannot see
   the student before accepting (404 on the file, nothing on the referral page) and sees
   exactly the shared sections after; the disclosure is on the student's page; the PDF
   renders (its text is read with pdftotext).
2. The intake desk of ROC Mondriaan registers a young person, records the intake and
   places them in a programme; the student and enrolment exist and the results count it.
"""

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from referrals.models import IntakeRegistration, Referral
from students.models import Disclosure, Enrolment, Student
from tests.factories import EnrolmentFactory, StudentFactory

from .conftest import assert_accessible, login

MENTOR = "mentor@horizon.demo"
WI_NAME = "Werk en Inkomen Noord-Holland Noord"


@pytest.fixture
def student(demo_accounts):
    today = timezone.localdate()
    student = StudentFactory(
        first_name="Sem",
        last_name="Koopmans",
        email="sem@example.test",
        mentor=User.objects.get(email=MENTOR),
        date_of_birth=today - timedelta(days=18 * 365),
    )
    EnrolmentFactory(student=student, start_date=today - timedelta(days=300))
    return student


def relogin(page, live_server, email):
    page.context.clear_cookies()
    login(page, live_server, email)


def test_mentor_sends_an_overgangsdocument_to_wi_who_sees_only_the_shared_sections(
    page, live_server, student
):
    login(page, live_server, MENTOR)
    page.goto(f"{live_server.url}/students/{student.public_id}/")
    page.get_by_role("link", name="Overgangsdocument naar W&I").click()
    page.get_by_label("Aan organisatie").select_option(label=WI_NAME)
    page.get_by_label("Vraag aan de ontvanger").fill("Begeleiding bij de start van werk.")
    page.get_by_role("checkbox", name="Contactgegevens").check()
    page.get_by_role("checkbox", name="Samenvatting van de route").uncheck()
    page.get_by_role("checkbox", name="Ondersteuningsbehoefte").check()
    page.locator("#id_support_needs").fill("Een vaste jobcoach.")
    page.get_by_role("radio", name="Wettelijke taak").check()
    page.get_by_label("Wet en artikel (bij wettelijke taak)").fill("Participatiewet art. 7")
    page.get_by_role("textbox", name="Huidige situatie").fill(
        "Rondt Entree af met een leerwerkplek."
    )
    page.get_by_role("textbox", name="Urenbeperking").fill("Maximaal 24 uur per week")
    assert_accessible(page)
    page.get_by_role("button", name="Concept opslaan").click()
    expect(page.locator("[data-referral-status]")).to_have_attribute(
        "data-referral-status", "draft"
    )
    page.get_by_role("button", name="Versturen").click()
    expect(page.locator("[data-referral-status]")).to_have_attribute("data-referral-status", "sent")
    referral = Referral.objects.get(student=student)
    assert sorted(referral.sections) == ["contact", "overgangsdocument", "support_needs"]

    # W&I before accepting: no file, no name, no sections.
    relogin(page, live_server, "wi@nhn.demo")
    response = page.goto(f"{live_server.url}/students/{student.public_id}/")
    assert response.status == 404
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Bekijken en beslissen").click()
    expect(page.get_by_role("button", name="Accepteren")).to_be_visible()
    assert "Koopmans" not in page.content()
    assert page.locator("[data-section]").count() == 0
    assert_accessible(page)
    page.get_by_role("button", name="Accepteren").click()

    # After accepting: exactly the shared sections.
    expect(page.locator("[data-referral-status]")).to_have_attribute(
        "data-referral-status", "accepted"
    )
    shown = sorted(
        page.locator("[data-section]").evaluate_all("els => els.map(e => e.dataset.section)")
    )
    assert shown == ["contact", "overgangsdocument", "support_needs"]
    expect(page.get_by_role("heading", level=1).filter(has_text="Sem Koopmans")).to_be_visible()
    assert "sem@example.test" in page.content()
    assert_accessible(page)
    # The student's page shows the same shared sections, never the whole file.
    assert page.goto(f"{live_server.url}/students/{student.public_id}/").status == 200
    shown_on_page = sorted(
        page.locator("[data-section]").evaluate_all("els => els.map(e => e.dataset.section)")
    )
    assert shown_on_page == ["contact", "overgangsdocument", "support_needs"]
    expect(page.locator("#h-enrolments")).to_have_count(0)
    assert_accessible(page)

    # The PDF renders, with the document's text.
    pdf = page.request.get(
        f"{live_server.url}/verwijzingen/{referral.public_id}/overgangsdocument.pdf"
    )
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    body = pdf.body()
    assert body.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=body, capture_output=True, check=True
        ).stdout.decode()
        assert "Overgangsdocument" in text
        assert "Rondt Entree af met een leerwerkplek." in text
        assert "Maximaal 24 uur per week" in text
        assert "Sem Koopmans" in text

    # The mentor finds the disclosure on the student's page.
    relogin(page, live_server, MENTOR)
    page.goto(f"{live_server.url}/students/{student.public_id}/")
    disclosures = page.locator("section[aria-labelledby=disclosures-heading]")
    expect(disclosures).to_contain_text(WI_NAME)
    expect(disclosures).to_contain_text("Participatiewet art. 7")
    assert Disclosure.objects.filter(student=student, source_id=referral.pk).count() == 1


def test_intake_desk_registers_and_places_a_young_person_and_the_results_count_it(
    page, live_server, demo_accounts
):
    login(page, live_server, "loket@mondriaan.demo")
    page.get_by_role("link", name="Jongere aanmelden").click()
    page.get_by_label("Voornaam").fill("Yara")
    page.get_by_label("Achternaam").fill("Benali")
    page.get_by_label("Geboortedatum").fill("2008-04-12")
    page.get_by_label("Woongemeente").select_option(label="Delft")
    page.get_by_role("combobox", name="Aangemeld door").select_option(
        label="Leerplicht / RMC / RBL"
    )
    page.get_by_label("Vraag").fill("Welke opleiding past na een jaar thuis?")
    assert_accessible(page)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.locator("[data-registration-status]")).to_have_attribute(
        "data-registration-status", "new"
    )
    page.get_by_label("Intakedatum").fill(timezone.localdate().isoformat())
    page.get_by_label("Verslag intake").fill("Gesprek met Yara en haar moeder.")
    page.get_by_role("button", name="Intake opslaan").click()
    expect(page.locator("[data-registration-status]")).to_have_attribute(
        "data-registration-status", "in_intake"
    )
    page.get_by_label("Geplaatst in een opleiding").check()
    page.get_by_label("Opleiding", exact=True).fill("Medewerker ICT")
    page.get_by_label("Niveau").select_option(label="Mbo 3")
    page.get_by_label("Startdatum").fill(timezone.localdate().isoformat())
    assert_accessible(page)
    page.get_by_role("button", name="Uitkomst opslaan").click()
    expect(page.locator("[data-registration-status]")).to_have_attribute(
        "data-registration-status", "closed"
    )

    registration = IntakeRegistration.objects.get(first_name="Yara")
    student = Student.objects.get(first_name="Yara", last_name="Benali")
    enrolment = Enrolment.objects.get(student=student)
    assert registration.student == student
    assert (enrolment.institution.name, enrolment.level, enrolment.programme) == (
        "ROC Mondriaan",
        "3",
        "Medewerker ICT",
    )

    page.goto(f"{live_server.url}/verwijzingen/resultaten/")
    total = page.locator('[data-results="total"]')
    expect(total.locator('[data-figure="supported"]')).to_have_attribute("data-numerator", "1")
    expect(total.locator('[data-figure="intake"]')).to_have_attribute("data-numerator", "1")
    expect(total.locator('[data-figure="intake"]')).to_have_attribute("data-denominator", "1")
    expect(total.locator('[data-figure="share_high"]')).to_have_attribute("data-numerator", "1")
    assert_accessible(page)
