"""The attention list and the student's signals: who sees and acts on which signal."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from monitoring.models import Signal, SignalEvent
from monitoring.services import signal_version
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


def read(signal):
    """The version of the signal a page shows (and its forms carry)."""
    return signal_version(signal.pk)


def home(client, user, **params):
    client.force_login(user)
    return client.get(reverse("home"), params)


def test_mentor_sees_the_school_signals_of_own_students_only(client, mentor, other_mentor):
    mine = entree_student(mentor=mentor)
    theirs = entree_student(mentor=other_mentor)
    run_sweep(TODAY)
    page = home(client, mentor).content.decode()
    # Names as the page writes them (an apostrophe, as in "van 't Hof", is escaped).
    assert escape(mine.full_name) in page
    assert escape(theirs.full_name) not in page
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
    assert escape(minor.full_name) in page
    assert escape(adult.full_name) not in page
    assert escape(elsewhere.full_name) not in page
    assert escape(elsewhere.full_name) in home(client, leerplicht_haaglanden).content.decode()


def test_dsp_coach_resolves_a_signal_with_a_note(client, dsp):
    adult = adult_dropout()
    run_sweep(TODAY)
    signal = Signal.objects.get(student=adult, kind="dropout")
    client.force_login(dsp)
    response = client.post(
        reverse("monitoring:resolve", args=[signal.pk]), {"note": "Gebeld", "version": read(signal)}
    )
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
    client.post(
        reverse("monitoring:dismiss", args=[signal.pk]), {"reason": " ", "version": read(signal)}
    )
    signal.refresh_from_db()
    assert signal.status == "open"
    client.post(
        reverse("monitoring:dismiss", args=[signal.pk]),
        {"reason": "Verhuisd", "version": read(signal)},
    )
    signal.refresh_from_db()
    assert (signal.status, signal.note) == ("dismissed", "Verhuisd")
    assert SignalEvent.objects.filter(signal=signal, action="dismissed", actor=leerplicht).exists()


def test_another_organisations_signal_is_a_404(client, leerplicht, dsp, mentor):
    minor = minor_dropout()
    run_sweep(TODAY)
    signal = Signal.objects.get(student=minor, kind="dropout")
    for user in (dsp, mentor):
        client.force_login(user)
        response = client.post(
            reverse("monitoring:resolve", args=[signal.pk]), {"note": "x", "version": read(signal)}
        )
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
    client.post(
        reverse("monitoring:resolve", args=[signal.pk]),
        {"note": "Gesproken", "version": read(signal)},
    )
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


def test_the_attention_list_reads_no_bsn_or_contact_details(client, leerplicht):
    """The rows show a name and a link: the student's BSN, e-mail and phone are not read
    for them (and a handler's password hash never)."""
    minor_dropout()
    run_sweep(TODAY)
    client.force_login(leerplicht)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    signal_reads = [q["sql"] for q in queries if 'FROM "monitoring_signal"' in q["sql"]]
    assert signal_reads
    for sql in signal_reads:
        for column in (
            '"students_student"."bsn"',
            '"students_student"."email"',
            '"students_student"."phone"',
            '"accounts_user"."password"',
        ):
            assert column not in sql.split(" FROM ")[0], (column, sql)


# --- Issue 13: signals that ask for a step; no lost update -----------------------------


def study_advice_signal(mentor):
    student = entree_student(mentor=mentor)
    run_sweep(TODAY)
    return Signal.objects.get(student=student, kind="study_advice_due")


def test_a_study_advice_signal_offers_the_step_form_first(client, mentor):
    signal = study_advice_signal(mentor)
    page = home(client, mentor).content.decode()
    step_url = reverse(
        "roadmap:step", args=[signal.student.public_id, signal.enrolment_id, "study-advice"]
    )
    assert f'href="{step_url}?next=' in page
    assert page.index("data-step-link") < page.index(
        reverse("monitoring:resolve", args=[signal.pk])
    )
    assert client.get(step_url).status_code == 200


def test_closing_a_signal_that_asks_for_a_step_without_it_needs_a_note(client, mentor):
    signal = study_advice_signal(mentor)
    client.force_login(mentor)
    url = reverse("monitoring:resolve", args=[signal.pk])
    response = client.post(url, {"note": " ", "version": read(signal)})
    assert response.status_code == 200
    assert "nog niet is vastgelegd" in response.context["resolve_form"].errors["note"][0]
    signal.refresh_from_db()
    assert signal.status == "open"
    response = client.post(url, {"note": "Student is verhuisd", "version": read(signal)})
    assert response.status_code == 302
    signal.refresh_from_db()
    assert (signal.status, signal.note) == ("resolved", "Student is verhuisd")


def test_after_the_step_is_logged_the_signal_closes_without_a_note(client, mentor):
    from roadmap.services import step_log

    signal = study_advice_signal(mentor)
    enrolment = signal.enrolment
    step_log(
        enrolment=enrolment,
        kind="study-advice",
        data={"date": min(TODAY, enrolment.start_date + timedelta(days=7)), "advice": "continue"},
        actor=mentor,
    )
    client.force_login(mentor)
    response = client.post(
        reverse("monitoring:resolve", args=[signal.pk]), {"note": "", "version": read(signal)}
    )
    assert response.status_code == 302
    signal.refresh_from_db()
    assert signal.status == "resolved"


def test_a_signal_without_a_step_closes_without_a_note(client, leerplicht):
    student = minor_dropout()
    run_sweep(TODAY)
    signal = Signal.objects.get(student=student, kind="dropout")
    client.force_login(leerplicht)
    response = client.post(
        reverse("monitoring:resolve", args=[signal.pk]), {"version": read(signal)}
    )
    assert response.status_code == 302
    signal.refresh_from_db()
    assert signal.status == "resolved"


@pytest.mark.parametrize("action", ["resolve", "dismiss"])
def test_a_stale_resolve_or_dismiss_shows_both_versions_and_keeps_the_first(
    client, leerplicht, action
):
    from monitoring.services import signal_resolve

    student = minor_dropout()
    run_sweep(TODAY)
    signal = Signal.objects.get(student=student, kind="dropout")
    stale = read(signal)
    colleague = leerplicht.__class__.objects.create_user(email="lp2@nhn.test", password="x")
    signal_resolve(signal=signal, actor=colleague, note="Al gebeld door een collega")
    client.force_login(leerplicht)
    data = {"version": stale, "note": "Mijn notitie", "reason": "Mijn reden"}
    response = client.post(reverse(f"monitoring:{action}", args=[signal.pk]), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-conflict="true"' in html
    assert "Al gebeld door een collega" in html
    signal.refresh_from_db()
    assert (signal.status, signal.note, signal.closed_by) == (
        "resolved",
        "Al gebeld door een collega",
        colleague,
    )


def test_a_signal_changed_by_the_rules_meanwhile_is_not_closed_over_it(client, leerplicht):
    student = minor_dropout()
    run_sweep(TODAY)
    signal = Signal.objects.get(student=student, kind="dropout")
    stale = read(signal)
    SignalEvent.objects.create(
        signal=signal, action="assignee_changed", at=signal.opened_at, assignee="leerplicht"
    )
    client.force_login(leerplicht)
    response = client.post(
        reverse("monitoring:dismiss", args=[signal.pk]), {"version": stale, "reason": "Verhuisd"}
    )
    assert response.status_code == 409
    signal.refresh_from_db()
    assert signal.status == "open"


@pytest.mark.parametrize("version", ["99999999999", "-1", "", "x"])
@pytest.mark.parametrize("action", ["resolve", "dismiss"])
def test_a_tampered_signal_version_changes_nothing(client, leerplicht, action, version):
    student = minor_dropout()
    run_sweep(TODAY)
    signal = Signal.objects.get(student=student, kind="dropout")
    client.force_login(leerplicht)
    response = client.post(
        reverse(f"monitoring:{action}", args=[signal.pk]),
        {"version": version, "note": "x", "reason": "y"},
        follow=True,
    )
    assert response.status_code == 200
    assert "laad de pagina opnieuw" in response.content.decode()
    signal.refresh_from_db()
    assert signal.status == "open"


def test_each_row_acts_on_its_own_signal_whatever_the_page_address(client, mentor):
    """The rows' actions are built once per list for a marker id (monitoring.panels.
    attention_rows); an address that holds the marker's digits keeps them."""
    from monitoring.panels import _PK

    students = [entree_student(mentor=mentor) for _ in range(2)]
    run_sweep(TODAY)
    first = home(client, mentor).content.decode()
    signals = [
        signal
        for signal in Signal.objects.filter(student__in=students)
        if f'data-signal="{signal.pk}"' in first
    ]
    assert len(signals) >= 2
    for params in ({}, {"x": str(_PK)}):
        page = home(client, mentor, **params).content.decode()
        for signal in signals:
            form = reverse("monitoring:resolve_form", args=[signal.pk])
            assert f'hx-get="{form}?next=' in page
            assert reverse("monitoring:assign_options", args=[signal.pk]) in page
        assert (f"%3Fx%3D{_PK}" in page) == bool(params)
        assert reverse("monitoring:resolve_form", args=[_PK]) not in page
