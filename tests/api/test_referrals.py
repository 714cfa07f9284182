"""A partner's system: list received referrals, accept (then the shared sections only),
record instruments, complete; a referral to another organisation is a 404."""

import pytest

from tests.factories import EnrolmentFactory
from tests.referrals.conftest import make_referral

from .conftest import api_as, register

pytestmark = pytest.mark.django_db


def test_partner_flow_accept_instruments_complete(mentor):
    wi = register("Werk en Inkomen Noord-Holland Noord", "wi")
    student = EnrolmentFactory(student__mentor=mentor).student
    referral = make_referral(actor=mentor, student=student, to=wi.organisation)
    api = api_as(wi)
    listed = api.get("/api/v1/referrals").json()["results"]
    assert [r["id"] for r in listed] == [referral.public_id]
    assert "shared_data" not in listed[0]
    url = f"/api/v1/referrals/{referral.public_id}"
    assert api.get(url).json()["shared_data"] == {}
    accepted = api.post(f"{url}/acceptance")
    assert accepted.json()["status"] == "accepted"
    referral.refresh_from_db()
    assert accepted.json()["shared_data"] == referral.shared_data  # the snapshot sent, no more
    refused = api.put(f"{url}/instruments", {"lkv": True})
    assert refused.status_code == 400
    assert refused.json()["invalidParams"][0]["name"] == "job_start_date"
    recorded = api.put(f"{url}/instruments", {"jobcoach": True})
    assert recorded.status_code == 200
    from referrals.models import WorkInstruments

    assert WorkInstruments.objects.get(referral=referral).jobcoach
    done = api.post(f"{url}/completion", {"outcome": "work"})
    assert done.json()["status"] == "completed"
    again = api.post(f"{url}/acceptance")
    assert again.status_code == 409


def test_another_organisations_referral_is_404(mentor):
    wi = register("Werk en Inkomen Noord-Holland Noord", "wi")
    from accounts.models import Organisation

    to = Organisation.objects.filter(kind="jongeren_startpunt").first()
    student = EnrolmentFactory(student__mentor=mentor).student
    referral = make_referral(actor=mentor, student=student, to=to)
    api = api_as(wi)
    assert api.get(f"/api/v1/referrals/{referral.public_id}").status_code == 404
    assert api.post(f"/api/v1/referrals/{referral.public_id}/acceptance").status_code == 404
    referral.refresh_from_db()
    assert referral.status == "sent"
