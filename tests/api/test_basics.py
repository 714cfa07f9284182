"""The skeleton: OpenAPI document, docs page, API-Version, problem+json, OAuth 2 client
credentials, scopes (403), expiry (401), rate limit (429), last use."""

import base64

import pytest

from tests.factories import EnrolmentFactory

from .conftest import Api, api_as, register, token_for

pytestmark = pytest.mark.django_db


def test_openapi_document_is_served_as_json_and_yaml_with_dutch_descriptions(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    operation = document["paths"]["/api/v1/students"]["get"]
    assert "zicht van deze organisatie" in operation["summary"]
    assert "oauth2" in document["components"]["securitySchemes"]
    assert response["API-Version"] == "1.0.0"
    yaml = client.get("/api/v1/openapi.yaml")
    assert yaml.status_code == 200
    assert b"openapi:" in yaml.content


def test_paths_are_plural_nouns_without_trailing_slashes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert paths
    for path in paths:
        assert not path.endswith("/"), path


def test_docs_page_uses_vendored_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "https://" not in html
    assert "/static/drf_spectacular_sidecar/" in html


def test_client_credentials_give_a_token_that_expires(client, settings):
    system = register("Horizon College", "school_coordinator", scopes=["students:read"])
    basic = base64.b64encode(
        f"{system.application.client_id}:{system.plain_secret}".encode()
    ).decode()
    # A scope not registered on the client is refused (OAuth's invalid_scope) ...
    refused = client.post(
        "/api/v1/oauth/token",
        {"grant_type": "client_credentials", "scope": "students:read administration:write"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert refused.status_code == 400
    # ... and without one the client gets those registered on it.
    response = client.post(
        "/api/v1/oauth/token",
        {"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    # Only the scopes registered on the client, whatever is asked for.
    assert body["scope"] == "students:read"
    assert body["expires_in"] == settings.OAUTH2_PROVIDER["ACCESS_TOKEN_EXPIRE_SECONDS"]
    api = Api(type("T", (), {"token": body["access_token"]}))
    assert api.get("/api/v1/students").status_code == 200
    system.refresh_from_db()
    assert system.last_used_at is not None


def test_wrong_secret_gets_no_token(client):
    system = register("Horizon College", "school_coordinator")
    basic = base64.b64encode(f"{system.application.client_id}:wrong".encode()).decode()
    response = client.post(
        "/api/v1/oauth/token",
        {"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 401


def test_no_token_is_401_problem_json(client):
    response = client.get("/api/v1/students")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response["API-Version"] == "1.0.0"


def test_expired_token_is_401(horizon_system):
    api = Api(token_for(horizon_system, expires_in=-10))
    assert api.get("/api/v1/students").status_code == 401


def test_browser_session_is_no_api_login(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/api/v1/students").status_code == 401


def test_missing_scope_is_403(horizon_system):
    api = api_as(horizon_system, ["signals"])
    response = api.get("/api/v1/students")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_inactive_client_is_refused(horizon_system):
    api = api_as(horizon_system)
    horizon_system.is_active = False
    horizon_system.save()
    assert api.get("/api/v1/students").status_code == 401


def test_rate_limit_per_client(settings, horizon_system, clusius_system, one_rate_window):
    settings.KOERS_RATE_LIMITS = {**settings.KOERS_RATE_LIMITS, "api": (3, 60)}
    api = api_as(horizon_system)
    codes = [api.get("/api/v1/students").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    # Another client has its own count.
    assert api_as(clusius_system).get("/api/v1/students").status_code == 200


def test_invalid_body_is_problem_json_naming_the_field(horizon_api):
    response = horizon_api.post("/api/v1/students/search", {"bsn": "12"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["invalidParams"][0]["name"] == "bsn"


def test_dates_are_iso_8601_and_pages_use_a_cursor(horizon_api):
    for _ in range(3):
        EnrolmentFactory()
    response = horizon_api.get("/api/v1/students?pageSize=2")
    body = response.json()
    assert len(body["results"]) == 2
    assert "cursor=" in body["next"]
    date_of_birth = body["results"][0]["date_of_birth"]
    assert len(date_of_birth) == 10
    assert date_of_birth[4] == "-"
    rest = horizon_api.get(body["next"].replace("http://testserver", "")).json()
    assert len(rest["results"]) == 1


def test_seed_demo_accounts_only_prints_the_demo_clients():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_demo", accounts_only=True, stdout=out)
    text = out.getvalue()
    assert "demo-horizon" in text
    assert "demo-horizon-geheim" in text
    assert "demo-wi-nhn" in text


def test_reading_a_student_writes_the_access_log_with_the_client_as_actor(horizon_system):
    from students.models import AccessLog

    student = EnrolmentFactory().student
    response = api_as(horizon_system).get(f"/api/v1/students/{student.public_id}")
    assert response.status_code == 200
    assert "bsn" not in response.json()
    log = AccessLog.objects.get(action=AccessLog.Action.VIEW_STUDENT)
    assert log.student_id == student.pk
    assert log.user_id == horizon_system.user_id
    assert log.organisation_id == horizon_system.organisation_id
    assert log.detail == f"api client {horizon_system.pk}"


def test_another_schools_student_is_404_and_logged_as_refused(clusius_system, caplog):
    student = EnrolmentFactory().student  # at Horizon College
    response = api_as(clusius_system).get(f"/api/v1/students/{student.public_id}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert any("refused" in r.getMessage() for r in caplog.records if r.name == "koers.security")
