"""The agenda and minutes as documents (issue 15): rendered with long names and notes,
read back with `pdftotext -bbox-layout`: every word on an A4 page, page numbers, the
date and maker, the confidentiality footer, and a title that says "Doorstroomtafel"
once. The minutes PDF follows the meeting page's visibility and access logging."""

from datetime import timedelta

import pytest
from django.core import mail

from doorstroomtafel import services
from doorstroomtafel.documents import agenda_title, minutes_title
from students.models import AccessLog
from tests.pdfcheck import assert_fits_a4, pdf_pages

from .conftest import add, hold, make_student

pytestmark = pytest.mark.django_db

LONG_WORD = "https://voorbeeld.nl/dossier/" + "abcdefghij" * 12
LONG_NOTE = (
    "Moeder belt terug over de stage; de jongere wil graag naar een BBL-plek in de "
    "logistiek maar heeft nog geen werkgever gevonden. " * 6
) + LONG_WORD


def long_student(today, n=0):
    return make_student(
        today=today,
        first_name="Maximiliaan-Alexander Johannes",
        last_name=f"van den Oudenallemanshuizen-Vredenburgh{n}",
    )


def test_the_agenda_pdf_fits_a4_landscape_with_long_names_and_notes(
    client, meeting, leerplicht, today
):
    for n in range(6):
        item = add(meeting, long_student(today, n), leerplicht, reason="Uitval; " + "lang " * 50)
        services.item_note_save(item=item, note=LONG_NOTE, actor=leerplicht)
    client.force_login(leerplicht)

    response = client.get(f"/doorstroomtafel/{meeting.public_id}/agenda.pdf")

    assert response.status_code == 200
    pages = pdf_pages(response.content)
    assert len(pages) > 1  # so the footer and numbers are checked on more than one page
    assert_fits_a4(pages, landscape=True)
    text = " ".join(" ".join(page.text for page in pages).split())
    assert "Voorbereidingsnotitie" in text
    assert "Agenda Doorstroomtafel Noord-Kennemerland" in text
    assert "Doorstroomtafel Doorstroomtafel" not in text
    # Who made it: name and organisation.
    assert "Regionaal Bureau Leerplicht Noord-Holland Noord" in text
    assert leerplicht.last_name in text


def test_the_titles_and_the_agenda_mail_name_the_table_once(
    meeting, leerplicht, table, dropout, django_capture_on_commit_callbacks
):
    assert agenda_title(meeting).startswith("Agenda Doorstroomtafel Noord-Kennemerland, ")
    assert minutes_title(meeting).startswith("Verslag Doorstroomtafel Noord-Kennemerland, ")
    table.name = "Noord-Kennemerland"  # a name without the word gets it once
    assert agenda_title(meeting).startswith("Agenda Doorstroomtafel Noord-Kennemerland, ")

    table.name = "Doorstroomtafel Noord-Kennemerland"
    add(meeting, dropout, leerplicht)
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_finalise(meeting=meeting, actor=leerplicht)
    assert mail.outbox
    for message in mail.outbox:
        assert "Doorstroomtafel Doorstroomtafel" not in message.subject
        assert "Doorstroomtafel Doorstroomtafel" not in message.body
        assert message.subject.startswith("Agenda Doorstroomtafel Noord-Kennemerland")


def minuted_meeting(meeting, leerplicht, dsp, today, *, items=4):
    students = [long_student(today, n) for n in range(items)]
    for student in students:
        add(meeting, student, leerplicht)
    hold(meeting, leerplicht)
    for item in meeting.items.all():
        services.minutes_save(
            item=item,
            data={"discussion": LONG_NOTE, "decision": "Traject via het Doorstroompunt. " * 8},
            actor=leerplicht,
        )
        services.action_add(
            item=item,
            what="Gesprek plannen met de jongere en moeder; " + LONG_WORD,
            owner=dsp,
            due_date=meeting.date + timedelta(days=14),
            actor=leerplicht,
        )
    return students


@pytest.fixture
def held_meeting(past_meeting, leerplicht, dsp, today):
    minuted_meeting(past_meeting, leerplicht, dsp, today)
    return past_meeting


def test_the_minutes_pdf_fits_a4_and_shows_the_minutes(client, held_meeting, dsp):
    client.force_login(dsp)

    response = client.get(f"/doorstroomtafel/{held_meeting.public_id}/verslag.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "verslag-doorstroomtafel-" in response["Content-Disposition"]
    pages = pdf_pages(response.content)
    assert_fits_a4(pages)
    text = " ".join(" ".join(page.text for page in pages).split())
    assert "Verslag Doorstroomtafel Noord-Kennemerland" in text
    assert "Doorstroomtafel Doorstroomtafel" not in text
    for present in ("Besproken", "Besluit", "Regie", "Gesprek plannen met de jongere"):
        assert present in text, present
    # The minutes PDF shows what the page shows after the meeting, not the agenda's
    # minimum (no preparation notes, no open signals).
    assert "Voorbereidingsnotitie" not in text
    assert "Open signalen" not in text


def test_the_minutes_pdf_is_logged_like_the_agenda_pdf(client, held_meeting, dsp):
    client.force_login(dsp)
    client.get(f"/doorstroomtafel/{held_meeting.public_id}/verslag.pdf")
    log = AccessLog.objects.filter(user=dsp, action=AccessLog.Action.DOWNLOAD).latest("pk")
    assert log.detail == f"doorstroomtafel: verslag-pdf overleg {held_meeting.pk}"
    assert set(log.student_ids) == set(held_meeting.items.values_list("student_id", flat=True))


def test_the_minutes_pdf_stays_after_the_minutes_are_final_and_the_page_links_it(
    client, held_meeting, leerplicht
):
    client.force_login(leerplicht)
    page = client.get(f"/doorstroomtafel/{held_meeting.public_id}/").content.decode()
    assert 'data-action="minutes-pdf"' in page
    assert 'data-action="agenda-pdf"' in page  # held: the agenda PDF is still there
    assert client.get(f"/doorstroomtafel/{held_meeting.public_id}/agenda.pdf").status_code == 200

    services.minutes_finalise(meeting=held_meeting, actor=leerplicht, confirm_empty=True)

    page = client.get(f"/doorstroomtafel/{held_meeting.public_id}/").content.decode()
    assert 'data-action="minutes-pdf"' in page
    assert client.get(f"/doorstroomtafel/{held_meeting.public_id}/verslag.pdf").status_code == 200


def test_a_planned_meeting_has_no_minutes_pdf(client, meeting, leerplicht):
    client.force_login(leerplicht)
    page = client.get(f"/doorstroomtafel/{meeting.public_id}/").content.decode()
    assert 'data-action="minutes-pdf"' not in page
    assert client.get(f"/doorstroomtafel/{meeting.public_id}/verslag.pdf").status_code == 404


def test_the_minutes_pdf_is_a_404_for_anyone_who_does_not_see_the_meeting(
    client, held_meeting, mentor, caplog
):
    client.force_login(mentor)
    assert client.get(f"/doorstroomtafel/{held_meeting.public_id}/").status_code == 404
    assert client.get(f"/doorstroomtafel/{held_meeting.public_id}/verslag.pdf").status_code == 404
