"""The young person's own view (issue 18) in real Chromium, on a phone-sized screen.

The mentor invites; the student makes a passkey with Chrome's virtual authenticator
(DevTools' WebAuthn domain), signs out and in again with it, sees their route, the
access log of the views this test made, the disclosure of a referral, downloads their
copy (built in the background behind a progress bar) and asks for a correction that the
coordinator then sees and answers. axe finds nothing serious on any of these pages.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Organisation, User
from portal import services as portal_services
from portal import tasks as portal_tasks
from portal.models import DataCopy, RightsRequest, SignIn
from students.models import LegalBasis
from students.services import disclosure_record
from tests.factories import EnrolmentFactory, StudentFactory

from .conftest import assert_accessible, login

MENTOR = "mentor@horizon.demo"
COORDINATOR = "coordinator@horizon.demo"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def student(demo_accounts):
    from referrals.models import Referral

    today = timezone.localdate()
    student = StudentFactory(
        first_name="Noa",
        last_name="Visser",
        email="noa@example.test",
        mentor=User.objects.get(email=MENTOR),
        date_of_birth=today - timedelta(days=17 * 366),
    )
    EnrolmentFactory(student=student, start_date=today - timedelta(days=60))
    horizon = Organisation.objects.get(name="Horizon College")
    wi = Organisation.objects.get(name="Werk en Inkomen Noord-Holland Noord")
    referral = Referral.objects.create(
        student=student,
        kind="general",
        from_organisation=horizon,
        to_organisation=wi,
        created_by=User.objects.get(email=MENTOR),
        status="sent",
        question="Hulp bij werk zoeken.",
        sections=["contact"],
        legal_basis=LegalBasis.CONSENT,
        consent_given_by="Noa Visser",
        consent_given_on=today,
    )
    disclosure_record(
        student=student,
        actor=User.objects.get(email=MENTOR),
        from_organisation=horizon,
        to_organisation=wi,
        sections=["contact"],
        legal_basis=LegalBasis.CONSENT,
        consent_given_by="Noa Visser",
        consent_given_on=today,
        source="referral",
        source_id=referral.pk,
    )
    return student


@pytest.fixture
def queued_copies(monkeypatch, settings, tmp_path):
    """The copy's task is sent but not run: the test runs it while the page polls."""
    settings.MEDIA_ROOT = tmp_path
    sent = []
    monkeypatch.setattr(portal_tasks.build_copy, "delay", lambda copy_id: sent.append(copy_id))
    return sent


def virtual_authenticator(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp


def passkey_sign_in(page, live_server):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/mijn/inloggen/")
    assert_accessible(page)
    page.get_by_role("button", name="Inloggen met je passkey").click()
    page.wait_for_url(f"{live_server.url}/mijn/")


def test_student_signs_in_with_a_passkey_and_uses_their_own_view(
    page, live_server, student, queued_copies
):
    # The mentor opens the file (logged) and invites the student.
    login(page, live_server, MENTOR)
    page.goto(f"{live_server.url}/students/{student.public_id}/")
    page.get_by_role("button", name="Student uitnodigen").click()
    expect(page.get_by_text("De uitnodiging is verstuurd")).to_be_visible()
    link = re.search(r"http://\S+/mijn/uitnodiging/\S+/", mail.outbox[-1].body).group(0)

    # The student, on a phone, makes a passkey from the invitation.
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    virtual_authenticator(page)
    page.goto(link)
    assert_accessible(page)
    page.get_by_role("button", name="Passkey maken").click()
    page.wait_for_url(f"{live_server.url}/mijn/")

    # Signs out and in again with the passkey.
    page.get_by_role("button", name="Uitloggen").click()
    passkey_sign_in(page, live_server)
    assert SignIn.objects.filter(account__student=student, method="passkey").count() == 2

    # My route.
    expect(page.get_by_role("heading", name="Hoi Noa, dit is je route")).to_be_visible()
    expect(page.get_by_text("Volgende stap:")).to_be_visible()
    expect(page.get_by_text("Werk en Inkomen Noord-Holland Noord: verstuurd")).to_be_visible()
    assert_accessible(page)

    # Who looked: the mentor's view of the file, as role and organisation.
    page.get_by_role("link", name="Wie keek").click()
    views = page.locator(".access-views li")
    expect(views.filter(has_text="Mentor — je dossier bekeken").first).to_be_visible()
    expect(page.get_by_text("Horizon College")).to_be_visible()
    assert "Mirjam" not in page.content()
    assert_accessible(page)

    # What was shared, and why.
    page.get_by_role("link", name="Gedeeld").click()
    disclosure = page.locator(".disclosure").first
    expect(disclosure).to_contain_text("Werk en Inkomen Noord-Holland Noord")
    expect(disclosure).to_contain_text("Toestemming")
    expect(disclosure.get_by_role("button", name="Toestemming intrekken")).to_be_visible()
    assert_accessible(page)

    # My rights: the copy, behind a progress bar, then both files.
    page.get_by_role("link", name="Mijn rechten").click()
    page.get_by_role("button", name="Maak een kopie").click()
    expect(page.locator("#copy-progress")).to_be_visible()
    assert_accessible(page)
    assert len(queued_copies) == 1
    portal_services.data_copy_build(copy_id=queued_copies[0])
    pdf_link = page.get_by_role("link", name="Download als PDF (om te lezen)")
    expect(pdf_link).to_be_visible(timeout=15_000)
    with page.expect_download() as download:
        pdf_link.click()
    assert download.value.suggested_filename == "mijn-gegevens-koers.pdf"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download als JSON (voor een computer)").click()
    assert download.value.suggested_filename == "mijn-gegevens-koers.json"
    assert DataCopy.objects.get().status == "done"

    # A correction request.
    page.get_by_label("Wat klopt er niet?").select_option(label="telefoonnummer")
    page.get_by_label("Wat moet het zijn? Leg kort uit.").fill("Mijn nummer is veranderd.")
    page.get_by_role("button", name="Verzoek versturen").click()
    expect(page.get_by_text("Je verzoek is verstuurd")).to_be_visible()
    expect(page.locator(".rights-request")).to_contain_text("in behandeling")
    assert_accessible(page)

    # The coordinator sees it and answers.
    page.context.clear_cookies()
    login(page, live_server, COORDINATOR)
    page.goto(f"{live_server.url}/verzoeken/")
    assert_accessible(page)
    page.get_by_role("link", name="Noa Visser").click()
    expect(page.locator(".rights-note")).to_contain_text("Mijn nummer is veranderd.")
    assert_accessible(page)
    page.get_by_label("Antwoord aan de student").fill("Aangepast in de administratie.")
    page.get_by_role("button", name="Antwoord versturen").click()
    expect(page.get_by_text("Uw antwoord is opgeslagen")).to_be_visible()
    assert RightsRequest.objects.get().status == "answered"

    # The student sees the answer.
    passkey_sign_in(page, live_server)
    page.get_by_role("link", name="Mijn rechten").click()
    expect(page.locator(".rights-request")).to_contain_text("Aangepast in de administratie.")
    expect(page.locator(".rights-request")).to_contain_text("beantwoord")
