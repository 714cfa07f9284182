from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from referrals import services
from referrals.models import Referral, ReferralEvent, ReferralStatus
from roadmap.models import AbaStep
from students.models import AccessLog, Disclosure, LegalBasis
from tests.factories import organisation

from .conftest import make_referral

WI = "Werk en Inkomen Noord-Holland Noord"
STARTPUNT = "Check-In en Doorstroompunt"


def snapshot(referral):
    referral.refresh_from_db()
    return (
        referral.status,
        referral.decided_at,
        referral.withdrawn_at,
        referral.consent_withdrawn_at,
        referral.events.count(),
    )


def test_sending_writes_a_disclosure_with_the_sections_and_basis(mentor, student):
    referral = make_referral(
        actor=mentor, student=student, to=organisation(WI), sections=["contact", "perspective"]
    )
    disclosure = Disclosure.objects.get(source="referral", source_id=referral.pk)
    assert disclosure.to_organisation == organisation(WI)
    assert disclosure.sections == ["contact", "perspective"]
    assert disclosure.legal_basis == LegalBasis.WETTELIJKE_TAAK
    assert disclosure.legal_reference == "WEB art. 8.1.8a"
    assert referral.status == ReferralStatus.SENT
    assert list(referral.events.values_list("action", flat=True)) == ["created", "sent"]


def test_a_draft_discloses_nothing(mentor, student):
    make_referral(actor=mentor, student=student, to=organisation(WI), send=False)
    assert not Disclosure.objects.exists()


def test_accepting_twice_is_refused_and_changes_nothing(mentor, wi, student):
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    services.referral_accept(referral=referral, actor=wi)
    before = snapshot(referral)
    with pytest.raises(services.ReferralRefused, match="geaccepteerd"):
        services.referral_accept(referral=Referral.objects.get(pk=referral.pk), actor=wi)
    assert snapshot(referral) == before


def test_accepting_a_withdrawn_referral_is_refused(mentor, wi, student):
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    stale = Referral.objects.get(pk=referral.pk)  # the receiver's page, loaded earlier
    services.referral_withdraw(referral=referral, actor=mentor)
    before = snapshot(referral)
    with pytest.raises(services.ReferralRefused, match="ingetrokken"):
        services.referral_accept(referral=stale, actor=wi)
    assert snapshot(referral) == before
    assert before[0] == ReferralStatus.WITHDRAWN


def test_withdrawing_after_acceptance_is_refused(mentor, wi, student):
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    services.referral_accept(referral=referral, actor=wi)
    before = snapshot(referral)
    with pytest.raises(services.ReferralRefused):
        services.referral_withdraw(referral=referral, actor=mentor)
    assert snapshot(referral) == before


def test_rejecting_needs_a_reason_and_only_a_sent_referral(mentor, wi, student):
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    with pytest.raises(ValidationError):
        services.referral_reject(referral=referral, actor=wi, reason=" ")
    services.referral_reject(referral=referral, actor=wi, reason="Geen capaciteit")
    assert referral.status == ReferralStatus.REJECTED
    with pytest.raises(services.ReferralRefused):
        services.referral_accept(referral=referral, actor=wi)


def test_completing_needs_acceptance_first(mentor, wi, student):
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    before = snapshot(referral)
    with pytest.raises(services.ReferralRefused):
        services.referral_complete(referral=referral, actor=wi, outcome="work")
    assert snapshot(referral) == before
    services.referral_accept(referral=referral, actor=wi)
    services.referral_complete(referral=referral, actor=wi, outcome="work", note="Baan bij AH")
    assert referral.status == ReferralStatus.COMPLETED


def test_only_the_receiver_accepts(mentor, startpunt, student):
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    before = snapshot(referral)
    with pytest.raises(services.ReferralRefused):
        services.referral_accept(referral=referral, actor=startpunt)
    assert snapshot(referral) == before


def test_aba_is_refused_for_anyone_but_wi(mentor, student):
    with pytest.raises(ValidationError):
        make_referral(actor=mentor, student=student, to=organisation(STARTPUNT), sections=["aba"])
    assert not Referral.objects.exists()


def test_aba_is_refused_from_leerplicht(leerplicht, student):
    with pytest.raises(ValidationError):
        make_referral(actor=leerplicht, student=student, to=organisation(WI), sections=["aba"])


def test_consent_needs_who_and_when(mentor, student):
    with pytest.raises(ValidationError):
        make_referral(
            actor=mentor,
            student=student,
            to=organisation(WI),
            legal_basis=LegalBasis.CONSENT,
            legal_reference="",
        )


def test_withdrawing_consent_is_recorded_and_refused_twice(mentor, wi, student, client):
    referral = make_referral(
        actor=mentor,
        student=student,
        to=organisation(WI),
        legal_basis=LegalBasis.CONSENT,
        consent_given_by="moeder",
        consent_given_on=date(2026, 9, 1),
    )
    services.referral_accept(referral=referral, actor=wi)
    services.referral_consent_withdraw(referral=referral, actor=mentor)
    assert Disclosure.objects.get(source_id=referral.pk).consent_withdrawn_at is not None
    before = snapshot(referral)
    with pytest.raises(services.ReferralRefused, match="al ingetrokken"):
        services.referral_consent_withdraw(referral=referral, actor=mentor)
    assert snapshot(referral) == before
    # The receiver no longer sees the student.
    client.force_login(wi)
    response = client.get(f"/verwijzingen/{referral.public_id}/")
    assert response.status_code == 200
    assert escape(student.last_name) not in response.content.decode()
    assert "ingetrokken" in response.content.decode()


def test_withdrawing_consent_on_a_legal_task_is_refused(mentor, student):
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    before = snapshot(referral)
    with pytest.raises(services.ReferralRefused, match="niet op toestemming"):
        services.referral_consent_withdraw(referral=referral, actor=mentor)
    assert snapshot(referral) == before
    assert not ReferralEvent.objects.filter(action="consent_withdrawn").exists()


# --- What the receiver sees ---------------------------------------------------------


def test_receiver_sees_nothing_of_the_student_before_accepting(mentor, wi, student, client):
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    client.force_login(wi)
    page = client.get(f"/verwijzingen/{referral.public_id}/").content.decode()
    assert escape(student.last_name) not in page
    assert 'data-section="contact"' not in page
    assert client.get(f"/students/{student.public_id}/").status_code == 404


def test_receiver_sees_exactly_the_shared_sections_after_accepting(mentor, wi, student, client):
    student.email = "jongere@example.test"
    student.save()
    referral = make_referral(
        actor=mentor,
        student=student,
        to=organisation(WI),
        sections=["contact", "support_needs"],
        support_needs="Structuur en een vaste begeleider",
    )
    services.referral_accept(referral=referral, actor=wi)
    client.force_login(wi)
    page = client.get(f"/verwijzingen/{referral.public_id}/").content.decode()
    assert escape(student.last_name) in page
    assert 'data-section="contact"' in page
    assert "jongere@example.test" in page
    assert 'data-section="support_needs"' in page
    for hidden in ("roadmap_summary", "study_advice", "perspective", "aba"):
        assert f'data-section="{hidden}"' not in page
    # The student's page shows the same shared sections, never the whole file.
    student_page = client.get(f"/students/{student.public_id}/").content.decode()
    assert 'data-section="contact"' in student_page
    assert 'data-section="roadmap_summary"' not in student_page


def test_a_partner_opening_a_referral_to_another_organisation_gets_404(
    mentor, wi, startpunt, student, client
):
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    services.referral_accept(referral=referral, actor=wi)
    client.force_login(startpunt)
    assert client.get(f"/verwijzingen/{referral.public_id}/").status_code == 404
    assert client.post(f"/verwijzingen/{referral.public_id}/accepteren/").status_code == 404
    assert (
        client.get(f"/verwijzingen/{referral.public_id}/overgangsdocument.pdf").status_code == 404
    )


def test_a_draft_is_invisible_to_the_receiver(mentor, wi, student, client):
    referral = make_referral(actor=mentor, student=student, to=organisation(WI), send=False)
    client.force_login(wi)
    assert client.get(f"/verwijzingen/{referral.public_id}/").status_code == 404


def test_accept_twice_through_the_page_says_why(mentor, wi, student, client):
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    client.force_login(wi)
    read = {"version": referral.version}  # two tabs, both read before accepting
    client.post(f"/verwijzingen/{referral.public_id}/accepteren/", read)
    response = client.post(f"/verwijzingen/{referral.public_id}/accepteren/", read, follow=True)
    assert "kan niet (meer) geaccepteerd worden" in response.content.decode()
    assert referral.events.filter(action="accepted").count() == 1


def test_a_refused_transition_is_logged_without_personal_data(mentor, wi, student, client, caplog):
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    client.force_login(wi)
    read = {"version": referral.version}
    client.post(f"/verwijzingen/{referral.public_id}/accepteren/", read)
    with caplog.at_level("WARNING", logger="koers.security"):
        client.post(f"/verwijzingen/{referral.public_id}/accepteren/", read)
    refusals = [r.getMessage() for r in caplog.records if r.name == "koers.security"]
    assert any("refused POST" in line for line in refusals)
    assert not any(student.last_name in line for line in refusals)


def test_aba_shared_by_the_school_shows_to_wi_after_acceptance_and_every_view_is_logged(
    mentor, wi, student, client
):
    enrolment = student.enrolments.get()
    AbaStep.objects.create(
        enrolment=enrolment,
        date=date(2026, 11, 1),
        author=mentor,
        decision="apply",
        applied_date=date(2026, 11, 2),
        uwv_outcome="indicatie",
        doelgroepregister=True,
    )
    referral = make_referral(
        actor=mentor, student=student, to=organisation(WI), sections=["contact", "aba"]
    )
    assert referral.shared_data["aba"]["aba"][0]["doelgroepregister"] is True
    client.force_login(wi)
    before = client.get(f"/verwijzingen/{referral.public_id}/").content.decode()
    assert 'data-section="aba"' not in before
    services.referral_accept(referral=referral, actor=wi)
    special = AccessLog.objects.filter(
        action=AccessLog.Action.VIEW_SPECIAL, user=wi, student=student
    )
    assert special.count() == 0
    for expected in (1, 2):
        page = client.get(f"/verwijzingen/{referral.public_id}/").content.decode()
        assert 'data-section="aba"' in page
        assert special.count() == expected


def test_instruments_set_the_lkv_deadline_three_months_after_the_job_start(mentor, wi, student):
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    with pytest.raises(services.ReferralRefused):
        services.instruments_record(referral=referral, actor=wi, data={"lkv": True})
    services.referral_accept(referral=referral, actor=wi)
    instruments = services.instruments_record(
        referral=referral,
        actor=wi,
        data={"lkv": True, "jobcoach": True, "job_start_date": date(2026, 11, 30)},
    )
    assert instruments.doelgroepverklaring_deadline == date(2027, 2, 28)
    assert referral.events.filter(action="instruments").exists()


def test_the_start_page_shows_the_referrals_in_progress_and_the_inbox(
    mentor, dsp, wi, student, client
):
    """Both panels have a presence (accounts.home): with no referral the start page leaves
    them out; with one, each shows it. A partner that sees only what
    was shared (W&I) has its inbox on the start page even when it is empty."""
    doorstroompunt = dsp.memberships.get().organisation
    client.force_login(mentor)
    assert "Mijn verwijzingen in behandeling" not in client.get("/").content.decode()
    client.force_login(dsp)
    assert 'data-panel="referral-inbox"' not in client.get("/").content.decode()
    client.force_login(wi)
    assert 'data-panel="referral-inbox"' in client.get("/").content.decode()
    referral = make_referral(actor=mentor, student=student, to=doorstroompunt)
    client.force_login(mentor)
    page = client.get("/").content.decode()
    assert "Mijn verwijzingen in behandeling" in page
    detail = reverse("referrals:detail", args=[referral.public_id])
    assert f'<a href="{detail}">{student.full_name}</a>' in page
    client.force_login(dsp)
    page = client.get("/").content.decode()
    assert f'data-referral="{referral.public_id}"' in page
    assert f'<a href="{detail}">Bekijken en beslissen</a>' in page
