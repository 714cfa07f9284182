"""Issue 13, the case table's write paths: organisations stay apart. Agenda additions
(a student in the table's scope and visible to the preparer, else 404), mentor
proposals, action owners and the lead (only the meeting's member organisations and
participants: a field error, or 404 where the record itself is outside)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from doorstroomtafel import services
from doorstroomtafel.models import ActionItem, AgendaItem, Proposal
from tests.doorstroomtafel import conftest as tafel
from tests.doorstroomtafel.conftest import add, hold, make_signal, make_student
from tests.factories import make_user

pytestmark = pytest.mark.django_db

# The case table's fixtures (a Noord-Kennemerland table, a meeting a week ahead, one held
# ten days ago, a dropout with an open signal), shared with tests/doorstroomtafel.
table = tafel.table
meeting = tafel.meeting
past_meeting = tafel.past_meeting
dropout = tafel.dropout
today = tafel.today


def test_leerplicht_haaglanden_adding_a_horizon_student_to_an_nhn_agenda_is_a_404(
    client, meeting, leerplicht_haaglanden, today
):
    student = make_student(today=today, last_name="Horizonstudent")
    make_signal(student, "dropout", today=today)
    client.force_login(leerplicht_haaglanden)
    path = f"/doorstroomtafel/{meeting.public_id}/punten/"
    by_candidate = client.post(path, {"student": student.public_id, "reason": "Uitval"})
    by_number = client.post(path, {"student_number": student.student_number, "reason": "Uitval"})
    assert by_candidate.status_code == 404
    assert by_number.status_code == 404
    assert not AgendaItem.objects.exists()


def test_a_student_outside_the_tables_scope_is_a_404_on_both_paths(
    client, meeting, leerplicht, today
):
    hoorn = make_student(today=today, town="Hoorn", age=16)  # West-Friesland, visible
    make_signal(hoorn, "dropout", today=today)
    client.force_login(leerplicht)
    path = f"/doorstroomtafel/{meeting.public_id}/punten/"
    assert client.post(path, {"student": hoorn.public_id, "reason": "X"}).status_code == 404
    assert (
        client.post(path, {"student_number": hoorn.student_number, "reason": "X"}).status_code
        == 404
    )
    assert not AgendaItem.objects.exists()


def test_a_student_the_preparer_cannot_see_is_not_added_by_number(
    client, meeting, leerplicht, today
):
    """A 19-year-old in the scope whom the rules do not propose: Leerplicht cannot see
    them, so typing their number is a 404 and the service refuses too."""
    adult = make_student(today=today, age=19, last_name="Volwassen")
    client.force_login(leerplicht)
    response = client.post(
        f"/doorstroomtafel/{meeting.public_id}/punten/",
        {"student_number": adult.student_number, "reason": "X"},
    )
    assert response.status_code == 404
    with pytest.raises(services.AgendaAccessError):
        services.item_add(
            meeting=meeting, student=adult, reason="X", origin="manual", actor=leerplicht
        )
    with pytest.raises(services.AgendaAccessError):
        services.item_add(
            meeting=meeting, student=adult, reason="X", origin="signal", actor=leerplicht
        )
    assert not AgendaItem.objects.exists()


def test_a_partner_at_the_table_cannot_add_to_the_agenda(client, meeting, startpunt, dropout):
    client.force_login(startpunt)
    response = client.post(
        f"/doorstroomtafel/{meeting.public_id}/punten/",
        {"student": dropout.public_id, "reason": "X"},
    )
    assert response.status_code == 404
    with pytest.raises(services.AgendaAccessError):
        services.item_add(
            meeting=meeting, student=dropout, reason="X", origin="signal", actor=startpunt
        )


def test_a_mentor_cannot_propose_another_mentors_student(
    client, meeting, mentor, other_mentor, today
):
    student = make_student(today=today, mentor=other_mentor, last_name="Andermans")
    client.force_login(mentor)
    response = client.post(
        f"/doorstroomtafel/voordragen/{student.public_id}/",
        {"meeting": meeting.pk, "reason": "Verzuim"},
    )
    assert response.status_code == 404
    with pytest.raises(services.AgendaAccessError):
        services.proposal_create(meeting=meeting, student=student, reason="X", actor=mentor)
    assert not Proposal.objects.exists()


def test_an_action_owned_outside_the_table_is_refused(
    client, past_meeting, dropout, leerplicht, leerplicht_haaglanden
):
    item = add(past_meeting, dropout, leerplicht)
    hold(past_meeting, leerplicht)
    care = make_user("zorg@elders.test", "jongeren_startpunt", "Jongerenstartpunt")
    for outsider in (leerplicht_haaglanden, care):
        with pytest.raises(ValidationError) as refused:
            services.action_add(
                item=item,
                what="Bellen",
                owner=outsider,
                due_date=past_meeting.date,
                actor=leerplicht,
            )
        assert "owner" in refused.value.message_dict
    client.force_login(leerplicht)
    response = client.post(
        f"/doorstroomtafel/{past_meeting.public_id}/punten/{item.pk}/actie/",
        {
            "what": "Bellen",
            "owner": leerplicht_haaglanden.pk,
            "due_date": past_meeting.date.isoformat(),
        },
    )
    assert response.status_code == 400
    assert "neemt niet deel aan dit overleg" in response.content.decode()
    assert not ActionItem.objects.exists()


def test_an_action_may_go_to_a_person_invited_from_another_organisation(
    past_meeting, dropout, leerplicht, wi
):
    item = add(past_meeting, dropout, leerplicht)
    past_meeting.invited_users.add(wi)
    hold(past_meeting, leerplicht)
    action = services.action_add(
        item=item, what="Uitkering", owner=wi, due_date=past_meeting.date, actor=leerplicht
    )
    assert action.owner_organisation == wi.memberships.get().organisation


def test_the_lead_stays_within_the_tables_organisations_and_participants(
    client, past_meeting, dropout, leerplicht, leerplicht_haaglanden
):
    item = add(past_meeting, dropout, leerplicht)
    hold(past_meeting, leerplicht)
    outside = leerplicht_haaglanden.memberships.get().organisation
    with pytest.raises(ValidationError) as refused:
        services.minutes_save(item=item, data={"lead_organisation": outside}, actor=leerplicht)
    assert "lead_organisation" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.minutes_save(
            item=item, data={"lead_user": leerplicht_haaglanden}, actor=leerplicht
        )
    assert "lead_user" in refused.value.message_dict
    item.refresh_from_db()
    client.force_login(leerplicht)
    response = client.post(
        f"/doorstroomtafel/{past_meeting.public_id}/punten/{item.pk}/verslag/",
        {"discussion": "X", "lead_organisation": outside.pk, "version": item.version},
    )
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.lead_organisation is None
    assert item.discussion == ""


def test_an_item_of_another_meeting_is_a_404(client, meeting, past_meeting, dropout, leerplicht):
    other_item = add(past_meeting, dropout, leerplicht)
    client.force_login(leerplicht)
    response = client.post(
        f"/doorstroomtafel/{meeting.public_id}/punten/{other_item.pk}/notitie/",
        {"preparation_note": "X", "version": other_item.version},
    )
    assert response.status_code == 404


def test_planning_at_a_table_the_user_does_not_stand_at_is_a_404(
    client, table, leerplicht_haaglanden, today
):
    client.force_login(leerplicht_haaglanden)
    response = client.post(
        f"/doorstroomtafel/tafel/{table.pk}/overleg/",
        {"date": (today + timedelta(days=3)).isoformat(), "place": "X"},
    )
    assert response.status_code == 404
