"""Minutes: locked when final (addenda only), actions, carry-over, overdue signals."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import escape

from doorstroomtafel import services
from doorstroomtafel.models import AgendaItem, ItemOrigin, MeetingStatus
from monitoring.models import Signal, SignalEvent
from monitoring.sweep import run_sweep

from .conftest import add, hold

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(past_meeting, dropout, leerplicht):
    add(past_meeting, dropout, leerplicht)
    return hold(past_meeting, leerplicht)


def minutes(item, actor, **data):
    values = {"discussion": "Besproken", "decision": "Besluit"} | data
    return services.minutes_save(item=item, data=values, actor=actor)


def test_minutes_are_written_per_item_with_lead_and_history(held, leerplicht, dsp):
    item = held.items.get()
    dsp_org = dsp.memberships.get().organisation
    minutes(item, leerplicht, lead_organisation=dsp_org, lead_user=dsp)
    item.refresh_from_db()
    assert (item.discussion, item.lead_organisation, item.lead_user) == ("Besproken", dsp_org, dsp)
    change = held.changes.get(action="minutes")
    assert change.changes["discussion"] == {"old": "", "new": "Besproken"}


def test_finalised_minutes_cannot_be_changed_only_amended(held, leerplicht, client):
    item = held.items.get()
    minutes(item, leerplicht)
    services.minutes_finalise(meeting=held, actor=leerplicht)

    with pytest.raises(services.MeetingStateError):
        minutes(item, leerplicht, discussion="Anders")
    with pytest.raises(services.MeetingStateError):
        services.action_add(
            item=item, what="Te laat", owner=leerplicht, due_date=held.date, actor=leerplicht
        )
    client.force_login(leerplicht)
    client.post(
        f"/doorstroomtafel/{held.public_id}/punten/{item.pk}/verslag/",
        {"discussion": "Via de pagina", "decision": "Ook anders"},
    )
    item.refresh_from_db()
    assert (item.discussion, item.decision) == ("Besproken", "Besluit")

    addendum = services.addendum_add(
        meeting=held, item=item, text="Correctie: de moeder was aanwezig.", actor=leerplicht
    )
    assert addendum.author == leerplicht
    assert addendum.at is not None
    page = client.get(f"/doorstroomtafel/{held.public_id}/").content.decode()
    assert "Correctie: de moeder was aanwezig." in page


def test_an_addendum_needs_final_minutes(held, leerplicht):
    with pytest.raises(services.MeetingStateError):
        services.addendum_add(meeting=held, text="Te vroeg", actor=leerplicht)


def test_the_minutes_cannot_be_finalised_twice(held, leerplicht, dsp):
    services.minutes_finalise(meeting=held, actor=leerplicht, confirm_empty=True)
    with pytest.raises(services.MeetingStateError):
        services.minutes_finalise(meeting=held, actor=dsp, confirm_empty=True)
    held.refresh_from_db()
    assert held.status == MeetingStatus.MINUTES_FINAL


def test_an_item_with_an_open_action_carries_over_to_the_next_planned_meeting(
    held, leerplicht, dsp, table, today, dropout
):
    following = services.meeting_create(
        table=table, date=held.date + timedelta(days=28), place="Stadhuis", actor=leerplicht
    )
    item = held.items.get()
    services.action_add(item=item, what="Bellen", owner=dsp, due_date=today, actor=leerplicht)
    services.minutes_finalise(meeting=held, actor=leerplicht, confirm_empty=True)

    carried = AgendaItem.objects.get(meeting=following, student=dropout)
    assert carried.origin == ItemOrigin.CARRIED_OVER
    assert carried.carried_from == item
    # A meeting planned later picks the item up as well, once.
    later = services.meeting_create(
        table=table, date=held.date + timedelta(days=56), place="Stadhuis", actor=leerplicht
    )
    assert later.items.filter(student=dropout).count() == 1


def test_an_item_whose_actions_are_done_does_not_carry_over(held, leerplicht, dsp, table, today):
    item = held.items.get()
    action = services.action_add(
        item=item, what="Bellen", owner=dsp, due_date=today, actor=leerplicht
    )
    services.action_complete(action=action, actor=dsp)
    services.minutes_finalise(meeting=held, actor=leerplicht, confirm_empty=True)
    following = services.meeting_create(
        table=table, date=held.date + timedelta(days=28), place="Stadhuis", actor=leerplicht
    )
    assert not following.items.exists()


def test_an_overdue_action_raises_one_signal_for_its_owner(held, leerplicht, dsp, today, dropout):
    item = held.items.get()
    action = services.action_add(
        item=item, what="Bellen", owner=dsp, due_date=today - timedelta(days=1), actor=leerplicht
    )
    services.action_add(
        item=item,
        what="Niet te laat",
        owner=dsp,
        due_date=today + timedelta(days=5),
        actor=leerplicht,
    )

    first = run_sweep(today)
    second = run_sweep(today)

    signals = Signal.objects.filter(source="doorstroomtafel")
    assert signals.count() == 1
    signal = signals.get()
    assert (signal.student, signal.kind, signal.due_date, signal.status) == (
        dropout,
        "action_overdue",
        action.due_date,
        "open",
    )
    assert signal.organisation == dsp.memberships.get().organisation
    assert signal.assignee == "doorstroompunt"
    assert first.checks["doorstroomtafel_overdue_actions"]["opened"] == 1
    assert second.checks["doorstroomtafel_overdue_actions"] == {"opened": 0, "closed": 0}
    assert SignalEvent.objects.filter(signal=signal).count() == 1

    services.action_complete(action=action, actor=dsp)
    signal.refresh_from_db()
    assert signal.status == "closed"
    run_sweep(today)
    assert Signal.objects.filter(source="doorstroomtafel").count() == 1


def test_an_action_is_completed_once(held, leerplicht, dsp, today):
    action = services.action_add(
        item=held.items.get(), what="Bellen", owner=dsp, due_date=today, actor=leerplicht
    )
    services.action_complete(action=action, actor=dsp)
    with pytest.raises(ValidationError):
        services.action_complete(action=action, actor=dsp)


def test_the_minutes_selects_show_the_chosen_lead_and_a_refused_actions_owner(
    held, leerplicht, dsp, client
):
    # The options are built once for the page (views._item_choices); per item only the
    # chosen one is marked.
    item = held.items.get()
    dsp_org = dsp.memberships.get().organisation
    minutes(item, leerplicht, lead_organisation=dsp_org, lead_user=dsp)
    client.force_login(leerplicht)
    page = f"/doorstroomtafel/{held.public_id}/"

    content = client.get(page).content.decode()
    # Escaped as the page escapes them: a generated name may hold an apostrophe.
    assert f'<option value="{dsp_org.pk}" selected>{escape(dsp_org)}</option>' in content
    lead_label = escape(f"{dsp} ({dsp.email})")
    assert f'<option value="{dsp.pk}" selected>{lead_label}</option>' in content
    # The lead only: the new action's owner is not chosen yet.
    assert content.count(f'<option value="{dsp.pk}" selected>') == 1

    refused = client.post(
        f"{page}punten/{item.pk}/actie/", {"what": "", "owner": dsp.pk, "due_date": ""}
    )
    assert refused.status_code == 400
    assert refused.content.decode().count(f'<option value="{dsp.pk}" selected>') == 2
