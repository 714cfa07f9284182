"""The 10-working-day reminder for referrals still waiting for an answer (REFERRALS.md).

Working days are Monday to Friday; public holidays are not taken into account (the
spec does not ask for them, and a day early is harmless for a reminder).

`referral_reminders(today=D)` is registered with the monitoring sweep. It keeps one
signal per side (the sender's and the receiver's) per identity (student, kind, due
date, no enrolment), so a second run on the same day writes nothing, and closes the
reminders whose referral was answered or withdrawn.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import OrganisationKind

REMINDER_WORKING_DAYS = 10
SENDER_KIND = "referral_waiting_sender"
RECEIVER_KIND = "referral_waiting_receiver"
SOURCE = "referrals"

# The sender's signal goes into the sender's normal attention list.
ASSIGNEE_FOR_KIND = {
    OrganisationKind.SCHOOL: "school",
    OrganisationKind.LEERPLICHT: "leerplicht",
    OrganisationKind.DOORSTROOMPUNT: "doorstroompunt",
}


def add_working_days(day: date, days: int) -> date:
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def reminder_due(sent_on: date) -> date:
    """The last working day the referral may wait; the day after it is overdue."""
    return add_working_days(sent_on, REMINDER_WORKING_DAYS)


def is_overdue(referral, today: date) -> bool:
    return (
        referral.status == "sent"
        and referral.sent_at is not None
        and reminder_due(timezone.localtime(referral.sent_at).date()) < today
    )


def latest_overdue_sent_on(today: date) -> date:
    """Referrals sent on or before this day are overdue on `today`."""
    day = today
    # Walk back until a send day's due date falls before today.
    while reminder_due(day) >= today:
        day -= timedelta(days=1)
    return day


def referral_reminders(*, today: date):
    from monitoring.models import Signal, SignalEvent, SignalStatus

    from .models import Referral

    sent_by = latest_overdue_sent_on(today)
    waiting = Referral.objects.filter(
        status="sent", sent_at__lt=_start_of_next_day(sent_by)
    ).values_list(
        "student_id",
        "sent_at",
        "from_organisation_id",
        "from_organisation__kind",
        "to_organisation_id",
    )
    wanted = {}
    for student_id, sent_at, from_id, from_kind, to_id in waiting:
        due = reminder_due(timezone.localtime(sent_at).date())
        wanted[(student_id, SENDER_KIND, due)] = (
            ASSIGNEE_FOR_KIND.get(from_kind, "school"),
            from_id,
        )
        wanted[(student_id, RECEIVER_KIND, due)] = ("receiver", to_id)
    now = timezone.now()
    opened = closed = 0
    with transaction.atomic():
        existing = {
            (s, k, d): (pk, status)
            for pk, s, k, d, status in Signal.objects.filter(source=SOURCE).values_list(
                "pk", "student_id", "kind", "due_date", "status"
            )
        }
        new = [
            Signal(
                student_id=student_id,
                kind=kind,
                source=SOURCE,
                assignee=assignee,
                organisation_id=organisation_id,
                due_date=due,
                status=SignalStatus.OPEN,
                opened_at=now,
            )
            for (student_id, kind, due), (assignee, organisation_id) in wanted.items()
            if (student_id, kind, due) not in existing
        ]
        for signal in new:
            signal.save()
        SignalEvent.objects.bulk_create(
            SignalEvent(signal=s, action=SignalEvent.Action.OPENED, at=now, for_date=today)
            for s in new
        )
        opened = len(new)
        stale = [
            pk
            for identity, (pk, status) in existing.items()
            if status == SignalStatus.OPEN and identity not in wanted
        ]
        if stale:
            closed = Signal.objects.filter(pk__in=stale, status=SignalStatus.OPEN).update(
                status=SignalStatus.CLOSED, closed_reason="rules", closed_at=now
            )
            SignalEvent.objects.bulk_create(
                SignalEvent(
                    signal_id=pk,
                    action=SignalEvent.Action.CLOSED,
                    at=now,
                    for_date=today,
                    reason="rules",
                )
                for pk in stale
            )
    return {"opened": opened, "closed": closed}


def _start_of_next_day(day: date):
    from datetime import datetime, time

    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
