"""The 10-working-day reminder for referrals still waiting for an answer (REFERRALS.md).

Working days are Monday to Friday; public holidays are not taken into account (the
spec does not ask for them, and a day early is harmless for a reminder).

`referral_reminders(today=D)` is registered with the monitoring sweep. It says which
reminders it wants open, one per side (the sender's and the receiver's) per identity
(student, kind, due date, no enrolment); the one signal writer (monitoring.signals_sync)
opens them, closes the reminders whose referral was answered or withdrawn, and makes a
second run on the same day write nothing.
"""

from datetime import date, timedelta

from django.utils import timezone

from monitoring.models import Assignee
from monitoring.signals_sync import Wanted, assignee_for, signals_sync

REMINDER_WORKING_DAYS = 10
SENDER_KIND = "referral_waiting_sender"
RECEIVER_KIND = "referral_waiting_receiver"
SOURCE = "referrals"


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


def wanted_reminders(today: date) -> list[Wanted]:
    """The reminders the referrals waiting on `today` ask for. The sender's goes into
    the sender's normal attention list (a partner that is not a school, Leerplicht or
    Doorstroompunt: the school's), the receiver's to the receiving organisation."""
    from .models import Referral

    sent_by = latest_overdue_sent_on(today)
    waiting = (
        Referral.objects.filter(status="sent", sent_at__lt=_start_of_next_day(sent_by))
        .order_by("sent_at", "pk")
        .values_list(
            "student_id",
            "sent_at",
            "from_organisation_id",
            "from_organisation__kind",
            "to_organisation_id",
        )
    )
    wanted = []
    for student_id, sent_at, from_id, from_kind, to_id in waiting:
        due = reminder_due(timezone.localtime(sent_at).date())
        wanted.append(
            Wanted(
                student_id=student_id,
                kind=SENDER_KIND,
                due_date=due,
                assignee=assignee_for(from_kind, Assignee.SCHOOL),
                organisation_id=from_id,
            )
        )
        wanted.append(
            Wanted(
                student_id=student_id,
                kind=RECEIVER_KIND,
                due_date=due,
                assignee=Assignee.RECEIVER,
                organisation_id=to_id,
            )
        )
    return wanted


def referral_reminders(*, today: date):
    written = signals_sync(SOURCE, wanted_reminders(today), today)
    return {"opened": written.opened, "closed": written.closed}


def _start_of_next_day(day: date):
    from datetime import datetime, time

    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
