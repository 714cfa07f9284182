"""Notifications in the app (issue 19, part 7): the bell, the list, following one, "alles
gelezen", the mail settings, the digest, retention and the purge of old read ones."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts import notifications
from accounts.models import Notification, NotificationKind
from tests.factories import EnrolmentFactory, StudentFactory


def _notify(user, n=1, *, kind=NotificationKind.ACTION_ASSIGNED, url="/doorstroomtafel/", **kw):
    for i in range(n):
        notifications.notify(user, kind, f"Melding {i}", url, **kw)


def test_notify_refuses_an_outside_url(mentor):
    for url in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"):
        with pytest.raises(ValueError, match="internal path"):
            notifications.notify(mentor, NotificationKind.ACTION_ASSIGNED, "x", url)
    assert not Notification.objects.exists()


def test_notify_many_users_once_each_and_skips_inactive(mentor, other_mentor, coordinator):
    coordinator.is_active = False
    coordinator.save()
    count = notifications.notify(
        [mentor, other_mentor, mentor, coordinator], "agenda_final", "Agenda", "/x/"
    )
    assert count == 2
    assert Notification.objects.filter(user=mentor).count() == 1


def test_bell_shows_the_unread_count_as_hidden_text(client, mentor):
    _notify(mentor, 3)
    client.force_login(mentor)
    html = client.get(reverse("accounts:notification_bell")).content.decode()
    assert "3 ongelezen meldingen" in html
    # The page itself loads the bell after it (htmx): no query for it on every page.
    home = client.get(reverse("home")).content.decode()
    assert reverse("accounts:notification_bell") in home
    assert reverse("accounts:notifications") in home


def test_following_marks_read_and_redirects_to_the_stored_page(client, mentor):
    _notify(mentor, url="/verwijzingen/abc/")
    notification = Notification.objects.get()
    client.force_login(mentor)
    response = client.get(reverse("accounts:notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/verwijzingen/abc/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert notifications.unread_count(mentor) == 0


def test_no_open_redirect_even_from_a_tampered_row(client, mentor):
    _notify(mentor)
    Notification.objects.update(url="//evil.example/")
    notification = Notification.objects.get()
    client.force_login(mentor)
    response = client.get(reverse("accounts:notification_open", args=[notification.pk]))
    assert response["Location"] == reverse("accounts:notifications")


def test_another_users_notification_is_a_404_and_stays_unread(client, mentor, other_mentor):
    _notify(other_mentor)
    notification = Notification.objects.get()
    client.force_login(mentor)
    response = client.get(reverse("accounts:notification_open", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_all_read(client, mentor, other_mentor):
    _notify(mentor, 2)
    _notify(other_mentor, 1)
    client.force_login(mentor)
    response = client.post(reverse("accounts:notifications_read_all"))
    assert response.status_code == 302
    assert notifications.unread_count(mentor) == 0
    assert notifications.unread_count(other_mentor) == 1
    assert client.get(reverse("accounts:notifications_read_all")).status_code == 405


def test_list_is_newest_first_and_shows_a_name_only_within_scope(client, mentor, other_mentor):
    own = EnrolmentFactory(student__mentor=mentor).student
    foreign = EnrolmentFactory(student__mentor=other_mentor).student
    _notify(mentor, student_id=foreign.pk)
    notifications.notify(mentor, "referral_received", "Nieuwste", "/x/", student_id=own.pk)
    client.force_login(mentor)
    response = client.get(reverse("accounts:notifications"))
    rows = response.context["rows"]
    assert rows[0].text == "Nieuwste"
    html = response.content.decode()
    assert escape(own.first_name) in html
    assert escape(foreign.first_name) not in html or foreign.first_name == own.first_name
    assert "Verwijzing ontvangen" in html
    assert "Actie toegewezen" in html
    assert "2 ongelezen meldingen" in html
    from students.models import AccessLog

    logged = AccessLog.objects.get(user=mentor, detail="meldingen")
    assert logged.student_ids == [own.pk]


@pytest.mark.parametrize("count", [1, 50])
def test_list_query_count_does_not_grow(client, mentor, django_assert_num_queries, count):
    student = EnrolmentFactory(student__mentor=mentor).student
    _notify(mentor, count, student_id=student.pk)
    client.force_login(mentor)
    client.get(reverse("accounts:notifications"))  # the session's first touch
    # Session, the user with their memberships; total and page; the names in scope and their access
    # log row; the unread count.
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("accounts:notifications"))
    assert len(response.context["rows"]) == min(count, 25)


QUERIES = 7


def test_list_is_paged(client, mentor):
    _notify(mentor, 30)
    client.force_login(mentor)
    first = client.get(reverse("accounts:notifications"))
    assert len(first.context["rows"]) == 25
    second = client.get(reverse("accounts:notifications"), {"pagina": 2})
    assert len(second.context["rows"]) == 5


def test_mail_settings_default_all_and_are_kept(client, mentor):
    assert notifications.mailed_kinds(mentor) == set(NotificationKind.values)
    client.force_login(mentor)
    page = client.get(reverse("accounts:notification_settings")).content.decode()
    assert "Agenda definitief" in page
    response = client.post(
        reverse("accounts:notification_settings"), {"kinds": ["referral_received"]}
    )
    assert response.status_code == 302
    assert notifications.mailed_kinds(mentor) == {"referral_received"}


def _digest_body(user):
    from monitoring.digest import send_digest

    mail.outbox.clear()
    outcome = send_digest(user, today=timezone.localdate())
    return outcome, (mail.outbox[0].body if mail.outbox else "")


def test_digest_includes_unread_notifications(mentor):
    _notify(mentor, kind=NotificationKind.REFERRAL_RECEIVED)
    outcome, body = _digest_body(mentor)
    assert outcome == "sent"
    assert "Ongelezen meldingen" in body
    assert "Verwijzing ontvangen: 1" in body
    notification = Notification.objects.get()
    assert reverse("accounts:notification_open", args=[notification.pk]) in body


def test_digest_leaves_out_read_and_unmailed_kinds(mentor, other_mentor):
    _notify(mentor, kind=NotificationKind.REFERRAL_RECEIVED)
    notifications.mark_all_read(mentor)
    outcome, _body = _digest_body(mentor)
    assert outcome == "empty"
    notifications.save_mailed_kinds(user=other_mentor, kinds=["agenda_final"])
    _notify(other_mentor, kind=NotificationKind.REFERRAL_RECEIVED)
    assert _digest_body(other_mentor)[0] == "empty"
    _notify(other_mentor, kind=NotificationKind.AGENDA_FINAL)
    outcome, body = _digest_body(other_mentor)
    assert outcome == "sent"
    assert "Agenda definitief: 1" in body
    assert "Verwijzing ontvangen" not in body


def test_retention_removes_notifications_about_the_student(mentor):
    from students import retention

    hooks = list(getattr(retention, "retention_registry", None) or retention._hooks)
    assert notifications.remove_for_students in hooks
    student = StudentFactory(mentor=mentor)
    _notify(mentor, student_id=student.pk)
    _notify(mentor)
    notifications.remove_for_students([student.pk])
    assert Notification.objects.count() == 1
    assert Notification.objects.get().student_id is None


def test_purge_removes_only_long_read_ones(mentor):
    _notify(mentor, 3)
    old, recent, unread = Notification.objects.order_by("pk")
    now = timezone.now()
    Notification.objects.filter(pk=old.pk).update(read_at=now - timedelta(days=91))
    Notification.objects.filter(pk=recent.pk).update(read_at=now - timedelta(days=5))
    from planner.tasks import purge_read_notifications

    assert purge_read_notifications() == {"deleted": 1}
    assert set(Notification.objects.values_list("pk", flat=True)) == {recent.pk, unread.pk}
    assert purge_read_notifications() == {"deleted": 0}
