"""Notifications to subscribed systems (issue 17, after the VNG Notificaties API).

An event (a referral received, a signal assigned, an action due) is queued after commit
for every subscription of the organisation it concerns. A Celery task posts a small
message, ids and the kind only, signed with HMAC-SHA256 over `timestamp.body` with the
subscription's secret:

    X-Koers-Timestamp: 1764770000
    X-Koers-Signature: sha256=<hex>

The receiver checks the signature and refuses a timestamp older than five minutes
(replay), then reads the record through the API. The callback URL must be HTTPS and
resolve to no loopback, private, link-local or otherwise reserved address, checked when
subscribing and again before each delivery (DNS may change); in development and tests
`KOERS_API_ALLOW_LOOPBACK_CALLBACKS` lets loopback (and plain http to it) through.
"""

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy

logger = logging.getLogger("koers.api")


class CallbackRefused(Exception):
    pass


def _addresses(host, port):
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise CallbackRefused(_("De host van dit adres is onbekend.")) from None
    return {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}


def check_callback_url(url: str) -> list:
    """The addresses the URL may be delivered to, or CallbackRefused."""
    parts = urlsplit(url)
    allow_loopback = settings.KOERS_API_ALLOW_LOOPBACK_CALLBACKS
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise CallbackRefused(_("Alleen https-adressen zijn toegestaan."))
    if parts.username or parts.password:
        raise CallbackRefused(_("Een adres met inloggegevens is niet toegestaan."))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = _addresses(parts.hostname, port)
    if not addresses:
        raise CallbackRefused(_("De host van dit adres is onbekend."))
    for address in addresses:
        if address.is_loopback and allow_loopback:
            continue
        if not address.is_global or address.is_multicast:
            raise CallbackRefused(
                _("Dit adres wijst naar een intern, loopback- of link-local-adres.")
            )
    if parts.scheme != "https" and not (
        allow_loopback and all(address.is_loopback for address in addresses)
    ):
        raise CallbackRefused(_("Alleen https-adressen zijn toegestaan."))
    return sorted(str(address) for address in addresses)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, now=None) -> bool:
    """For receivers (and tests): the signature matches and the message is recent."""
    try:
        stamp = int(timestamp)
    except (TypeError, ValueError):
        return False
    now = int(now if now is not None else time.time())
    if abs(now - stamp) > settings.KOERS_API_NOTIFICATION_TOLERANCE:
        return False
    return hmac.compare_digest(sign(secret, stamp, body), signature or "")


def message_body(delivery) -> bytes:
    return json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode("utf-8")


def notify(*, event: str, organisation_id, resource: str, resource_ids) -> list:
    """Record one delivery per subscription of `organisation_id` to `event` and record of
    `resource_ids` (never twice for the same record), and queue them after commit. The
    payload holds the kind and ids only."""
    from .models import Delivery, Subscription

    if organisation_id is None or not resource_ids:
        return []
    created = []
    for subscription in Subscription.objects.filter(policy.api_subscribers_q(organisation_id)):
        if not policy.api_subscription_wants(subscription, event):
            continue
        done = set(
            Delivery.objects.filter(
                subscription=subscription, event=event, resource_id__in=resource_ids
            ).values_list("resource_id", flat=True)
        )
        for resource_id in resource_ids:
            if str(resource_id) in done:
                continue
            delivery, new = Delivery.objects.get_or_create(
                subscription=subscription,
                event=event,
                resource_id=str(resource_id),
                defaults={
                    "payload": {
                        "kind": event,
                        "resource": resource,
                        "id": str(resource_id),
                        "url": f"/api/v1/{resource}/{resource_id}",
                    }
                },
            )
            if new:
                created.append(delivery.pk)
    if created:
        transaction.on_commit(lambda: queue(created))
    return created


def queue(delivery_ids):
    """Queue deliveries; with the broker down they stay pending and the next sweep queues
    them again (`sweep_notifications`)."""
    from .tasks import deliver_notification

    for pk in delivery_ids:
        try:
            deliver_notification.delay(pk)
        except Exception as error:  # the broker is down or unreachable
            logger.warning("delivery %s not queued (%s)", pk, type(error).__name__)
            return


# --- Events, from the other apps (the API depends on them, not the reverse) -------------


def on_referral_event(sender, instance, created=False, raw=False, **kwargs):
    """A referral was sent: its receiver is told (ReferralEvent "sent" is its one mark)."""
    if raw or not created or instance.to_status != "sent":
        return
    referral = instance.referral
    notify(
        event="referral.received",
        organisation_id=referral.to_organisation_id,
        resource="referrals",
        resource_ids=[referral.public_id],
    )


def on_signal_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw or not created or instance.status != "open":
        return
    notify(
        event="signal.assigned",
        organisation_id=instance.organisation_id,
        resource="signals",
        resource_ids=[instance.pk],
    )


RECENT_DAYS = 7


def sweep_notifications(*, today):
    """A check of the daily sweep (monitoring.sweep.register_check): signals the sweep
    opened in bulk (no save signal) and actions due today or overdue. Idempotent: one
    delivery per subscription, event and record."""
    from datetime import timedelta

    from doorstroomtafel.models import ActionItem
    from monitoring.models import Signal

    from .models import Subscription

    sent = 0
    organisations = set(
        Subscription.objects.filter(is_active=True, client__is_active=True).values_list(
            "client__organisation_id", flat=True
        )
    )
    since = today - timedelta(days=RECENT_DAYS)
    for organisation_id in organisations:
        signal_ids = list(
            Signal.objects.filter(
                organisation_id=organisation_id, status="open", opened_at__date__gte=since
            ).values_list("pk", flat=True)
        )
        sent += len(
            notify(
                event="signal.assigned",
                organisation_id=organisation_id,
                resource="signals",
                resource_ids=signal_ids,
            )
        )
        meetings = sorted(
            set(
                ActionItem.objects.filter(
                    owner_organisation_id=organisation_id,
                    status="open",
                    due_date__lte=today,
                    due_date__gte=since,
                ).values_list("item__meeting__public_id", flat=True)
            )
        )
        sent += len(
            notify(
                event="action.due",
                organisation_id=organisation_id,
                resource="meetings",
                resource_ids=meetings,
            )
        )
    from .models import Delivery

    stale = timezone.now() - timedelta(minutes=10)
    pending = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, created_at__lt=stale).values_list(
            "pk", flat=True
        )
    )
    if pending:
        transaction.on_commit(lambda: queue(pending))
    return {"notifications": sent}
