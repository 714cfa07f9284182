"""The leerplicht officer prepares a Doorstroomtafel in real Chromium on the demo data:
candidates from open signals, a mentor's proposal, reordering, finalising, the PDF; then
minutes with an action for the Doorstroompunt coach, which lands on the coach's start
page."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from doorstroomtafel.models import AgendaItem, Meeting
from monitoring.models import Signal

from .conftest import assert_accessible, login

TABLE = "Doorstroomtafel Noord-Kennemerland"
ACTION = "Browsertest: huisbezoek plannen"


def test_leerplicht_prepares_finalises_and_minutes_a_case_table(page, live_server, demo_data):
    meeting = Meeting.objects.get(table__name=TABLE, status="planned")
    url = f"{live_server.url}/doorstroomtafel/{meeting.public_id}/"
    login(page, live_server, "leerplicht@nhn.demo")
    # The coming meeting is on the start page.
    page.locator('[data-panel="casetable-meetings"]').get_by_role("link", name=TABLE).first.click()
    expect(page).to_have_url(url)

    # Candidates come from open signals of the table's sub-region; their list is loaded
    # when the preparer opens it.
    expect(page.locator("tr.candidate")).to_have_count(0)
    page.locator("#candidates summary").click()
    candidates = page.locator("tr.candidate")
    expect(candidates.first).to_be_visible()
    name = candidates.first.get_attribute("data-student")
    from_signals = set(
        Signal.objects.filter(
            status="open", kind__in=["dropout", "next_step_check", "job_lost", "no_next_step"]
        ).values_list("student__public_id", flat=True)
    )
    shown = [
        (
            row.locator('input[name="student"]').get_attribute("value"),
            row.get_attribute("data-kinds"),
        )
        for row in candidates.all()
    ]
    assert any(public_id in from_signals for public_id, _kinds in shown)
    for public_id, kinds in shown:
        assert public_id in from_signals or kinds == "study_advice_stop"
    candidates.first.locator('[data-action="add-candidate"]').click()
    expect(page.locator(f'.agenda-item[data-student="{name}"]')).to_have_count(1)

    # The mentor's proposal appears for the preparer to accept.
    proposal = page.locator(".proposal").first
    proposed = proposal.get_attribute("data-student")
    proposal.locator('[data-action="accept-proposal"]').click()
    expect(page.locator(f'.agenda-item[data-student="{proposed}"]')).to_have_attribute(
        "data-origin", "proposal"
    )

    # Reorder: the last item moves up one place.
    items = page.locator(".agenda-item")
    count = items.count()
    last = items.nth(count - 1).get_attribute("data-student")
    items.nth(count - 1).locator('[data-action="move-up"]').click()
    expect(page.locator(".agenda-item").nth(count - 2)).to_have_attribute("data-student", last)
    assert_accessible(page)

    page.locator('[data-action="finalise"]').click()
    expect(page.locator("[data-meeting-status]")).to_have_attribute(
        "data-meeting-status", "agenda_final"
    )
    href = page.locator('[data-action="agenda-pdf"]').get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # Too early: the meeting is two weeks ahead, so it cannot be marked held yet.
    page.locator('[data-action="held"]').click()
    expect(page.locator("#transition-errors")).to_contain_text("pas vanaf die dag")
    # The day of the meeting has come; it is held; the minutes give the coach an action.
    Meeting.objects.filter(pk=meeting.pk).update(date=timezone.localdate())
    page.goto(url)
    page.locator('[data-action="held"]').click()
    expect(page.locator("[data-meeting-status]")).to_have_attribute("data-meeting-status", "held")
    first = page.locator(".agenda-item").first
    first.get_by_label("Besproken").fill("Besproken met school en Doorstroompunt")
    first.get_by_label("Besluit").fill("Het Doorstroompunt neemt de regie")
    first.locator('[data-action="save-minutes"]').click()
    first = page.locator(".agenda-item").first
    first.get_by_label("Wat").fill(ACTION)
    first.get_by_label("Wie").select_option(label="Dennis Pronk (dsp@nhn.demo)")
    due = timezone.localdate() + timedelta(days=7)
    first.get_by_label("Uiterlijk op").fill(due.isoformat())
    first.locator('[data-action="add-action"]').click()
    expect(page.locator(".agenda-item").first).to_contain_text(ACTION)
    # The other items were left empty: they are named, and a second, explicit
    # confirmation finalises the minutes.
    page.locator('[data-action="minutes-final"]').click()
    expect(page.locator("#confirm-empty-reason")).to_be_visible()
    expect(page.locator("[data-meeting-status]")).to_have_attribute("data-meeting-status", "held")
    assert_accessible(page)
    page.get_by_label("Ja, maak het verslag definitief met deze lege punten").check()
    page.locator('[data-action="minutes-final-confirm"]').click()
    expect(page.locator("[data-meeting-status]")).to_have_attribute(
        "data-meeting-status", "minutes_final"
    )
    assert AgendaItem.objects.filter(meeting=meeting, actions__what=ACTION).exists()

    page.context.clear_cookies()
    login(page, live_server, "dsp@nhn.demo")
    expect(page.locator('[data-panel="casetable-actions"]')).to_contain_text(ACTION)
    assert_accessible(page)
