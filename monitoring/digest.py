"""The daily e-mail digest: per user, the new and overdue signals of their attention list,
and the unread notifications of the kinds the user has mailed (accounts.notifications).

    send_daily_digests(today=D) -> DigestResult

One e-mail per user per day at most. The user's claim on the day (a DigestSent row,
unique per user and date) is committed BEFORE the e-mail goes out, so a second or an
overlapping run finds the claim and skips that user; if sending fails the claim is
removed again so that a retry can send it. The e-mail names a student by first name
only, with a link to the file (which checks access as always): no last name, BSN or
student number leaves the application this way.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.notifications import unread_for_digest

from .models import DigestSent
from .queries import attention_list

logger = logging.getLogger(__name__)


@dataclass
class DigestResult:
    sent: int = 0
    skipped_claimed: int = 0
    nothing_to_send: int = 0


def _since(user, today):
    """New means opened after the user's previous digest, or since yesterday's start."""
    previous = (
        DigestSent.objects.filter(user=user, date__lt=today)
        .order_by("-date")
        .values_list("sent_at", flat=True)
        .first()
    )
    if previous is not None:
        return previous
    return timezone.make_aware(datetime.combine(today - timedelta(days=1), time.min))


def digest_items(user, *, today):
    """(new, overdue): the lines of the user's digest, over every active membership."""
    since = _since(user, today)
    seen, new, overdue = set(), [], []
    chosen = getattr(user, "_active_membership_id", None)
    try:
        for membership in user.memberships_list:
            user.set_active_membership(membership.pk)
            for signal in attention_list(user, today=today):
                if signal.pk in seen:
                    continue
                seen.add(signal.pk)
                item = {
                    "first_name": signal.student.first_name,
                    "kind": signal.kind_label,
                    "due_date": signal.due_date,
                    "url": settings.SITE_URL.rstrip("/")
                    + reverse("students:detail", args=[signal.student.public_id]),
                }
                if signal.opened_at >= since:
                    new.append(item)
                elif signal.due_date < today:
                    overdue.append(item)
    finally:
        user.set_active_membership(chosen)
    return new, overdue


def _claim(user, today, count) -> DigestSent | None:
    try:
        with transaction.atomic():
            return DigestSent.objects.create(user=user, date=today, signals=count)
    except IntegrityError:
        return None


def send_digest(user, *, today) -> str:
    """Send one user's digest for `today`: "sent", "claimed" (already) or "empty"."""
    if DigestSent.objects.filter(user=user, date=today).exists():
        return "claimed"
    new, overdue = digest_items(user, today=today)
    # The unread notifications of the kinds the user has mailed (accounts.notifications).
    notification_counts, notifications = unread_for_digest(user)
    if not new and not overdue and not notification_counts:
        return "empty"
    claim = _claim(user, today, len(new) + len(overdue))
    if claim is None:
        return "claimed"
    site = settings.SITE_URL.rstrip("/")
    context = {"user": user, "today": today, "new": new, "overdue": overdue,
               "site_url": settings.SITE_URL,
               "notification_counts": notification_counts,
               "notifications": [
                   {"kind": n.get_kind_display(), "text": n.text,
                    "url": site + reverse("accounts:notification_open", args=[n.pk])}
                   for n in notifications
               ]}  # fmt: skip
    subject = render_to_string("monitoring/email/digest_subject.txt", context).strip()
    body = render_to_string("monitoring/email/digest.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:
        # Not sent: give the claim back so that the retry sends it.
        claim.delete()
        raise
    return "sent"


def send_daily_digests(*, today=None) -> DigestResult:
    """Every active user with an active membership gets at most one digest today."""
    today = today or timezone.localdate()
    result = DigestResult()
    users = (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__organisation__is_active=True,
        )
        .distinct()
        .order_by("pk")
    )
    for user in users:
        outcome = send_digest(user, today=today)
        if outcome == "sent":
            result.sent += 1
        elif outcome == "claimed":
            result.skipped_claimed += 1
        else:
            result.nothing_to_send += 1
    logger.info(
        "daily digests for %s: %s sent, %s already sent, %s empty",
        today,
        result.sent,
        result.skipped_claimed,
        result.nothing_to_send,
    )
    return result
