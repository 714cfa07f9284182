"""The calendar and the notification bell in real Chromium (issue 19, parts 5 and 7).

1. A mentor opens the calendar: this month shows the due start step of their student by
   first name; the keyboard reaches "Volgende maand" and the week page; the pages pass
   axe; a student of another mentor never appears.
2. The mentor sends a referral to W&I: the W&I consultant's bell says "1 ongelezen
   melding"; following the notification opens the referral and the bell empties.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from students.models import LegalBasis
from tests.factories import EnrolmentFactory, make_user

from .conftest import assert_accessible, login

MENTOR = "mentor@horizon.demo"
WI = "wi@nhn.demo"


@pytest.fixture
def students(demo_accounts):
    today = timezone.localdate()
    mentor = User.objects.get(email=MENTOR)
    other = make_user("mentor9@horizon.test", "mentor", "Horizon College")
    # Start step due today (start + 28 days) for the mentor's own student.
    own = EnrolmentFactory(
        student__first_name="Anouk",
        student__mentor=mentor,
        student__date_of_birth=today - timedelta(days=18 * 365),
        start_date=today - timedelta(days=28),
    ).student
    EnrolmentFactory(
        student__first_name="Zoltan", student__mentor=other, start_date=today - timedelta(days=28)
    )
    return mentor, own


def test_mentor_sees_the_due_step_in_this_months_calendar(page, live_server, students):
    login(page, live_server, MENTOR)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Kalender").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("Anouk")
    expect(table).to_contain_text("Stap op de route")
    expect(page.locator("main")).not_to_contain_text("Zoltan")
    today_cell = page.locator('td[aria-current="date"]')
    expect(today_cell).to_contain_text("Anouk")
    assert_accessible(page)
    # Keyboard: tab to the next month and press Enter.
    next_link = page.get_by_role("link", name="Volgende maand")
    next_link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/kalender/?maand=*")
    expect(page.locator("main")).not_to_contain_text("Anouk")
    page.get_by_role("link", name="Week", exact=True).click()
    expect(page.get_by_role("table")).to_contain_text("Anouk")
    assert_accessible(page)


def test_the_bell_counts_a_referral_received_and_empties_when_followed(page, live_server, students):
    from referrals import services

    mentor, student = students
    wi_user = User.objects.get(email=WI)
    referral = services.referral_create(
        actor=mentor,
        student=student,
        to_organisation=wi_user.memberships.get().organisation,
        sections=["contact"],
        question="Kunnen jullie begeleiding naar werk bieden?",
        legal_basis=LegalBasis.WETTELIJKE_TAAK,
        legal_reference="WEB art. 8.1.8a",
    )
    services.referral_send(referral=referral, actor=mentor)
    login(page, live_server, WI)
    bell = page.locator("#notification-bell")
    expect(bell).to_contain_text("1 ongelezen melding")
    bell.click()
    expect(page.get_by_role("heading", name="Meldingen")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Verwijzing ontvangen")
    # Not accepted yet: W&I does not see the student, so the list names nobody.
    expect(page.locator("main")).not_to_contain_text("Anouk")
    assert_accessible(page)
    page.get_by_role("link", name="Nieuwe verwijzing van Horizon College").click()
    page.wait_for_url(f"**/verwijzingen/{referral.public_id}/")
    expect(page.locator("#notification-bell")).to_contain_text("Geen ongelezen meldingen")
