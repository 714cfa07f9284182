from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from monitoring.models import Signal, SignalEvent
from monitoring.queries import attention_list
from referrals import services
from referrals.models import Referral
from referrals.reminders import (
    RECEIVER_KIND,
    SENDER_KIND,
    add_working_days,
    referral_reminders,
)
from tests.factories import organisation

from .conftest import make_referral

WI = "Werk en Inkomen Noord-Holland Noord"


def sent_on(referral, day):
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=10)))
    )


def test_working_days_skip_weekends_only():
    # Monday 2 Nov 2026 + 10 working days = Monday 16 Nov (no holidays are counted).
    assert add_working_days(date(2026, 11, 2), 10) == date(2026, 11, 16)
    assert add_working_days(date(2026, 11, 6), 1) == date(2026, 11, 9)


@pytest.fixture
def waiting(mentor, student):
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    sent_on(referral, date(2026, 11, 2))
    return referral


def test_no_reminder_within_ten_working_days(waiting):
    assert referral_reminders(today=date(2026, 11, 16)) == {"opened": 0, "closed": 0}
    assert not Signal.objects.exists()


def test_reminder_for_sender_and_receiver_after_ten_working_days(waiting, coordinator):
    result = referral_reminders(today=date(2026, 11, 17))
    assert result["opened"] == 2
    signals = {s.kind: s for s in Signal.objects.filter(source="referrals")}
    assert signals[SENDER_KIND].organisation == organisation("Horizon College")
    assert signals[SENDER_KIND].assignee == "school"
    assert signals[RECEIVER_KIND].organisation == organisation(WI)
    assert signals[SENDER_KIND].due_date == date(2026, 11, 16)
    assert SignalEvent.objects.filter(action="opened").count() == 2
    # The school sees its reminder in the normal attention list.
    assert [s.kind for s in attention_list(coordinator, today=date(2026, 11, 17))] == [SENDER_KIND]


def test_reminders_are_idempotent(waiting):
    referral_reminders(today=date(2026, 11, 17))
    assert referral_reminders(today=date(2026, 11, 17)) == {"opened": 0, "closed": 0}
    assert referral_reminders(today=date(2026, 11, 18)) == {"opened": 0, "closed": 0}
    assert Signal.objects.count() == 2
    assert SignalEvent.objects.count() == 2


def test_an_answer_closes_the_reminders(waiting, wi):
    referral_reminders(today=date(2026, 11, 17))
    services.referral_accept(referral=waiting, actor=wi)
    assert referral_reminders(today=date(2026, 11, 18))["closed"] == 2
    assert not Signal.objects.filter(status="open").exists()


def test_the_receivers_inbox_marks_the_overdue_referral(waiting, wi, client):
    client.force_login(wi)
    sent_on(waiting, timezone.localdate() - timedelta(days=1))
    assert "Wacht langer" not in client.get("/").content.decode()
    sent_on(waiting, timezone.localdate() - timedelta(days=30))
    # The inbox computes overdue from the send date against today.
    page = client.get("/").content.decode()
    assert "Wacht langer dan 10 werkdagen" in page
    assert escape(waiting.student.last_name) not in page


def test_the_sweep_runs_the_reminder_check():
    from monitoring.sweep import registered_checks

    assert "referral_reminders" in registered_checks()
