"""Notifications: subscriptions to an HTTPS callback that resolves to a public address
only (checked at subscription and at delivery), a small HMAC-signed message with ids and
the kind, retries with backoff, each delivery recorded."""

import contextlib
import ipaddress
import json
import time

import pytest

from api import notifications, tasks
from api.models import Delivery, Subscription
from tests.factories import EnrolmentFactory
from tests.referrals.conftest import make_referral

from .conftest import api_as, register

pytestmark = pytest.mark.django_db

PUBLIC = {ipaddress.ip_address("93.184.216.34")}


@pytest.fixture
def resolve(monkeypatch):
    """No DNS here: tests say what a host resolves to."""
    table = {}

    def addresses(host, port):
        if host not in table:
            raise notifications.CallbackRefused("unknown")
        return {ipaddress.ip_address(a) for a in table[host]}

    monkeypatch.setattr(notifications, "_addresses", addresses)
    return table


@pytest.fixture(autouse=True)
def _deliver_in_process(monkeypatch):
    # The task runs in this process instead of through the broker.
    monkeypatch.setattr(tasks.deliver_notification, "delay", tasks.deliver)


@pytest.fixture
def wi_system(db):
    return register("Werk en Inkomen Noord-Holland Noord", "wi")


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("https://hooks.example.nl/koers", "127.0.0.1"),
        ("https://hooks.example.nl/koers", "10.1.2.3"),
        ("https://hooks.example.nl/koers", "192.168.0.5"),
        ("https://hooks.example.nl/koers", "169.254.169.254"),
        ("https://hooks.example.nl/koers", "::1"),
        ("https://hooks.example.nl/koers", "fd00::1"),
        ("http://hooks.example.nl/koers", "93.184.216.34"),
    ],
)
def test_subscription_refuses_internal_addresses_and_plain_http(resolve, wi_system, url, address):
    resolve["hooks.example.nl"] = [address]
    response = api_as(wi_system).post(
        "/api/v1/subscriptions", {"callback_url": url, "events": ["referral.received"]}
    )
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "callback_url"
    assert not Subscription.objects.exists()


def test_loopback_is_allowed_only_by_the_development_setting(resolve, wi_system, settings):
    resolve["localhost"] = ["127.0.0.1"]
    body = {"callback_url": "http://localhost:9999/hook", "events": ["referral.received"]}
    assert api_as(wi_system).post("/api/v1/subscriptions", body).status_code == 400
    settings.KOERS_API_ALLOW_LOOPBACK_CALLBACKS = True
    assert api_as(wi_system).post("/api/v1/subscriptions", body).status_code == 201


def test_subscribing_to_an_event_needs_its_scope(resolve, wi_system):
    resolve["hooks.example.nl"] = ["93.184.216.34"]
    api = api_as(wi_system, ["notifications"])
    response = api.post(
        "/api/v1/subscriptions",
        {"callback_url": "https://hooks.example.nl/k", "events": ["referral.received"]},
    )
    assert response.status_code == 403


def subscribe(resolve, system, events=("referral.received",)):
    resolve["hooks.example.nl"] = ["93.184.216.34"]
    response = api_as(system).post(
        "/api/v1/subscriptions",
        {"callback_url": "https://hooks.example.nl/koers", "events": list(events)},
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_a_sent_referral_notifies_the_receiver_with_a_signed_message_of_ids_only(
    resolve, wi_system, mentor, monkeypatch, django_capture_on_commit_callbacks
):
    created = subscribe(resolve, wi_system)
    posted = []
    monkeypatch.setattr(
        tasks, "_post", lambda url, body, headers: posted.append((url, body, headers)) or 204
    )
    student = EnrolmentFactory(student__mentor=mentor, student__first_name="Geheim").student
    with django_capture_on_commit_callbacks(execute=True):
        referral = make_referral(actor=mentor, student=student, to=wi_system.organisation)
    [(url, body, headers)] = posted
    assert url == "https://hooks.example.nl/koers"
    message = json.loads(body)
    assert message == {
        "kind": "referral.received",
        "resource": "referrals",
        "id": referral.public_id,
        "url": f"/api/v1/referrals/{referral.public_id}",
    }
    assert b"Geheim" not in body
    assert notifications.verify(
        created["secret"], headers["X-Koers-Timestamp"], body, headers["X-Koers-Signature"]
    )
    # A replay later than the tolerance is refused by the receiver's check.
    assert not notifications.verify(
        created["secret"],
        headers["X-Koers-Timestamp"],
        body,
        headers["X-Koers-Signature"],
        now=time.time() + 3600,
    )
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.attempts == 1


def test_a_failed_delivery_is_retried_and_recorded(resolve, wi_system, mentor, monkeypatch):
    subscribe(resolve, wi_system)
    monkeypatch.setattr(tasks, "_post", lambda url, body, headers: 503)
    student = EnrolmentFactory(student__mentor=mentor).student
    make_referral(actor=mentor, student=student, to=wi_system.organisation)
    delivery = Delivery.objects.get()
    with pytest.raises(tasks.DeliveryFailed):
        tasks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 503)
    for _ in range(tasks.MAX_ATTEMPTS - 1):
        with contextlib.suppress(tasks.DeliveryFailed):
            tasks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert tasks.deliver_notification.retry_backoff
    assert tasks.deliver_notification.max_retries == tasks.MAX_ATTEMPTS - 1


def test_the_address_is_checked_again_at_delivery(resolve, wi_system, mentor, monkeypatch):
    subscribe(resolve, wi_system)
    posted = []
    monkeypatch.setattr(tasks, "_post", lambda *a: posted.append(a) or 204)
    student = EnrolmentFactory(student__mentor=mentor).student
    make_referral(actor=mentor, student=student, to=wi_system.organisation)
    resolve["hooks.example.nl"] = ["10.0.0.8"]  # DNS changed since subscribing
    delivery = Delivery.objects.get()
    assert tasks.deliver(delivery.pk) == Delivery.Status.REFUSED
    assert not posted


def test_another_organisation_is_not_told(resolve, mentor, monkeypatch):
    other = register("Werk en Inkomen Noord-Holland Noord", "wi")
    subscribe(resolve, other)
    student = EnrolmentFactory(student__mentor=mentor).student
    # A referral to another organisation than the subscriber's: no delivery.
    from accounts.models import Organisation

    to = Organisation.objects.filter(kind="jongeren_startpunt").first()
    make_referral(actor=mentor, student=student, to=to)
    assert not Delivery.objects.exists()


def test_the_sweep_check_tells_of_assigned_signals_once(resolve, monkeypatch):
    from django.utils import timezone

    from monitoring.models import Signal

    leerplicht = register("Regionaal Bureau Leerplicht Noord-Holland Noord", "leerplicht")
    subscribe(resolve, leerplicht, events=("signal.assigned",))
    monkeypatch.setattr(tasks, "_post", lambda *a: 204)
    student = EnrolmentFactory().student
    today = timezone.localdate()
    Signal.objects.bulk_create(
        [
            Signal(
                student=student,
                kind="dropout",
                assignee="leerplicht",
                organisation=leerplicht.organisation,
                due_date=today,
                opened_at=timezone.now(),
            )
        ]
    )
    assert notifications.sweep_notifications(today=today) == {"notifications": 1}
    assert notifications.sweep_notifications(today=today) == {"notifications": 0}
    assert Delivery.objects.get().event == "signal.assigned"
