"""The attention list in real Chromium, on the demo data (whose seeder runs the checks):
the mentor, the leerplicht officer and the Doorstroompunt coach each see exactly their
own organisation's open signals, and each closes one from the start page."""

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from monitoring.models import Signal, SignalStatus
from monitoring.queries import attention_list

from .conftest import assert_accessible, login

LIST = "section[aria-labelledby='home-attention']"


def expected_rows(email):
    """What the attention list's first page must show: (student name, kind) of the
    user's most urgent signals (the list pages by KOERS_PAGE_SIZE, issue 15)."""
    user = User.objects.get(email=email)
    signals = attention_list(user, today=timezone.localdate())[: settings.KOERS_PAGE_SIZE]
    return user, sorted((s.student.full_name, s.kind) for s in signals)


def shown_rows(page):
    rows = page.locator(f"{LIST} tr.signal-row")
    return sorted(
        (
            rows.nth(i).locator("td").first.inner_text().strip(),
            rows.nth(i).get_attribute("data-kind"),
        )
        for i in range(rows.count())
    )


def first_signal(page):
    row = page.locator(f"{LIST} tr.signal-row").first
    return row, int(row.get_attribute("data-signal"))


def open_form(row, summary, action):
    """Issue 16: the row's form is not on the start page; opening it loads it (htmx)."""
    segment = {"resolve": "afhandelen", "dismiss": "afwijzen"}[action]
    assert row.locator(f"form[action$='/{segment}/']").count() == 0
    row.locator("summary", has_text=summary).click()
    expect(row.locator(f"form[action$='/{segment}/']")).to_have_count(1)


@pytest.mark.parametrize(
    ("email", "action", "assignees"),
    [
        ("mentor@horizon.demo", "resolve", {"school"}),
        ("leerplicht@nhn.demo", "resolve", {"leerplicht"}),
        ("dsp@nhn.demo", "dismiss", {"doorstroompunt"}),
    ],
)
def test_each_role_sees_only_its_own_signals_and_closes_one(
    page, live_server, demo_data, email, action, assignees
):
    user, expected = expected_rows(email)
    assert expected, f"the demo data gives {email} open signals"
    organisation = user.active_membership.organisation
    # Every signal on the list is this organisation's, of its kind of assignee.
    for signal in attention_list(user, today=timezone.localdate()):
        assert signal.assignee in assignees
        if assignees == {"school"}:  # the mentor: school signals of their own students
            assert signal.student.mentor_id == user.pk
        else:
            assert signal.organisation_id == organisation.pk

    login(page, live_server, email)
    expect(page.locator(LIST)).to_be_visible()
    assert shown_rows(page) == expected
    others = Signal.objects.filter(status=SignalStatus.OPEN).exclude(
        pk__in=[s.pk for s in attention_list(user, today=timezone.localdate())]
    )
    assert others.exists(), "other organisations have open signals the list must not show"
    assert_accessible(page)

    row, pk = first_signal(page)
    if action == "resolve":
        open_form(row, "Afhandelen", action)
        # A signal that asks for a step labels the note as the reason to close without it.
        row.locator("textarea[name='note']").fill("Gebeld, vervolgafspraak gemaakt.")
        row.get_by_role("button", name="Afhandelen").click()
        expect(page.get_by_text("Het signaal is afgehandeld.")).to_be_visible()
    else:
        open_form(row, "Afwijzen", action)
        row.get_by_label("Reden").fill("Jongere is verhuisd naar een andere regio.")
        row.get_by_role("button", name="Afwijzen").click()
        expect(page.get_by_text("Het signaal is afgewezen.")).to_be_visible()

    expect(page.locator(f"{LIST} tr.signal-row[data-signal='{pk}']")).to_have_count(0)
    signal = Signal.objects.get(pk=pk)
    assert signal.status == (
        SignalStatus.RESOLVED if action == "resolve" else SignalStatus.DISMISSED
    )
    assert signal.closed_by == user
    assert signal.note
    # One fewer open signal: the page shows the rest, up to a page (issue 15: paged).
    remaining = attention_list(user, today=timezone.localdate()).count()
    assert len(shown_rows(page)) == min(remaining, settings.KOERS_PAGE_SIZE)
