"""The attention list and the student's signals: who sees and acts on which signal."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.models import Signal, SignalEvent
from monitoring.sweep import run_sweep
from tests.factories import EnrolmentFactory, StudentFactory

pytestmark = pytest.mark.django_db
TODAY = date.today()


def entree_student(mentor=None, municipality=None):
    """An Entree student whose study advice is overdue today."""
    extra = {"municipality": municipality} if municipality else {}
    student = StudentFactory(date_of_birth=date(TODAY.year - 17, 1, 1), mentor=mentor, **extra)
    EnrolmentFactory(student=student, start_date=TODAY.replace(day=1).replace(year=TODAY.year - 1))
    return student


def minor_dropout(municipality=None):
    extra = {"municipality": municipality} if municipality else {}
    student = StudentFactory(date_of_birth=date(TODAY.year - 16, 1, 1), **extra)
    EnrolmentFactory(
        student=student,
        level="2",
        programme="Logistiek",
        start_date=date(TODAY.year - 1, 9, 1),
        end_date=date(TODAY.year - 1, 12, 1),
        end_reason="dropout",
    )
    return student


def adult_dropout():
    student = StudentFactory(date_of_birth=date(TODAY.year - 20, 1, 1))
    EnrolmentFactory(
        student=student,
        level="2",
        programme="Zorg",
        start_date=date(TODAY.year - 1, 9, 1),
        end_date=date(TODAY.year - 1, 12, 1),
        end_reason="dropout",
    )
    return student


def home(client, user, **params):
    client.force_login(user)
    return client.get(reverse("home"), params)


def test_mentor_sees_the_school_signals_of_own_students_only(client, mentor, other_mentor):
    mine = entree_student(mentor=mentor)
    theirs = entree_student(mentor=other_mentor)
    run_sweep(TODAY)
    page = home(client, mentor).content.decode()
    assert mine.full_name in page
    assert theirs.full_name not in page
    assert "te laat" in page


def test_leerplicht_sees_its_region_and_not_the_doorstroompunt_signals(
    client, leerplicht, leerplicht_haaglanden
):
    from tests.factories import municipality

    minor = minor_dropout()
    adult = adult_dropout()
    elsewhere = minor_dropout(municipality=municipality("Delft"))
    run_sweep(TODAY)
    page = home(client, leerplicht).content.decode()
    assert minor.full_name in page
    assert adult.full_name not in page
    assert elsewhere.full_name not in page
    assert elsewhere.full_name in home(client, leerplicht_haaglanden).content.decode()


def test_dsp_coach_resolves_a_signal_with_a_note(client, dsp):
    adult = adult_dropout()
    run_sweep(TODAY)
    signal = Signal.objects.get(student=adult, kind="dropout")
    client.force_login(dsp)
    response = client.post(reverse("monitoring:resolve", args=[signal.pk]), {"note": "Gebeld"})
    assert response.status_code == 302
    signal.refresh_from_db()
    assert (signal.status, signal.note, signal.closed_by) == ("resolved", "Gebeld", dsp)
    # The rules never reopen it.
    run_sweep(TODAY)
    signal.refresh_from_db()
    assert signal.status == "resolved"


def test_dismissing_needs_a_reason(client, leerplicht):
    signal_student = minor_dropout()
    run_sweep(TODAY)
    signal = Signal.objects.get(student=signal_student, kind="dropout")
    client.force_login(leerplicht)
    client.post(reverse("monitoring:dismiss", args=[signal.pk]), {"reason": " "})
    signal.refresh_from_db()
    assert signal.status == "open"
    client.post(reverse("monitoring:dismiss", args=[signal.pk]), {"reason": "Verhuisd"})
    signal.refresh_from_db()
    assert (signal.status, signal.note) == ("dismissed", "Verhuisd")
    assert SignalEvent.objects.filter(signal=signal, action="dismissed", actor=leerplicht).exists()


def test_another_organisations_signal_is_a_404(client, leerplicht, dsp, mentor):
    minor = minor_dropout()
    run_sweep(TODAY)
    signal = Signal.objects.get(student=minor, kind="dropout")
    for user in (dsp, mentor):
        client.force_login(user)
        response = client.post(reverse("monitoring:resolve", args=[signal.pk]), {"note": "x"})
        assert response.status_code == 404
    signal.refresh_from_db()
    assert signal.status == "open"


def test_filter_by_kind(client, mentor):
    entree_student(mentor=mentor)
    run_sweep(TODAY)
    page = home(client, mentor, signal_kind="dropout").content.decode()
    assert "Geen open signalen" in page
    page = home(client, mentor, signal_kind="study_advice_due").content.decode()
    assert 'data-kind="study_advice_due"' in page


def test_student_page_shows_signals_and_their_history(client, leerplicht):
    minor = minor_dropout()
    run_sweep(TODAY)
    signal = Signal.objects.get(student=minor, kind="dropout")
    client.force_login(leerplicht)
    client.post(reverse("monitoring:resolve", args=[signal.pk]), {"note": "Gesproken"})
    page = client.get(reverse("students:detail", args=[minor.public_id])).content.decode()
    assert 'data-status="resolved"' in page
    assert "Gesproken" in page


def count_home_queries(client, user):
    client.force_login(user)
    client.get(reverse("home"))  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def test_attention_list_queries_do_not_grow_with_signals(client, leerplicht):
    minor_dropout()
    run_sweep(TODAY)
    one = count_home_queries(client, leerplicht)
    for _ in range(20):
        minor_dropout()
    run_sweep(TODAY)
    assert Signal.objects.filter(status="open").count() == 21
    assert count_home_queries(client, leerplicht) == one
