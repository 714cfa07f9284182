"""Logging in through the real login page, in Chromium, and its accessibility."""

import re

from playwright.sync_api import expect

from .conftest import assert_accessible, login


def test_login_page_has_no_serious_accessibility_violations(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen bij Koers")
    assert_accessible(page)


def test_login_page_with_an_error_has_no_serious_accessibility_violations(
    page, live_server, demo_accounts
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mailadres").fill("mentor@horizon.demo")
    page.get_by_label("Wachtwoord").fill("not the password")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_text("Het e-mailadres of wachtwoord klopt niet.")).to_be_visible()
    assert_accessible(page)


def test_seeded_mentor_logs_in_through_the_form_and_sees_the_start_page(
    page, live_server, demo_data
):
    login(page, live_server, "mentor@horizon.demo")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_contain_text("Studenten")


def test_a_page_that_needs_login_sends_an_anonymous_visitor_to_the_login_page(page, live_server):
    page.goto(f"{live_server.url}/students/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/students/"))
