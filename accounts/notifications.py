"""Notifications in the app: one call from wherever an event happens.

    notify(user_or_users, kind, text, url, *, student_id=None)
    notify_organisation(organisation_id, kind, text, url, *, roles, student_id=None)

`accounts` is the lowest layer, so every app can notify. A notification carries a kind
(NotificationKind, with its Dutch label), a short text and an internal path. The text
never holds a name or BSN: where the notification is about a student, its id is kept
and the first name is shown at display time only to a reader who may open the student
(`register_student_labels`, filled by a higher app; the link target still decides with
a 404). Rows are written in the caller's transaction, so a rolled-back event leaves no
notification behind.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from .models import Membership, Notification, NotificationKind, NotificationSettings

__all__ = ["NotificationKind", "notify", "notify_organisation"]

_student_labels = []


def register_student_labels(provider):
    """`provider(user, student_ids) -> {student_id: first name}` for the students among
    `student_ids` that `user` may open (one query, whatever the number of ids)."""
    if provider not in _student_labels:
        _student_labels.append(provider)


def student_labels(user, student_ids):
    ids = {i for i in student_ids if i}
    if not ids or not _student_labels:
        return {}
    return _student_labels[0](user, ids)


def safe_target(url) -> str | None:
    """The internal path `url`, or None: no scheme, no host, no protocol-relative `//`,
    no backslash trick. A notification never sends anyone off the site."""
    if not isinstance(url, str) or not url.startswith("/") or url.startswith(("//", "/\\")):
        return None
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return None
    return url


def _users(user_or_users):
    if user_or_users is None:
        return []
    if hasattr(user_or_users, "pk"):
        return [user_or_users]
    return list(user_or_users)


def notify(user_or_users, kind, text, url, *, student_id=None):
    """Tell one or more users about an event; returns the number of notifications."""
    kind = NotificationKind(kind)
    target = safe_target(url)
    if target is None:
        raise ValueError("A notification links to an internal path only")
    seen, rows, now = set(), [], timezone.now()
    for user in _users(user_or_users):
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                user_id=user.pk,
                kind=kind,
                text=str(text)[:200],
                url=target,
                student_id=student_id,
                created_at=now,
            )
        )
    Notification.objects.bulk_create(rows)
    return len(rows)


def organisation_users(organisation_id, roles):
    """Active users acting at `organisation_id` in one of `roles` (a recipient list)."""
    from .models import User

    return User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(
            organisation_id=organisation_id, role__in=list(roles), is_active=True
        ).values("user_id"),
    )


def notify_organisation(organisation_id, kind, text, url, *, roles, student_id=None):
    """notify() every active user of the organisation in one of `roles`."""
    return notify(
        organisation_users(organisation_id, roles), kind, text, url, student_id=student_id
    )


# --- Reading --------------------------------------------------------------------------


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(notification):
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )


def mark_all_read(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def mailed_kinds(user) -> set:
    """The kinds this user wants in the daily e-mail (default: all)."""
    settings_row = NotificationSettings.objects.filter(user=user).first()
    muted = set(settings_row.not_mailed) if settings_row else set()
    return {kind for kind in NotificationKind.values if kind not in muted}


def save_mailed_kinds(*, user, kinds):
    """Keep the user's choice; returns the kinds no longer mailed."""
    chosen = {NotificationKind(kind).value for kind in kinds}
    not_mailed = sorted(set(NotificationKind.values) - chosen)
    NotificationSettings.objects.update_or_create(user=user, defaults={"not_mailed": not_mailed})
    return not_mailed


def unread_for_digest(user, *, limit=10):
    """(count per kind label, the newest `limit` unread of the kinds the user has mailed)."""
    kinds = mailed_kinds(user)
    unread = Notification.objects.filter(user=user, read_at__isnull=True, kind__in=kinds)
    counts = {
        NotificationKind(row["kind"]).label: row["n"]
        for row in unread.values("kind").annotate(n=Count("pk")).order_by("kind")
    }
    newest = list(unread.order_by("-created_at", "-pk")[:limit])
    return counts, newest


# --- Retention ------------------------------------------------------------------------


def remove_for_students(student_ids):
    """Retention hook: notifications about removed students go with them."""
    Notification.objects.filter(student_id__in=list(student_ids)).delete()


def read_retention_days() -> int:
    return getattr(settings, "KOERS_NOTIFICATION_READ_DAYS", 90)


@transaction.atomic
def purge_read(*, now=None, days=None) -> int:
    """Remove notifications read more than `days` ago (idempotent)."""
    now = now or timezone.now()
    days = read_retention_days() if days is None else days
    deleted, _detail = Notification.objects.filter(
        read_at__isnull=False, read_at__lt=now - timedelta(days=days)
    ).delete()
    return deleted
