"""API clients as personas: a system of Horizon College (its coordinator's view), of
Clusius College, of Leerplicht NHN, of W&I NHN; tokens made directly (one test goes
through the token endpoint)."""

import secrets
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from api.models import Scope
from api.services import api_client_register
from tests.factories import organisation

ALL_SCOPES = list(Scope.values)


def register(org_name, role, scopes=None):
    client, secret = api_client_register(
        name=f"Systeem {org_name}",
        organisation=organisation(org_name),
        role=role,
        scopes=ALL_SCOPES if scopes is None else scopes,
    )
    client.plain_secret = secret
    return client


def token_for(client, scopes=None, *, expires_in=3600):
    scopes = client.scopes if scopes is None else scopes
    return AccessToken.objects.create(
        application=client.application,
        token=secrets.token_urlsafe(30),
        expires=timezone.now() + timedelta(seconds=expires_in),
        scope=" ".join(scopes),
    )


class Api:
    """A test client that sends a bearer token and JSON."""

    def __init__(self, token):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token.token}"}

    def get(self, path, **extra):
        return self.client.get(path, headers={**self.headers, **extra})

    def post(self, path, data=None, **extra):
        return self.client.post(
            path,
            data=data or {},
            content_type="application/json",
            headers={**self.headers, **extra},
        )

    def put(self, path, data=None, **extra):
        return self.client.put(
            path,
            data=data or {},
            content_type="application/json",
            headers={**self.headers, **extra},
        )

    def delete(self, path, **extra):
        return self.client.delete(path, headers={**self.headers, **extra})


def api_as(client, scopes=None):
    return Api(token_for(client, scopes))


@pytest.fixture
def horizon_system(db):
    return register("Horizon College", "school_coordinator")


@pytest.fixture
def clusius_system(db):
    return register("Clusius College", "school_coordinator")


@pytest.fixture
def horizon_api(horizon_system):
    return api_as(horizon_system)


@pytest.fixture
def clusius_api(clusius_system):
    return api_as(clusius_system)
