"""Delivering notifications: one task per delivery, retried with backoff."""

import logging
import time

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger("koers.api")

MAX_ATTEMPTS = 6
TIMEOUT_SECONDS = 10


class DeliveryFailed(Exception):
    pass


def _post(url, body, headers) -> int:
    """POST without following redirects (a redirect could lead anywhere); the status."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname, parts.port, timeout=TIMEOUT_SECONDS)
    try:
        path = parts.path or "/"
        if parts.query:
            path = f"{path}?{parts.query}"
        connection.request("POST", path, body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def deliver(delivery_id) -> str:
    """One attempt; the status it left. Raises DeliveryFailed when worth retrying."""
    from .models import Delivery
    from .notifications import CallbackRefused, check_callback_url, message_body, sign

    delivery = Delivery.objects.select_related("subscription").get(pk=delivery_id)
    if delivery.status != Delivery.Status.PENDING:
        return delivery.status
    subscription = delivery.subscription
    delivery.attempts += 1
    try:
        check_callback_url(subscription.callback_url)
    except CallbackRefused as error:
        delivery.status = Delivery.Status.REFUSED
        delivery.last_error = str(error)[:200]
        delivery.save(update_fields=["status", "attempts", "last_error"])
        logger.warning("delivery %s refused: callback address not allowed", delivery.pk)
        return delivery.status
    body = message_body(delivery)
    stamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "X-Koers-Event": delivery.event,
        "X-Koers-Delivery": str(delivery.pk),
        "X-Koers-Timestamp": str(stamp),
        "X-Koers-Signature": sign(subscription.secret, stamp, body),
    }
    try:
        status_code = _post(subscription.callback_url, body, headers)
        delivery.last_status_code = status_code
        ok = 200 <= status_code < 300
        delivery.last_error = "" if ok else f"status {status_code}"
    except Exception as error:  # network errors of any kind: retried
        ok = False
        delivery.last_error = type(error).__name__
    if ok:
        delivery.status = Delivery.Status.DELIVERED
        delivery.delivered_at = timezone.now()
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = Delivery.Status.FAILED
    delivery.save(
        update_fields=["status", "attempts", "last_status_code", "last_error", "delivered_at"]
    )
    if delivery.status == Delivery.Status.PENDING:
        raise DeliveryFailed(delivery.pk)
    return delivery.status


@shared_task(
    autoretry_for=(DeliveryFailed,),
    retry_backoff=30,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
    max_retries=MAX_ATTEMPTS - 1,
)
def deliver_notification(delivery_id):
    return deliver(delivery_id)
