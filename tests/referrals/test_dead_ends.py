"""No dead ends in referrals (issue 15): one overgangsdocument per student, and the
legal bases a referral form offers."""

import pytest
from django.db import IntegrityError, transaction

from referrals import services
from referrals.forms import OvergangsdocumentForm, ReferralForm
from referrals.models import Referral, ReferralKind, ReferralStatus
from students.models import LegalBasis
from tests.factories import organisation

from .conftest import make_referral

pytestmark = pytest.mark.django_db

WI = "Werk en Inkomen Noord-Holland Noord"
DOCUMENT = {
    "situation": "Werkt 12 uur per week bij een supermarkt.",
    "work_capacity": "",
    "hour_limits": "",
    "wishes": "",
    "support_needed": "",
    "agreements": "",
    "contacts": "",
}


def _overgangsdocument(mentor, student, *, send=True):
    return make_referral(
        actor=mentor,
        student=student,
        to=organisation(WI),
        kind=ReferralKind.OVERGANGSDOCUMENT,
        overgangsdocument=dict(DOCUMENT),
        send=send,
    )


def test_a_second_overgangsdocument_for_the_same_student_is_refused(mentor, student):
    first = _overgangsdocument(mentor, student)
    with pytest.raises(services.OvergangsdocumentExists) as refused:
        _overgangsdocument(mentor, student, send=False)
    assert refused.value.existing == first
    assert Referral.objects.filter(kind=ReferralKind.OVERGANGSDOCUMENT).count() == 1


def test_after_a_withdrawn_overgangsdocument_a_new_one_may_be_made(mentor, student):
    first = _overgangsdocument(mentor, student)
    services.referral_withdraw(referral=first, actor=mentor, expected_version=first.version)
    first.refresh_from_db()
    assert first.status == ReferralStatus.WITHDRAWN
    second = _overgangsdocument(mentor, student, send=False)
    assert second.pk != first.pk


def test_the_database_keeps_one_overgangsdocument_per_student(mentor, student):
    first = _overgangsdocument(mentor, student, send=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(
            student=student,
            kind=ReferralKind.OVERGANGSDOCUMENT,
            from_organisation=first.from_organisation,
            to_organisation=first.to_organisation,
            created_by=mentor,
            question="Nogmaals",
            sections=["overgangsdocument"],
            legal_basis=LegalBasis.WETTELIJKE_TAAK,
            legal_reference="Participatiewet art. 7",
        )


def test_the_form_for_a_second_overgangsdocument_links_to_the_existing_one(client, mentor, student):
    first = _overgangsdocument(mentor, student)
    client.force_login(mentor)
    url = f"/verwijzingen/overgangsdocument/{student.public_id}/"
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-refusal="overgangsdocument-exists"' in html
    assert f'href="/verwijzingen/{first.public_id}/"' in html
    assert 'name="situation"' not in html  # no form for a second one
    posted = client.post(url, {"question": "Nog een", "situation": "x"})
    assert posted.status_code == 409
    assert Referral.objects.filter(kind=ReferralKind.OVERGANGSDOCUMENT).count() == 1


@pytest.mark.parametrize("form_class", [ReferralForm, OvergangsdocumentForm])
def test_a_referral_form_offers_no_wvo_103b(form_class):
    offered = [value for value, _label in form_class().fields["legal_basis"].choices]
    assert LegalBasis.WVO_103B not in offered
    assert offered == [LegalBasis.WETTELIJKE_TAAK, LegalBasis.CONSENT]


def test_the_referral_page_offers_a_legal_task_or_consent_only(client, mentor, student):
    client.force_login(mentor)
    html = client.get(f"/verwijzingen/nieuw/{student.public_id}/").content.decode()
    assert 'value="wettelijke_taak"' in html
    assert 'value="consent"' in html
    assert 'value="wvo_103b"' not in html
    assert "103b" not in html


def test_a_legal_task_needs_its_law_and_consent_its_who_and_when():
    form = ReferralForm(data={"legal_basis": LegalBasis.WETTELIJKE_TAAK})
    form.is_valid()
    assert "legal_reference" in form.errors
    form = ReferralForm(data={"legal_basis": LegalBasis.CONSENT})
    form.is_valid()
    assert "consent_given_by" in form.errors
    assert "consent_given_on" in form.errors
    form = ReferralForm(data={"legal_basis": LegalBasis.WVO_103B})
    form.is_valid()
    assert "legal_basis" in form.errors
