"""The case table notifies: an action's owner, and everyone invited when the agenda is final."""

from accounts.models import Notification, NotificationKind
from doorstroomtafel import services

from .conftest import add


def test_finalising_the_agenda_notifies_the_recipients(meeting, dropout, leerplicht, dsp):
    add(meeting, dropout, leerplicht)
    services.agenda_finalise(meeting=meeting, actor=leerplicht)
    recipients = {u.pk for u in services.meeting_recipients(meeting)}
    rows = Notification.objects.filter(kind=NotificationKind.AGENDA_FINAL)
    assert {row.user_id for row in rows} == recipients
    assert dsp.pk in recipients
    assert all(row.url == f"/doorstroomtafel/{meeting.public_id}/" for row in rows)
    assert all(dropout.last_name not in row.text for row in rows)


def test_finalising_without_notify_sends_nothing(meeting, dropout, leerplicht):
    add(meeting, dropout, leerplicht)
    services.agenda_finalise(meeting=meeting, actor=leerplicht, notify=False)
    assert not Notification.objects.exists()


def test_an_action_notifies_its_owner(past_meeting, dropout, leerplicht, dsp):
    from .conftest import hold

    item = add(past_meeting, dropout, leerplicht)
    hold(past_meeting, leerplicht)
    Notification.objects.all().delete()
    services.action_add(
        item=item, what="Bellen", owner=dsp, due_date=past_meeting.date, actor=leerplicht
    )
    row = Notification.objects.get()
    assert row.user == dsp
    assert row.kind == NotificationKind.ACTION_ASSIGNED
    assert row.student_id == dropout.pk
    assert dropout.last_name not in row.text
