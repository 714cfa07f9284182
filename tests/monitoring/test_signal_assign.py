"""Issue 19 part 7: a signal handed to a colleague (behandelaar), who is notified."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Notification
from monitoring.models import Signal, SignalEvent
from monitoring.sweep import run_sweep
from tests.monitoring.test_attention import (
    TODAY,
    count_home_queries,
    entree_student,
    home,
    minor_dropout,
    read,
)

pytestmark = pytest.mark.django_db


def school_signal(mentor):
    student = entree_student(mentor=mentor)
    run_sweep(TODAY)
    return Signal.objects.get(student=student, kind="study_advice_due")


def assign(client, actor, signal, handler, version=None):
    client.force_login(actor)
    return client.post(
        reverse("monitoring:assign", args=[signal.pk]),
        {"handler": handler.pk, "version": read(signal) if version is None else version},
    )


def test_assigning_notifies_the_handler_and_is_in_the_history(client, coordinator, mentor):
    signal = school_signal(mentor)
    response = assign(client, coordinator, signal, mentor)
    assert response.status_code == 302
    signal.refresh_from_db()
    assert signal.handler == mentor
    event = SignalEvent.objects.get(signal=signal, action="handler_assigned")
    assert event.actor == coordinator
    note = Notification.objects.get(user=mentor, kind="signal_assigned")
    assert note.student_id == signal.student_id
    assert signal.student.last_name not in note.text
    assert not signal.student.bsn or signal.student.bsn not in note.text
    assert note.url == reverse("students:detail", args=[signal.student.public_id])
    # The attention list shows the handler; the filter keeps the signals handed to me.
    page = home(client, mentor).content.decode()
    assert "Behandelaar" in page
    assert escape(mentor.get_full_name()) in page
    assert 'data-kind="study_advice_due"' in home(client, mentor, mine="1").content.decode()
    assert 'data-kind="study_advice_due"' not in (
        home(client, coordinator, mine="1").content.decode()
    )
    # The student's page shows the event in Dutch.
    page = client.get(reverse("students:detail", args=[signal.student.public_id])).content
    assert "toegewezen aan een behandelaar" in page.decode()


def test_a_signal_outside_the_actors_scope_is_a_404(
    client, mentor, clusius_coordinator, other_mentor
):
    signal = school_signal(mentor)
    for actor in (clusius_coordinator, other_mentor):
        assert assign(client, actor, signal, mentor).status_code == 404
    signal.refresh_from_db()
    assert signal.handler is None
    assert not Notification.objects.exists()


def test_a_colleague_of_another_organisation_is_a_form_error(
    client, coordinator, mentor, clusius_coordinator
):
    signal = school_signal(mentor)
    response = assign(client, coordinator, signal, clusius_coordinator)
    assert response.status_code == 200
    assert "Kies een collega van de eigen organisatie" in response.content.decode()
    signal.refresh_from_db()
    assert signal.handler is None
    assert not Notification.objects.exists()
    assert not SignalEvent.objects.filter(signal=signal, action="handler_assigned").exists()


def test_a_stale_version_is_refused(client, coordinator, mentor):
    signal = school_signal(mentor)
    stale = read(signal)
    SignalEvent.objects.create(signal=signal, action="reopened", at=signal.opened_at)
    response = assign(client, coordinator, signal, mentor, version=stale)
    assert response.status_code == 409
    signal.refresh_from_db()
    assert signal.handler is None
    assert not Notification.objects.exists()


def test_the_attention_list_with_handlers_does_not_grow_with_signals(client, leerplicht):
    def hand_all():
        Signal.objects.filter(status="open").update(handler=leerplicht)

    minor_dropout()
    run_sweep(TODAY)
    hand_all()
    one = count_home_queries(client, leerplicht)
    for _ in range(49):
        minor_dropout()
    run_sweep(TODAY)
    hand_all()
    assert Signal.objects.filter(status="open", handler=leerplicht).count() == 50
    assert count_home_queries(client, leerplicht) == one
    assert count_home_queries(client, leerplicht) == one


def test_the_colleagues_load_when_a_rows_assign_form_opens(
    client, coordinator, mentor, clusius_coordinator
):
    """Issue 16: a school with thousands of mentors does not repeat them in every row of
    the attention list (nor does a small organisation: every row's forms load when
    opened); opening a row's "Toewijzen" loads the form (htmx), and without JavaScript
    the link opens the signal's own page with the same form."""
    signal = school_signal(mentor)
    page = home(client, coordinator).content.decode()
    options_url = reverse("monitoring:assign_options", args=[signal.pk])
    assert options_url in page
    assert f'id="handler-{signal.pk}"' not in page
    fragment = client.get(options_url, {"next": "/"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert f'id="handler-{signal.pk}"' in html
    assert f'value="{mentor.pk}"' in html
    assert reverse("monitoring:assign", args=[signal.pk]) in html
    full = client.get(options_url)
    assert full.status_code == 200
    assert f'value="{mentor.pk}"' in full.content.decode()
    # Outside the scope: a 404, as for acting on it.
    client.force_login(clusius_coordinator)
    assert client.get(options_url, headers={"HX-Request": "true"}).status_code == 404


@pytest.mark.parametrize(
    ("name", "action", "field"),
    [("resolve_form", "resolve", "note"), ("dismiss_form", "dismiss", "reason")],
)
def test_a_rows_resolve_and_dismiss_forms_load_when_opened(
    client, coordinator, mentor, clusius_coordinator, name, action, field
):
    """Issue 16: the start page renders no resolve or dismiss form in its rows; opening
    one loads it (htmx), and without JavaScript the link opens the signal's own page."""
    signal = school_signal(mentor)
    page = home(client, coordinator).content.decode()
    form_url = reverse(f"monitoring:{name}", args=[signal.pk])
    action_url = reverse(f"monitoring:{action}", args=[signal.pk])
    assert form_url in page
    assert f'action="{action_url}"' not in page
    fragment = client.get(form_url, {"next": "/"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert f'action="{action_url}"' in html
    assert f'name="{field}"' in html
    assert f'name="version" value="{read(signal)}"' in html
    assert 'name="next" value="/"' in html
    # An outside address is not carried as the place to return to.
    outside = client.get(form_url, {"next": "https://example.com/"}, headers={"HX-Request": "true"})
    assert "example.com" not in outside.content.decode()
    full = client.get(form_url)
    assert full.status_code == 200
    assert f'action="{action_url}"' in full.content.decode()
    # Outside the scope: a 404, as for acting on it.
    client.force_login(clusius_coordinator)
    assert client.get(form_url, headers={"HX-Request": "true"}).status_code == 404


def test_the_students_page_keeps_its_forms_inline(client, coordinator, mentor):
    signal = school_signal(mentor)
    client.force_login(coordinator)
    page = client.get(reverse("students:detail", args=[signal.student.public_id])).content
    page = page.decode()
    # Resolving and dismissing stay inline; the colleagues load on opening (below).
    assert f'action="{reverse("monitoring:resolve", args=[signal.pk])}"' in page
    assert f'action="{reverse("monitoring:dismiss", args=[signal.pk])}"' in page
    assert reverse("monitoring:resolve_form", args=[signal.pk]) not in page
    assert reverse("monitoring:dismiss_form", args=[signal.pk]) not in page


# --- The student's page lists no colleagues; "Toewijzen" loads them (issue 16) ----------


def test_the_student_page_loads_the_colleagues_only_when_toewijzen_is_opened(
    client, coordinator, mentor
):
    signal = school_signal(mentor)
    client.force_login(coordinator)
    page = client.get(reverse("students:detail", args=[signal.student.public_id]))
    html = page.content.decode()
    assign_url = reverse("monitoring:assign_options", args=[signal.pk])
    assert "Toewijzen" in html
    assert f'hx-get="{assign_url}?next=' in html
    assert 'name="handler"' not in html  # no select of every colleague on each view
    # Opened (htmx): the form with the organisation's people, the next page kept.
    fragment = client.get(
        assign_url, {"next": "/students/x/"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'name="handler"' in fragment
    assert f'value="{mentor.pk}"' in fragment
    assert 'name="next" value="/students/x/"' in fragment
    assert f'name="version" value="{read(signal)}"' in fragment
    # Without JavaScript: the signal's own page with the form.
    full = client.get(assign_url, {"next": "/students/x/"})
    assert full.status_code == 200
    assert 'name="handler"' in full.content.decode()


def test_the_colleagues_of_a_signal_outside_the_scope_are_a_404(
    client, mentor, clusius_coordinator
):
    signal = school_signal(mentor)
    client.force_login(clusius_coordinator)
    url = reverse("monitoring:assign_options", args=[signal.pk])
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(url).status_code == 404
