"""Registering and retiring API clients (the functional administrator, and the demo)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from oauth2_provider.models import get_application_model

from accounts import policy
from accounts.models import ROLE_ORGANISATION_KIND, Membership, Organisation, Role, User

from .models import ApiClient, Scope


def _check(organisation: Organisation, role: str, scopes: Iterable[str]) -> None:
    if not policy.api_client_role_allowed(role):
        raise ValidationError({"role": _("Een systeem kan niet in deze rol handelen.")})
    if organisation.kind != ROLE_ORGANISATION_KIND.get(Role(role)):
        raise ValidationError({"role": _("Deze rol hoort niet bij deze organisatie.")})
    unknown = set(scopes) - set(Scope.values)
    if unknown:
        raise ValidationError({"scopes": _("Onbekende scope.")})


@transaction.atomic
def api_client_register(
    *,
    name: str,
    organisation: Organisation,
    role: str,
    scopes: Iterable[str],
    client_id: str | None = None,
    client_secret: str | None = None,
) -> tuple[ApiClient, str]:
    """A new client: an OAuth application (client credentials, confidential), a service
    account with one membership, and the ApiClient. Returns the client and its secret in
    plain text (stored hashed: shown once)."""
    _check(organisation, role, scopes)
    client_secret = client_secret or secrets.token_urlsafe(40)
    Application = get_application_model()
    application = Application.objects.create(
        name=name[:255],
        client_id=client_id or secrets.token_urlsafe(24),
        client_secret=client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        redirect_uris="",
    )
    user = User.objects.create_user(
        f"api-{slugify(application.client_id)[:40]}-{secrets.token_hex(4)}@clients.koers.invalid",
        password=None,
        first_name=name[:100],
        last_name=_("(systeem)"),
    )
    Membership.objects.create(user=user, organisation=organisation, role=role)
    client = ApiClient.objects.create(
        application=application,
        name=name,
        organisation=organisation,
        role=role,
        scopes=sorted(scopes),
        user=user,
    )
    return client, client_secret


@transaction.atomic
def api_client_update(
    *, client: ApiClient, name: str, is_active: bool, scopes: Iterable[str]
) -> ApiClient:
    _check(client.organisation, client.role, scopes)
    client.name = name
    client.is_active = is_active
    client.scopes = sorted(scopes)
    client.save(update_fields=["name", "is_active", "scopes"])
    User.objects.filter(pk=client.user_id).update(is_active=is_active)
    if not is_active:
        # A retired client's tokens stop at once.
        client.application.accesstoken_set.all().delete()
    return client
