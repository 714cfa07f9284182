"""The authorization matrix, API half: every operation x every demo client, on the demo
data. In scope: 200; a record outside the client's scope: 404 (never 403); a token
without the operation's scope: 403. Writes run in a savepoint that is rolled back."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from api.demo import DEMO_CLIENTS
from api.models import ApiClient

from .conftest import api_as

GET_OPERATIONS = [
    # (scope, url template, which records)
    ("students:read", "/api/v1/students/{}", "students"),
    ("students:read", "/api/v1/students/{}/roadmap-steps", "students"),
    ("signals", "/api/v1/signals/{}", "signals"),
    ("referrals", "/api/v1/referrals/{}", "referrals"),
    ("meetings", "/api/v1/meetings/{}", "meetings"),
]
LIST_OPERATIONS = [
    ("students:read", "/api/v1/students"),
    ("signals", "/api/v1/signals"),
    ("referrals", "/api/v1/referrals"),
    ("meetings", "/api/v1/meetings"),
    ("notifications", "/api/v1/subscriptions"),
]
WRITE_OPERATIONS = [
    # (scope, method, url template, records, body, status in scope)
    ("signals", "post", "/api/v1/signals/{}/resolution", "open_signals", {"note": "ok"}, 200),
    ("signals", "post", "/api/v1/signals/{}/dismissal", "open_signals", {"reason": "x"}, 200),
    ("referrals", "post", "/api/v1/referrals/{}/acceptance", "sent_referrals", {}, 200),
    ("referrals", "post", "/api/v1/referrals/{}/rejection", "sent_referrals", {"reason": "x"}, 200),
    (
        "referrals",
        "post",
        "/api/v1/referrals/{}/completion",
        "accepted_referrals",
        {"outcome": "work"},
        200,
    ),
    ("students:read", "post", "/api/v1/students/search", None, {"name": "a"}, 200),
]


def records(kind, user):
    """(visible ids, all ids) of a kind of record, through the web's own scoped queries."""
    from doorstroomtafel.models import Meeting
    from doorstroomtafel.queries import meetings_for_user
    from monitoring.models import Signal
    from monitoring.queries import signals_for_user
    from referrals.models import Referral
    from students.models import Student

    today = timezone.localdate()
    if kind == "students":
        visible = Student.objects.visible_to(user, today=today).values_list("public_id", flat=True)
        every = Student.objects.values_list("public_id", flat=True)
    elif kind in ("signals", "open_signals"):
        visible = signals_for_user(user, today=today)
        every = Signal.objects.all()
        if kind == "open_signals":
            visible, every = visible.filter(status="open"), every.filter(status="open")
        visible, every = visible.values_list("pk", flat=True), every.values_list("pk", flat=True)
    elif kind.endswith("referrals"):
        visible = Referral.objects.received_by(user)
        every = Referral.objects.exclude(status="draft")
        status = {"sent_referrals": "sent", "accepted_referrals": "accepted"}.get(kind)
        if status:
            visible, every = visible.filter(status=status), every.filter(status=status)
        visible = visible.values_list("public_id", flat=True)
        every = every.values_list("public_id", flat=True)
    else:
        visible = meetings_for_user(user).values_list("public_id", flat=True)
        every = Meeting.objects.values_list("public_id", flat=True)
    visible = set(visible)
    outside = sorted(set(every) - visible, key=str)
    return sorted(visible, key=str), outside


def send(api, method, url, body=None):
    if method == "get":
        return api.get(url)
    with transaction.atomic():
        response = getattr(api, method)(url, body or {})
        transaction.set_rollback(True)
    return response


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.KOERS_RATE_LIMITS = {**settings.KOERS_RATE_LIMITS, "api": (100_000, 60)}
    call_command("seed_demo", force=True, verbosity=0)
    return {c.application.client_id: c for c in ApiClient.objects.select_related("application")}


def test_every_operation_for_every_demo_client(demo):
    assert set(demo) == {client_id for client_id, _n, _r in DEMO_CLIENTS}
    wrong, in_scope_seen = [], 0
    for client_id, client in sorted(demo.items()):
        full = api_as(client)
        for scope, template, kind in GET_OPERATIONS:
            visible, outside = records(kind, client.user)
            without = api_as(client, [s for s in client.scopes if s != scope])
            if visible:
                in_scope_seen += 1
                url = template.format(visible[0])
                if (code := full.get(url).status_code) != 200:
                    wrong.append(f"{client_id} {url}: in scope {code}")
                if (code := without.get(url).status_code) != 403:
                    wrong.append(f"{client_id} {url}: without scope {code}")
            if outside:
                url = template.format(outside[0])
                if (code := full.get(url).status_code) != 404:
                    wrong.append(f"{client_id} {url}: outside scope {code}")
        for scope, url in LIST_OPERATIONS:
            without = api_as(client, [s for s in client.scopes if s != scope])
            if (code := full.get(url).status_code) != 200:
                wrong.append(f"{client_id} {url}: {code}")
            if (code := without.get(url).status_code) != 403:
                wrong.append(f"{client_id} {url}: without scope {code}")
        for scope, method, template, kind, body, expected in WRITE_OPERATIONS:
            without = api_as(client, [s for s in client.scopes if s != scope])
            if kind is None:
                targets = [(template, expected)]
            else:
                visible, outside = records(kind, client.user)
                targets = [(template.format(v), expected) for v in visible[:1]]
                targets += [(template.format(o), 404) for o in outside[:1]]
            for url, want in targets:
                if (code := send(full, method, url, body).status_code) != want:
                    wrong.append(f"{client_id} {method} {url}: expected {want}, got {code}")
                if (code := send(without, method, url, body).status_code) != 403:
                    wrong.append(f"{client_id} {method} {url}: without scope {code}")
    assert not wrong, "\n".join(wrong)
    assert in_scope_seen >= 10  # the demo data puts records in most clients' scope


def test_a_partner_reads_only_the_shared_sections_after_accepting(demo):
    from referrals.models import Referral

    wi = demo["demo-wi-nhn"]
    referral = Referral.objects.filter(to_organisation=wi.organisation, status="sent").first()
    assert referral is not None, "the demo data has a sent referral to W&I"
    api = api_as(wi)
    before = api.get(f"/api/v1/referrals/{referral.public_id}").json()
    assert before["shared_data"] == {}
    accepted = api.post(f"/api/v1/referrals/{referral.public_id}/acceptance")
    assert accepted.status_code == 200, accepted.content
    data = accepted.json()["shared_data"]
    referral.refresh_from_db()
    assert data == referral.shared_data
    # Still no way in through the student resources beyond what a W&I user sees.
    response = api.get(f"/api/v1/students/{referral.student.public_id}")
    from students.models import Student

    visible = Student.objects.visible_to(wi.user).filter(pk=referral.student_id).exists()
    assert response.status_code == (200 if visible else 404)
