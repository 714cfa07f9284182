"""The pages: pinned query counts, the PDF's minimum fields, the student's page and the
start page."""

import subprocess
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from doorstroomtafel import services
from doorstroomtafel.models import Proposal
from roadmap.models import AbaStep, ContactMoment, StudyAdviceStep
from students.models import AccessLog

from .conftest import add, hold, make_signal, make_student

pytestmark = pytest.mark.django_db

BSN = "111222333"
# Measured and pinned: the same for 1 and for 40 items (session, the user with their
# memberships, the meeting, items, enrolments with their steps, signals, organisations, members, history,
# the access-log row; a planned meeting adds the proposals for the preparer). The
# candidates are not on the page: they load when the preparer opens their list.
PLANNED_PAGE_QUERIES = 11
# The candidates' part (?deel=kandidaten): session, the user with their memberships, the meeting, then
# the candidates: the scope's municipalities, the page of students, their signals, their
# stop advice.
CANDIDATES_PART_QUERIES = 7
FINAL_PAGE_QUERIES = 10
PDF_QUERIES = 7


def fill(meeting, actor, count, today):
    for n in range(count):
        student = make_student(today=today, last_name=f"Student{n:02d}")
        make_signal(student, "dropout", today=today)
        StudyAdviceStep.objects.create(
            enrolment=student.enrolments.get(),
            date=today - timedelta(days=40),
            advice="stop",
            author=actor,
        )
        add(meeting, student, actor)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("size", [1, 40])
def test_the_agenda_page_and_pdf_use_a_fixed_number_of_queries(
    client, meeting, leerplicht, today, size
):
    fill(meeting, leerplicht, size, today)
    client.force_login(leerplicht)
    page = f"/doorstroomtafel/{meeting.public_id}/"
    pdf = f"/doorstroomtafel/{meeting.public_id}/agenda.pdf"
    client.get(page)  # warm the session
    assert count_queries(client, page) == PLANNED_PAGE_QUERIES
    services.agenda_finalise(meeting=meeting, actor=leerplicht)
    assert count_queries(client, page) == FINAL_PAGE_QUERIES
    assert count_queries(client, pdf) == PDF_QUERIES


@pytest.mark.parametrize("size", [1, 50])
def test_the_candidates_load_on_their_own_in_a_fixed_number_of_queries(
    client, meeting, leerplicht, mentor, today, size
):
    for n in range(size):
        student = make_student(today=today, last_name=f"Kandidaat{n:02d}")
        make_signal(student, "dropout", today=today)
        StudyAdviceStep.objects.create(
            enrolment=student.enrolments.get(),
            date=today - timedelta(days=10),
            advice="stop",
            author=mentor,
        )
    client.force_login(leerplicht)
    page = f"/doorstroomtafel/{meeting.public_id}/"
    client.get(page)  # warm the session

    # The page itself does not look for them: the list opens (htmx) or a link shows it.
    response = client.get(page)
    assert b'class="candidate"' not in response.content
    assert b"?deel=kandidaten" in response.content
    assert b'href="?kandidaten=tonen#candidates"' in response.content

    with CaptureQueriesContext(connection) as captured:
        part = client.get(page, {"deel": "kandidaten"}, HTTP_HX_REQUEST="true")
    assert part.status_code == 200
    assert len(captured) == CANDIDATES_PART_QUERIES
    assert b"<html" not in part.content
    assert part.content.count(b'<tr class="candidate"') == size
    assert b'data-action="add-candidate"' in part.content
    assert "HX-Request" in part["Vary"]

    # Without JavaScript: the page with the list open.
    shown = client.get(page, {"kandidaten": "tonen"})
    assert shown.content.count(b'<tr class="candidate"') == size
    assert b"<details open>" in shown.content


def test_only_the_preparer_of_a_planned_meeting_gets_the_candidates(
    client, meeting, dropout, leerplicht, coordinator
):
    page = f"/doorstroomtafel/{meeting.public_id}/"
    client.force_login(coordinator)  # sees the meeting, does not prepare it
    assert client.get(page).status_code == 200
    assert client.get(page, {"deel": "kandidaten"}, HTTP_HX_REQUEST="true").status_code == 404
    assert b'class="candidate"' not in client.get(page, {"kandidaten": "tonen"}).content

    client.force_login(leerplicht)
    # A refused candidate form comes back to the page with the list open.
    refused = client.post(f"{page}punten/", {"student": "", "reason": ""})
    assert refused.url == f"{page}?kandidaten=tonen#candidates"
    add(meeting, dropout, leerplicht)
    services.agenda_finalise(meeting=meeting, actor=leerplicht)
    assert client.get(page, {"deel": "kandidaten"}, HTTP_HX_REQUEST="true").status_code == 404


def pdf_text(content):
    result = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode()


def test_the_pdf_lists_only_the_minimum_fields(client, meeting, leerplicht, mentor, today):
    student = make_student(today=today, first_name="Fenna", last_name="Minimaal", bsn=BSN)
    signal = make_signal(student, "dropout", today=today)
    signal.note = "SIGNAALNOTITIE-GEHEIM"
    signal.save()
    enrolment = student.enrolments.get()
    StudyAdviceStep.objects.create(
        enrolment=enrolment,
        date=today - timedelta(days=60),
        advice="stop",
        note="STUDIEADVIES-NOTITIE-GEHEIM",
        author=mentor,
    )
    AbaStep.objects.create(
        enrolment=enrolment,
        date=today - timedelta(days=30),
        decision="apply",
        applied_date=today - timedelta(days=30),
        uwv_outcome="pending",
        doelgroepregister=True,
        note="ABA-NOTITIE-GEHEIM",
        author=mentor,
    )
    ContactMoment.objects.create(
        student=student,
        kind="other",
        date=today - timedelta(days=10),
        channel="phone",
        note="CONTACTNOTITIE-GEHEIM",
        author=mentor,
        author_organisation=mentor.memberships.get().organisation,
    )
    item = add(meeting, student, leerplicht, reason="Uitval; Stoppen met de opleiding")
    services.item_note_save(item=item, note="Voorbereiding: moeder belt terug", actor=leerplicht)
    client.force_login(leerplicht)

    response = client.get(f"/doorstroomtafel/{meeting.public_id}/agenda.pdf")

    assert response["Content-Type"] == "application/pdf"
    assert BSN not in response["Content-Disposition"]
    text = " ".join(pdf_text(response.content).split())
    for present in (
        "Fenna Minimaal",
        "19 jaar",
        "Horizon College",
        "Entree Assistent logistiek",
        "Uitval; Stoppen met de opleiding",
        "Stap 2 · Studieadvies",  # the latest step on the agenda: ABA is never one
        "Voorbereiding: moeder belt terug",
    ):
        assert present in text, present
    for absent in (BSN, "ABA", "doelgroepregister", "GEHEIM", student.student_number):
        assert absent not in text, absent
    assert AccessLog.objects.filter(action="download", student_ids=[student.pk]).exists()


def test_the_students_page_shows_discussion_decision_lead_and_actions(
    client, meeting, dropout, leerplicht, dsp, today
):
    item = add(meeting, dropout, leerplicht)
    hold(meeting, leerplicht)
    services.minutes_save(
        item=item,
        data={
            "discussion": "Besproken met school",
            "decision": "Doorstroompunt belt",
            "lead_organisation": dsp.memberships.get().organisation,
            "lead_user": dsp,
        },
        actor=leerplicht,
    )
    services.action_add(
        item=item, what="Gesprek plannen", owner=dsp, due_date=meeting.date, actor=leerplicht
    )
    client.force_login(dsp)
    page = client.get(f"/students/{dropout.public_id}/").content.decode()
    for text in (
        "Besproken met school",
        "Doorstroompunt belt",
        "Doorstroompunt Noord-Holland Noord",
        "Gesprek plannen",
    ):
        assert text in page


def test_an_action_is_on_its_owners_start_page_until_done(
    client, meeting, dropout, leerplicht, dsp, today
):
    item = add(meeting, dropout, leerplicht)
    hold(meeting, leerplicht)
    action = services.action_add(
        item=item,
        what="Huisbezoek afleggen",
        owner=dsp,
        due_date=meeting.date,
        actor=leerplicht,
    )
    client.force_login(dsp)
    assert "Huisbezoek afleggen" in client.get("/").content.decode()
    client.post(
        f"/doorstroomtafel/actie/{action.pk}/afgerond/", {"next": "/", "version": action.version}
    )
    assert "Huisbezoek afleggen" not in client.get("/").content.decode()


def test_a_mentor_proposes_from_the_students_page(client, meeting, mentor, today):
    student = make_student(today=today, mentor=mentor)
    client.force_login(mentor)
    page = client.get(f"/students/{student.public_id}/").content.decode()
    assert 'data-action="propose"' in page
    client.post(
        f"/doorstroomtafel/voordragen/{student.public_id}/",
        {"meeting": meeting.pk, "reason": "Twijfelt over de opleiding"},
    )
    assert Proposal.objects.filter(meeting=meeting, student=student, status="open").exists()


def test_the_meeting_page_logs_which_students_were_shown(client, meeting, dropout, leerplicht):
    add(meeting, dropout, leerplicht)
    client.force_login(leerplicht)
    client.get(f"/doorstroomtafel/{meeting.public_id}/")
    assert AccessLog.objects.filter(action="list_students", student_ids=[dropout.pk]).exists()


def test_a_partner_owning_an_action_sees_the_minimum_and_a_link_to_the_meeting_item(
    client, past_meeting, dropout, leerplicht, startpunt, dsp
):
    """The Jongeren Startpunt at the table, without an accepted referral, cannot open the
    student: its action shows the agenda's minimum and links to the meeting item, never
    to the student's page (a 404 for them)."""
    item = add(past_meeting, dropout, leerplicht, reason="Uitval, zoekt werk")
    hold(past_meeting, leerplicht)
    services.action_add(
        item=item,
        what="Kennismaken met de jongere",
        owner=startpunt,
        due_date=past_meeting.date,
        actor=leerplicht,
    )
    services.action_add(
        item=item, what="Nabellen", owner=dsp, due_date=past_meeting.date, actor=leerplicht
    )
    client.force_login(startpunt)
    assert client.get(f"/students/{dropout.public_id}/").status_code == 404
    home = client.get("/").content.decode()
    assert "Kennismaken met de jongere" in home
    assert "Daan Uitvaller" in home
    assert "Uitval, zoekt werk" in home  # the reason on the agenda
    assert "Entree Assistent logistiek" in home  # school and programme
    assert f"/students/{dropout.public_id}/" not in home
    assert f"/doorstroomtafel/{past_meeting.public_id}/#item-{item.pk}" in home
    assert client.get(f"/doorstroomtafel/{past_meeting.public_id}/").status_code == 200

    # The Doorstroompunt may open the student: its action links to the file.
    other = type(client)()
    other.force_login(dsp)
    assert f"/students/{dropout.public_id}/" in other.get("/").content.decode()


def test_the_proposal_form_asks_the_database_for_the_students_tables_only(
    meeting, mentor, leerplicht, today, django_assert_num_queries
):
    """Planned meetings of tables elsewhere in the country are not read to be compared
    in Python: with none covering the student, one query answers (no locations)."""
    from accounts.models import Region
    from doorstroomtafel.models import CaseTable, ScopeKind
    from doorstroomtafel.views import proposable_meetings

    elsewhere = CaseTable.objects.create(
        name="Doorstroomtafel Haaglanden",
        scope_kind=ScopeKind.REGION,
        region=Region.objects.get(name="Haaglanden"),
    )
    services.meeting_create(
        table=elsewhere, date=today + timedelta(days=3), place="Den Haag", actor=leerplicht
    )
    student = make_student(today=today, mentor=mentor)
    student.refresh_from_db()
    assert proposable_meetings(mentor, student, today=today) == [meeting]
    CaseTable.objects.filter(pk=meeting.table_id).update(is_active=False)
    student = type(student).objects.select_related("municipality").get(pk=student.pk)
    proposable_meetings(mentor, student, today=today)  # the write check is kept per request
    with django_assert_num_queries(1):
        assert proposable_meetings(mentor, student, today=today) == []


def test_a_coming_meeting_is_on_the_start_page_of_the_tables_members(
    client, table, leerplicht, today
):
    """The meetings panel has a presence (accounts.home): without a coming meeting it is
    left out, with one it lists it."""
    client.force_login(leerplicht)
    assert 'data-panel="casetable-meetings"' not in client.get("/").content.decode()
    services.meeting_create(
        table=table, date=today + timedelta(days=3), place="Stadhuis Alkmaar", actor=leerplicht
    )
    page = client.get("/").content.decode()
    assert 'data-panel="casetable-meetings"' in page
    assert table.name in page
