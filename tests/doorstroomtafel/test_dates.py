"""Dates make sense (DOORSTROOMTAFEL.md): a meeting is planned today or later, marked held
on or after its date; an action is not due before the meeting; finalising minutes with
items left empty names them and asks to confirm. Each error on its field with the
reason, in the forms and the services. Dates are relative to the day the test runs."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from doorstroomtafel import services
from doorstroomtafel.forms import ActionForm, MeetingForm
from doorstroomtafel.models import ActionItem, Meeting, MeetingStatus

from .conftest import add, hold

pytestmark = pytest.mark.django_db


def test_a_meeting_cannot_be_planned_in_the_past(table, leerplicht, today):
    with pytest.raises(ValidationError) as refused:
        services.meeting_create(
            table=table, date=today - timedelta(days=1), place="Stadhuis", actor=leerplicht
        )
    assert list(refused.value.message_dict) == ["date"]
    assert not Meeting.objects.exists()
    services.meeting_create(table=table, date=today, place="Stadhuis", actor=leerplicht)
    form = MeetingForm({"date": today - timedelta(days=400), "place": "X"}, today=today)
    assert not form.is_valid()
    assert list(form.errors) == ["date"]


def test_the_planning_form_shows_the_date_error_on_its_field(client, table, leerplicht, today):
    client.force_login(leerplicht)
    response = client.post(
        f"/doorstroomtafel/tafel/{table.pk}/overleg/",
        {"date": (today - timedelta(days=1)).isoformat(), "place": "Stadhuis"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-error="date"' in page
    assert "vandaag of later" in page
    assert not Meeting.objects.exists()


def test_a_meeting_is_marked_held_only_on_or_after_its_date(client, meeting, dropout, leerplicht):
    add(meeting, dropout, leerplicht)
    services.agenda_finalise(meeting=meeting, actor=leerplicht, notify=False)
    with pytest.raises(ValidationError) as refused:
        services.meeting_mark_held(
            meeting=meeting, actor=leerplicht, today=meeting.date - timedelta(days=1)
        )
    assert list(refused.value.message_dict) == ["date"]
    client.force_login(leerplicht)
    meeting.refresh_from_db()
    response = client.post(
        f"/doorstroomtafel/{meeting.public_id}/status/held/", {"version": meeting.version}
    )
    # The fixture's meeting is a week ahead: too early, whatever today is.
    assert response.status_code == 400
    assert "pas vanaf die dag" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.AGENDA_FINAL
    services.meeting_mark_held(meeting=meeting, actor=leerplicht, today=meeting.date)
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.HELD


def test_an_action_is_not_due_before_the_meeting(client, past_meeting, dropout, leerplicht, dsp):
    item = add(past_meeting, dropout, leerplicht)
    hold(past_meeting, leerplicht)
    before = past_meeting.date - timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.action_add(item=item, what="Bellen", owner=dsp, due_date=before, actor=leerplicht)
    assert list(refused.value.message_dict) == ["due_date"]
    form = ActionForm(
        {"what": "Bellen", "owner": dsp.pk, "due_date": before},
        users=type(dsp).objects.filter(pk=dsp.pk),
        meeting=past_meeting,
    )
    assert not form.is_valid()
    assert list(form.errors) == ["due_date"]
    client.force_login(leerplicht)
    response = client.post(
        f"/doorstroomtafel/{past_meeting.public_id}/punten/{item.pk}/actie/",
        {"what": "Bellen", "owner": dsp.pk, "due_date": before.isoformat()},
    )
    assert response.status_code == 400
    assert 'data-error="due_date"' in response.content.decode()
    assert not ActionItem.objects.exists()
    services.action_add(
        item=item, what="Bellen", owner=dsp, due_date=past_meeting.date, actor=leerplicht
    )


def test_finalising_minutes_with_empty_items_names_them_and_asks_to_confirm(
    client, past_meeting, dropout, leerplicht, today
):
    from .conftest import make_student

    filled = add(past_meeting, make_student(today=today, last_name="Gevuld"), leerplicht)
    add(past_meeting, dropout, leerplicht)
    hold(past_meeting, leerplicht)
    services.minutes_save(item=filled, data={"discussion": "Besproken"}, actor=leerplicht)
    with pytest.raises(services.EmptyMinutesError) as refused:
        services.minutes_finalise(meeting=past_meeting, actor=leerplicht)
    assert [item.student for item in refused.value.items] == [dropout]
    assert "Daan Uitvaller" in refused.value.message_dict["confirm_empty"][0]

    client.force_login(leerplicht)
    past_meeting.refresh_from_db()
    path = f"/doorstroomtafel/{past_meeting.public_id}/status/minutes-final/"
    first = client.post(path, {"version": past_meeting.version})
    assert first.status_code == 400
    page = first.content.decode()
    assert "Daan Uitvaller" in page
    assert 'name="confirm_empty"' in page
    assert Meeting.objects.get(pk=past_meeting.pk).status == MeetingStatus.HELD
    second = client.post(path, {"version": past_meeting.version, "confirm_empty": "on"})
    assert second.status_code == 302
    assert Meeting.objects.get(pk=past_meeting.pk).status == MeetingStatus.MINUTES_FINAL
