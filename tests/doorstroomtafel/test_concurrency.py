"""No lost update (issue 13): every editable record of the case table carries the version
the user read; a stale save is refused with both versions side by side, and a tampered
version is a form error, never a 500."""

from datetime import timedelta

import pytest
from django.test import Client

from doorstroomtafel import services
from doorstroomtafel.forms import CaseTableForm
from doorstroomtafel.models import ActionItem, AgendaItem, Meeting, MeetingStatus
from students.services import ConcurrentEditError

from .conftest import add, hold, make_student

pytestmark = pytest.mark.django_db


def url(meeting, tail):
    return f"/doorstroomtafel/{meeting.public_id}/{tail}"


def test_two_people_saving_the_same_preparation_note_lose_nothing(
    client, meeting, dropout, leerplicht, dsp
):
    item = add(meeting, dropout, leerplicht)
    read_version = item.version  # both opened the page now
    client.force_login(leerplicht)
    first = client.post(
        url(meeting, f"punten/{item.pk}/notitie/"),
        {"preparation_note": "Eerste tekst", "version": read_version},
    )
    assert first.status_code == 302
    other = Client()
    other.force_login(dsp)
    second = other.post(
        url(meeting, f"punten/{item.pk}/notitie/"),
        {"preparation_note": "Tweede tekst", "version": read_version},
    )
    assert second.status_code == 409
    page = second.content.decode()
    assert 'data-conflict="true"' in page
    assert "Eerste tekst" in page
    assert "Tweede tekst" in page
    assert "Notitie opgeslagen" not in page
    item.refresh_from_db()
    assert item.preparation_note == "Eerste tekst"
    # Saving again from the conflict page carries the saved version: a deliberate choice.
    again = other.post(
        url(meeting, f"punten/{item.pk}/notitie/"),
        {"preparation_note": "Tweede tekst", "version": item.version},
    )
    assert again.status_code == 302
    item.refresh_from_db()
    assert item.preparation_note == "Tweede tekst"


def test_the_note_service_refuses_a_stale_version(meeting, dropout, leerplicht, dsp):
    item = add(meeting, dropout, leerplicht)
    services.item_note_save(item=item, note="A", actor=leerplicht, expected_version=1)
    with pytest.raises(ConcurrentEditError):
        services.item_note_save(item=item, note="B", actor=dsp, expected_version=1)
    assert AgendaItem.objects.get(pk=item.pk).preparation_note == "A"


def test_a_stale_minutes_save_is_refused_side_by_side(
    client, past_meeting, dropout, leerplicht, dsp
):
    item = add(past_meeting, dropout, leerplicht)
    hold(past_meeting, leerplicht)
    item.refresh_from_db()
    read_version = item.version
    client.force_login(leerplicht)
    path = url(past_meeting, f"punten/{item.pk}/verslag/")
    ok = client.post(path, {"discussion": "Versie A", "decision": "", "version": read_version})
    assert ok.status_code == 302
    client.force_login(dsp)
    stale = client.post(path, {"discussion": "Versie B", "decision": "", "version": read_version})
    assert stale.status_code == 409
    assert "Versie A" in stale.content.decode()
    assert "Versie B" in stale.content.decode()
    item.refresh_from_db()
    assert item.discussion == "Versie A"


def test_a_stale_move_is_refused(client, meeting, leerplicht, dsp, today):
    items = [
        add(meeting, make_student(today=today, last_name=f"S{n}"), leerplicht) for n in range(3)
    ]
    meeting.refresh_from_db()
    read_version = meeting.version
    client.force_login(leerplicht)
    ok = client.post(
        url(meeting, f"punten/{items[2].pk}/verplaats/"),
        {"direction": "up", "version": read_version},
    )
    assert ok.status_code == 302
    client.force_login(dsp)
    stale = client.post(
        url(meeting, f"punten/{items[0].pk}/verplaats/"),
        {"direction": "down", "version": read_version},
    )
    assert stale.status_code == 409
    order = list(meeting.items.order_by("position").values_list("pk", flat=True))
    assert order == [items[0].pk, items[2].pk, items[1].pk]


def test_a_stale_status_step_is_refused(client, meeting, dropout, leerplicht, dsp, today):
    add(meeting, dropout, leerplicht)
    meeting.refresh_from_db()
    read_version = meeting.version
    # Someone changes the meeting's details meanwhile.
    services.meeting_update(
        meeting=meeting,
        data={"place": "Ander lokaal"},
        actor=dsp,
        expected_version=read_version,
    )
    client.force_login(leerplicht)
    stale = client.post(url(meeting, "status/finalise/"), {"version": read_version})
    assert stale.status_code == 409
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.PLANNED


def test_the_meeting_details_service_refuses_a_stale_version(meeting, leerplicht, dsp):
    services.meeting_update(
        meeting=meeting, data={"place": "A"}, actor=leerplicht, expected_version=meeting.version
    )
    with pytest.raises(ConcurrentEditError):
        services.meeting_update(
            meeting=meeting, data={"place": "B"}, actor=dsp, expected_version=meeting.version
        )
    assert Meeting.objects.get(pk=meeting.pk).place == "A"


def test_a_stale_action_done_is_refused(client, past_meeting, dropout, leerplicht, dsp):
    item = add(past_meeting, dropout, leerplicht)
    hold(past_meeting, leerplicht)
    action = services.action_add(
        item=item, what="Bellen", owner=dsp, due_date=past_meeting.date, actor=leerplicht
    )
    ActionItem.objects.filter(pk=action.pk).update(version=action.version + 1)  # changed since
    client.force_login(dsp)
    stale = client.post(
        f"/doorstroomtafel/actie/{action.pk}/afgerond/", {"version": action.version, "next": "/"}
    )
    assert stale.status_code == 409
    assert ActionItem.objects.get(pk=action.pk).status == "open"


def test_a_stale_table_settings_save_is_refused(table, leerplicht, dsp):
    data = {
        "name": "Nieuwe naam",
        "scope_kind": table.scope_kind,
        "region": table.region_id,
        "subregion": table.subregion_id,
        "member_organisations": list(table.member_organisations.values_list("pk", flat=True)),
        "member_users": [leerplicht.pk],
        "is_active": "on",
        "version": table.version,
    }
    services.table_members_set(
        table=table,
        member_organisations=list(table.member_organisations.all()),
        member_users=[leerplicht, dsp],
        actor=None,
        expected_version=table.version,
    )
    form = CaseTableForm(data, instance=table)
    assert not form.is_valid()
    assert "Opgeslagen versie" in " ".join(form.non_field_errors())
    with pytest.raises(ConcurrentEditError):
        services.table_members_set(
            table=table,
            member_organisations=list(table.member_organisations.all()),
            member_users=[leerplicht],
            actor=None,
            expected_version=data["version"],
        )


@pytest.mark.parametrize("tampered", ["99999999999", "-1", "abc", ""])
def test_a_tampered_version_is_a_form_error_never_a_500(
    client, meeting, past_meeting, dropout, leerplicht, tampered
):
    item = add(meeting, dropout, leerplicht)
    held_item = add(past_meeting, make_student(today=past_meeting.date), leerplicht)
    hold(past_meeting, leerplicht)
    action = services.action_add(
        item=held_item,
        what="Bellen",
        owner=leerplicht,
        due_date=past_meeting.date,
        actor=leerplicht,
    )
    client.force_login(leerplicht)
    posts = [
        (url(meeting, f"punten/{item.pk}/notitie/"), {"preparation_note": "X"}),
        (url(meeting, f"punten/{item.pk}/verplaats/"), {"direction": "down"}),
        (url(meeting, "status/finalise/"), {}),
        (url(past_meeting, f"punten/{held_item.pk}/verslag/"), {"discussion": "X"}),
    ]
    for path, data in posts:
        response = client.post(path, {**data, "version": tampered})
        assert response.status_code == 400, path
    done = client.post(
        f"/doorstroomtafel/actie/{action.pk}/afgerond/", {"version": tampered, "next": "/"}
    )
    assert done.status_code == 302
    assert ActionItem.objects.get(pk=action.pk).status == "open"
    assert AgendaItem.objects.get(pk=item.pk).preparation_note == ""
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.PLANNED
    data = {
        "name": "X",
        "scope_kind": "region",
        "region": meeting.table.region_id,
        "member_organisations": [],
        "version": tampered,
    }
    form = CaseTableForm(data, instance=meeting.table)
    assert not form.is_valid()
    assert "version" in form.errors


def test_a_stale_save_of_the_meeting_details_is_refused_side_by_side(
    client, meeting, leerplicht, dsp, today
):
    read_version = meeting.version
    path = f"/doorstroomtafel/{meeting.public_id}/"
    details = {"date": meeting.date.isoformat(), "start_time": "", "video_link": ""}
    client.force_login(leerplicht)
    ok = client.post(path, {**details, "place": "Zaal A", "version": read_version})
    assert ok.status_code == 302
    other = Client()
    other.force_login(dsp)
    stale = other.post(path, {**details, "place": "Zaal B", "version": read_version})
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "Zaal A" in page
    assert "Zaal B" in page
    assert Meeting.objects.get(pk=meeting.pk).place == "Zaal A"
    # The details form checks the date too, on its field.
    past = other.post(
        path,
        {
            **details,
            "date": (today - timedelta(days=1)).isoformat(),
            "place": "Zaal B",
            "version": Meeting.objects.get(pk=meeting.pk).version,
        },
    )
    assert past.status_code == 400
    assert 'data-error="date"' in past.content.decode()
    tampered = other.post(path, {**details, "place": "Zaal C", "version": "99999999999"})
    assert tampered.status_code == 400
    assert Meeting.objects.get(pk=meeting.pk).place == "Zaal A"
