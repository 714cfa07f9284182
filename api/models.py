"""Systems that use the API (issue 17): each acts for one organisation in one role.

An `ApiClient` ties an OAuth 2 application (django-oauth-toolkit, client credentials) to
an organisation, a role and the scopes it may ask for. It acts through its own service
account with exactly one membership (that organisation, that role), so every scope,
predicate and access-log row of the web applies to it unchanged: there is no second
definition of who sees what.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Role


class Scope(models.TextChoices):
    STUDENTS_READ = "students:read", _("studenten lezen (en de route)")
    ADMINISTRATION_WRITE = "administration:write", _("administratie van de school schrijven")
    REFERRALS = "referrals", _("verwijzingen ontvangen en afhandelen")
    SIGNALS = "signals", _("signalen lezen en afhandelen")
    MEETINGS = "meetings", _("Doorstroomtafel-overleggen lezen")
    NOTIFICATIONS = "notifications", _("meldingen (abonnementen) beheren")


class ApiClient(models.Model):
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="api_client",
        verbose_name=_("OAuth-applicatie"),
    )
    name = models.CharField(_("naam van het systeem"), max_length=150)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisatie")
    )
    role = models.CharField(_("rol"), max_length=30, choices=Role.choices)
    scopes = models.JSONField(_("toegestane scopes"), default=list, blank=True)
    # The service account the client acts as (one membership: organisation and role).
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_client",
        editable=False,
        verbose_name=_("serviceaccount"),
    )
    is_active = models.BooleanField(_("actief"), default=True)
    last_used_at = models.DateTimeField(_("laatst gebruikt"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API-koppeling")
        verbose_name_plural = _("API-koppelingen")
        ordering = ["name"]

    def __str__(self):
        return self.name


class IdempotencyRecord(models.Model):
    """The answer to a write sent with an `Idempotency-Key`: the same key and body get
    the same answer again without a second write; the same key with another body is
    refused."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("client", "key", name="api_idempotency_client_key"),
        ]

    def __str__(self):
        return f"{self.client_id}:{self.key}"


class Event(models.TextChoices):
    REFERRAL_RECEIVED = "referral.received", _("verwijzing ontvangen")
    SIGNAL_ASSIGNED = "signal.assigned", _("signaal toegewezen")
    ACTION_DUE = "action.due", _("actie verloopt")


def new_secret():
    return secrets.token_urlsafe(32)


def new_public_id():
    """32 hex characters (16 random bytes): `secrets.token_hex()` alone gives 64, which the
    column does not hold (PostgreSQL refuses it; SQLite does not check the length)."""
    return secrets.token_hex(16)


class Subscription(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id)
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="subscriptions")
    callback_url = models.URLField(_("callback-URL"), max_length=500)
    events = models.JSONField(_("gebeurtenissen"), default=list)
    # The HMAC key of the signature; shown once, when the subscription is created.
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    is_active = models.BooleanField(_("actief"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("abonnement")
        verbose_name_plural = _("abonnementen")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.client} -> {', '.join(self.events)}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("in de wachtrij")
        DELIVERED = "delivered", _("afgeleverd")
        FAILED = "failed", _("mislukt")
        REFUSED = "refused", _("geweigerd (adres niet toegestaan)")

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=Event.choices)
    # What the event is about (a referral's or meeting's public id, a signal's id): one
    # delivery per subscription, event and record, however often the sweep runs.
    resource_id = models.CharField(max_length=40)
    # Ids and the kind only: never personal data.
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("aflevering")
        verbose_name_plural = _("afleveringen")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                "subscription", "event", "resource_id", name="api_delivery_once"
            ),
        ]

    def __str__(self):
        return f"{self.event} -> {self.subscription_id} ({self.status})"
