"""The daily e-mail digest: once per user per day, first names and links only."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from config.celery import app
from monitoring import digest
from monitoring.digest import send_daily_digests
from monitoring.models import DigestSent, Signal
from monitoring.sweep import run_sweep
from tests.factories import EnrolmentFactory, StudentFactory

pytestmark = pytest.mark.django_db
TODAY = date.today()


def minor_dropout(**fields):
    student = StudentFactory(date_of_birth=date(TODAY.year - 16, 1, 1), **fields)
    EnrolmentFactory(
        student=student,
        level="2",
        programme="Logistiek",
        start_date=date(TODAY.year - 1, 9, 1),
        end_date=date(TODAY.year - 1, 12, 1),
        end_reason="dropout",
    )
    return student


def test_the_digest_names_the_first_name_and_links_without_other_details(
    leerplicht, mailoutbox, settings
):
    settings.SITE_URL = "https://koers.example"
    student = minor_dropout(
        first_name="Ilse", last_name="Zwanenburg", student_number="987654", bsn="111222333"
    )
    run_sweep(TODAY)

    result = send_daily_digests(today=TODAY)

    assert result.sent == 1
    [mail] = mailoutbox
    assert mail.to == [leerplicht.email]
    text = mail.subject + mail.body
    assert "Ilse" in text
    assert f"https://koers.example/students/{student.public_id}/" in text
    for detail in ("Zwanenburg", "987654", "111222333"):
        assert detail not in text


def test_a_second_run_the_same_day_sends_nothing(leerplicht, dsp, mailoutbox):
    minor_dropout()
    minor_dropout()
    run_sweep(TODAY)
    first = send_daily_digests(today=TODAY)
    sent = len(mailoutbox)
    assert first.sent == sent >= 1

    again = send_daily_digests(today=TODAY)

    assert again.sent == 0
    assert len(mailoutbox) == sent
    assert DigestSent.objects.filter(date=TODAY).count() == sent


def test_a_user_claimed_by_an_overlapping_run_gets_no_second_mail(leerplicht, mailoutbox):
    minor_dropout()
    run_sweep(TODAY)
    # The other run claimed this user's day and is sending right now.
    DigestSent.objects.create(user=leerplicht, date=TODAY)

    result = send_daily_digests(today=TODAY)

    assert (result.sent, result.skipped_claimed) == (0, 1)
    assert mailoutbox == []


def test_the_claim_is_taken_before_sending_and_given_back_when_sending_fails(
    leerplicht, monkeypatch, mailoutbox
):
    minor_dropout()
    run_sweep(TODAY)
    claimed_while_sending = []

    def failing_send(*args, **kwargs):
        claimed_while_sending.append(DigestSent.objects.filter(user=leerplicht).exists())
        raise OSError("mail server down")

    monkeypatch.setattr(digest, "send_mail", failing_send)
    with pytest.raises(OSError, match="mail server down"):
        send_daily_digests(today=TODAY)

    assert claimed_while_sending == [True]
    assert not DigestSent.objects.exists()
    monkeypatch.undo()
    assert send_daily_digests(today=TODAY).sent == 1


def test_a_signal_opened_before_the_previous_digest_is_listed_as_overdue(leerplicht, mailoutbox):
    minor_dropout(first_name="Oud")
    run_sweep(TODAY)
    Signal.objects.update(opened_at=timezone.now() - timedelta(days=10))
    DigestSent.objects.create(user=leerplicht, date=TODAY - timedelta(days=3))

    overdue = send_daily_digests(today=TODAY)

    assert overdue.sent == 1
    assert "Te laat" in mailoutbox[0].body
    assert "Nieuwe signalen" not in mailoutbox[0].body


def test_a_user_without_signals_gets_no_mail(leerplicht, mentor, mailoutbox):
    result = send_daily_digests(today=TODAY)
    assert result.sent == 0
    assert mailoutbox == []


def test_the_digests_run_after_the_checks_in_the_nightly_chain():
    from config.celery import NIGHTLY_JOBS

    jobs = list(NIGHTLY_JOBS)
    assert jobs.index("monitoring.tasks.send_daily_digests") > jobs.index(
        "monitoring.tasks.run_daily_checks"
    )
    assert "koers.run_nightly_jobs" in [e["task"] for e in app.conf.beat_schedule.values()]
