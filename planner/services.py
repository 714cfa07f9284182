"""Creating, renewing and revoking a user's calendar feed link."""

import hashlib
import logging
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import CalendarFeed

logger = logging.getLogger("koers.planner")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def feed_create(*, user: Any) -> str:
    """A new secret link for the user's active role; an earlier one stops working.
    Returns the token (shown once; only its hash is kept)."""
    membership = user.active_membership
    feed_revoke(user=user)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        user=user, membership=membership, token_hash=token_hash(token)
    )
    logger.info("calendar feed %s created by user %s", feed.pk, user.pk)
    return token


@transaction.atomic
def feed_revoke(*, user: Any) -> int:
    """Revoke the user's link for the active role (idempotent)."""
    count = CalendarFeed.objects.filter(
        user=user, membership=user.active_membership, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if count:
        logger.info("calendar feed of user %s revoked", user.pk)
    return count


def active_feed(user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(
        user=user, membership=user.active_membership, revoked_at__isnull=True
    ).first()


def feed_for_token(token: str) -> CalendarFeed | None:
    """The active feed of a live user and role for `token`, or None."""
    if not token or len(token) > 100:
        return None
    feed = (
        CalendarFeed.objects.filter(
            token_hash=token_hash(token),
            revoked_at__isnull=True,
            user__is_active=True,
            membership__is_active=True,
            membership__organisation__is_active=True,
        )
        .select_related("user", "membership")
        .first()
    )
    if feed is not None:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed
