"""Partners see what was shared (issue 13): a Jongeren Startpunt, W&I or care partner
sees a student from the acceptance of a referral to their organisation on, in the
student list and on the student's page, and there exactly the shared sections; before
acceptance, after a rejection or withdrawal, after the referral ends or consent is
withdrawn, and for a colleague at another organisation: a 404."""

import pytest
from django.utils.html import escape

from referrals import services
from students.models import AccessLog, LegalBasis
from students.names import display_sort_name
from tests.factories import make_user, organisation

from .conftest import make_referral

WI = "Werk en Inkomen Noord-Holland Noord"


@pytest.fixture
def wi_haaglanden(db):
    return make_user("wi@haaglanden.test", "wi", "Werk en Inkomen Haaglanden")


def page(client, student):
    return client.get(f"/students/{student.public_id}/")


def listed(client, student):
    return student.public_id in client.get("/students/").content.decode()


def shared_referral(mentor, student, **extra):
    student.email = "jongere@example.test"
    student.save()
    values = {
        "sections": ["contact", "support_needs"],
        "support_needs": "Een vaste begeleider",
    }
    values.update(extra)
    return make_referral(actor=mentor, student=student, to=organisation(WI), **values)


def test_after_accepting_wi_lists_and_opens_the_student_with_only_the_shared_sections(
    mentor, wi, student, client
):
    referral = shared_referral(mentor, student)
    services.referral_accept(referral=referral, actor=wi)
    client.force_login(wi)

    assert listed(client, student)
    response = page(client, student)
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(student.last_name) in html
    assert 'data-section="contact"' in html
    assert "jongere@example.test" in html
    assert 'data-section="support_needs"' in html
    assert "Een vaste begeleider" in html
    for hidden in ("roadmap_summary", "study_advice", "perspective", "aba"):
        assert f'data-section="{hidden}"' not in html
    # Nothing of the file itself: no enrolments, history, route, disclosures or BSN.
    for heading in ("h-enrolments", "h-history", "h-personal", "Openbaarmakingen"):
        assert heading not in html
    assert student.student_number not in html
    assert AccessLog.objects.filter(
        user=wi, action=AccessLog.Action.VIEW_STUDENT, student=student
    ).exists()


def test_the_list_shows_a_partner_names_only(mentor, wi, student, client):
    referral = shared_referral(mentor, student, sections=["support_needs"])
    services.referral_accept(referral=referral, actor=wi)
    client.force_login(wi)
    html = client.get("/students/").content.decode()
    # As a list sorted on surname shows it: "Northeim, Jan van".
    assert escape(display_sort_name(student.first_name, student.last_name)) in html
    assert student.municipality.name not in html.split("<tbody>")[1]


def test_a_partner_does_not_see_the_route_pages(mentor, wi, student, client):
    referral = shared_referral(mentor, student, sections=["roadmap_summary"])
    services.referral_accept(referral=referral, actor=wi)
    client.force_login(wi)
    assert page(client, student).status_code == 200
    assert client.get(f"/route/{student.public_id}/").status_code == 404


def test_aba_shows_to_wi_only_when_shared_and_the_view_is_logged(mentor, wi, student, client):
    referral = shared_referral(mentor, student, sections=["aba"])
    services.referral_accept(referral=referral, actor=wi)
    client.force_login(wi)
    html = page(client, student).content.decode()
    assert 'data-section="aba"' in html
    assert AccessLog.objects.filter(
        user=wi, action=AccessLog.Action.VIEW_SPECIAL, student=student
    ).exists()


@pytest.mark.parametrize("state", ["sent", "rejected", "withdrawn", "completed", "draft"])
def test_without_an_accepted_referral_the_student_is_a_404(mentor, wi, student, client, state):
    referral = shared_referral(mentor, student, send=state != "draft")
    if state == "rejected":
        services.referral_reject(referral=referral, actor=wi, reason="Geen capaciteit")
    elif state == "withdrawn":
        services.referral_withdraw(referral=referral, actor=mentor)
    elif state == "completed":
        services.referral_accept(referral=referral, actor=wi)
        services.referral_complete(referral=referral, actor=wi, outcome="work")
    client.force_login(wi)
    assert page(client, student).status_code == 404
    assert not listed(client, student)


def test_withdrawn_consent_ends_the_partners_access(mentor, wi, student, client):
    referral = shared_referral(
        mentor,
        student,
        legal_basis=LegalBasis.CONSENT,
        legal_reference="",
        consent_given_by="De student",
        consent_given_on=student.date_of_birth.replace(year=student.date_of_birth.year + 16),
    )
    services.referral_accept(referral=referral, actor=wi)
    client.force_login(wi)
    assert page(client, student).status_code == 200
    services.referral_consent_withdraw(referral=referral, actor=mentor)
    assert page(client, student).status_code == 404
    assert not listed(client, student)


def test_a_colleague_at_another_wi_gets_a_404(mentor, wi, wi_haaglanden, student, client):
    referral = shared_referral(mentor, student)
    services.referral_accept(referral=referral, actor=wi)
    client.force_login(wi_haaglanden)
    assert page(client, student).status_code == 404
    assert not listed(client, student)


def test_another_partner_kind_in_the_same_region_gets_a_404(mentor, wi, startpunt, student, client):
    referral = shared_referral(mentor, student)
    services.referral_accept(referral=referral, actor=wi)
    client.force_login(startpunt)
    assert page(client, student).status_code == 404


def test_the_jongeren_startpunt_sees_the_student_after_accepting(
    mentor, startpunt, student, client
):
    referral = make_referral(
        actor=mentor,
        student=student,
        to=organisation("Check-In en Doorstroompunt"),
        sections=["perspective"],
    )
    client.force_login(startpunt)
    assert page(client, student).status_code == 404
    services.referral_accept(referral=referral, actor=startpunt)
    html = page(client, student).content.decode()
    assert 'data-section="perspective"' in html
    assert 'data-section="contact"' not in html


def test_the_school_still_sees_the_whole_file(mentor, wi, student, client):
    referral = shared_referral(mentor, student)
    services.referral_accept(referral=referral, actor=wi)
    client.force_login(mentor)
    html = page(client, student).content.decode()
    assert "h-enrolments" in html
    assert "h-history" in html
    assert "data-shared-panel" not in html


def test_a_partner_without_an_accepted_referral_gets_the_explanation(mentor, wi, student, client):
    shared_referral(mentor, student)  # sent, not accepted
    client.force_login(wi)
    response = client.get("/students/")
    assert response.context["scope_empty"]
    assert "verwijzing" in response.content.decode()
