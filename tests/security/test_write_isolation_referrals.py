"""Cross-organisation writes on referrals and the Flexservice (issue 13): an
organisation never writes to another's referral, registration or trajectory, and never
sends a referral about a student outside its scope or to a partner outside the
student's region. Every refusal of a record outside the scope is a 404 and changes
nothing."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from referrals import services
from referrals.flexservice import services as flex_services
from referrals.models import IntakeRegistration, MaatwerkTrajectory, Referral, ReferralStatus
from students.models import LegalBasis
from tests.factories import EnrolmentFactory, make_user, municipality, organisation, school

WI_NHN = "Werk en Inkomen Noord-Holland Noord"
WI_HAAGLANDEN = "Werk en Inkomen Haaglanden"


@pytest.fixture
def student(mentor):
    return EnrolmentFactory(student__mentor=mentor).student


@pytest.fixture
def clusius_student(db):
    return EnrolmentFactory(institution=school("Clusius College")).student


@pytest.fixture
def wi_haaglanden(db):
    return make_user("wi@haaglanden.test", "wi", WI_HAAGLANDEN)


@pytest.fixture
def mondriaan_desk(db):
    return make_user("loket@mondriaan.test", "intake_desk", "ROC Mondriaan")


@pytest.fixture
def rijnland_desk(db):
    return make_user("loket@rijnland.test", "intake_desk", "mboRijnland")


def form_data(to, **extra):
    data = {
        "to_organisation": to.pk,
        "question": "Kunnen jullie begeleiding naar werk bieden?",
        "sections": ["contact"],
        "legal_basis": LegalBasis.WETTELIJKE_TAAK,
        "legal_reference": "WEB art. 8.1.8a",
    }
    data.update(extra)
    return data


def sent_referral(mentor, student, to=WI_NHN):
    referral = services.referral_create(
        actor=mentor,
        student=student,
        to_organisation=organisation(to),
        question="Vraag",
        sections=["contact"],
        legal_basis=LegalBasis.WETTELIJKE_TAAK,
        legal_reference="WEB art. 8.1.8a",
    )
    services.referral_send(referral=referral, actor=mentor)
    return referral


# --- Sending: only for a student in the sender's scope ------------------------------


def test_a_mentor_cannot_refer_another_schools_student(mentor, clusius_student, client):
    client.force_login(mentor)
    response = client.post(
        f"/verwijzingen/nieuw/{clusius_student.public_id}/", form_data(organisation(WI_NHN))
    )
    assert response.status_code == 404
    assert not Referral.objects.exists()


def test_another_schools_coordinator_cannot_refer_our_student(clusius_coordinator, student, client):
    client.force_login(clusius_coordinator)
    response = client.post(
        f"/verwijzingen/nieuw/{student.public_id}/", form_data(organisation(WI_NHN))
    )
    assert response.status_code == 404
    assert not Referral.objects.exists()


def test_the_service_refuses_a_student_outside_the_senders_scope(mentor, clusius_student):
    with pytest.raises(services.StudentOutOfScope):
        services.referral_create(
            actor=mentor,
            student=clusius_student,
            to_organisation=organisation(WI_NHN),
            question="Vraag",
            sections=["contact"],
            legal_basis=LegalBasis.WETTELIJKE_TAAK,
            legal_reference="WEB",
        )
    assert not Referral.objects.exists()


def test_sending_a_draft_after_the_student_left_the_scope_is_a_404(
    mentor, other_mentor, student, client
):
    referral = services.referral_create(
        actor=mentor,
        student=student,
        to_organisation=organisation(WI_NHN),
        question="Vraag",
        sections=["contact"],
        legal_basis=LegalBasis.WETTELIJKE_TAAK,
        legal_reference="WEB",
    )
    student.mentor = other_mentor
    student.save()
    client.force_login(mentor)
    response = client.post(
        f"/verwijzingen/{referral.public_id}/versturen/", {"version": referral.version}
    )
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT


# --- Sending: only to a partner of the student's region -----------------------------


def test_a_referral_to_a_partner_outside_the_students_region_is_a_field_error(
    mentor, student, client
):
    client.force_login(mentor)
    response = client.post(
        f"/verwijzingen/nieuw/{student.public_id}/", form_data(organisation(WI_HAAGLANDEN))
    )
    assert response.status_code == 200
    assert "to_organisation" in response.context["form"].errors
    assert not Referral.objects.exists()


def test_the_form_offers_only_the_students_regions_partners(mentor, student, client):
    client.force_login(mentor)
    form = client.get(f"/verwijzingen/nieuw/{student.public_id}/").context["form"]
    offered = set(form.fields["to_organisation"].queryset.values_list("name", flat=True))
    assert WI_NHN in offered
    assert WI_HAAGLANDEN not in offered
    assert "Doorstroompunt Haaglanden" not in offered
    assert "Horizon College" not in offered  # never the sender itself


def test_the_service_refuses_a_receiver_outside_the_region(mentor, student):
    with pytest.raises(ValidationError) as error:
        services.referral_create(
            actor=mentor,
            student=student,
            to_organisation=organisation(WI_HAAGLANDEN),
            question="Vraag",
            sections=["contact"],
            legal_basis=LegalBasis.WETTELIJKE_TAAK,
            legal_reference="WEB",
        )
    assert "to_organisation" in error.value.message_dict


def test_wvo_103b_is_not_a_basis_for_a_handover(mentor, student, client):
    client.force_login(mentor)
    response = client.post(
        f"/verwijzingen/nieuw/{student.public_id}/",
        form_data(organisation(WI_NHN), legal_basis=LegalBasis.WVO_103B),
    )
    assert "legal_basis" in response.context["form"].errors
    assert not Referral.objects.exists()


# --- Receiving: only the receiving organisation ------------------------------------


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("accepteren", {}),
        ("afwijzen", {"reason": "Geen plek"}),
        ("afronden", {"outcome": "work"}),
        ("instrumenten", {"jobcoach": "on"}),
    ],
)
def test_another_regions_wi_cannot_act_on_a_referral(
    mentor, wi, wi_haaglanden, student, client, path, data
):
    referral = sent_referral(mentor, student)
    if path in ("afronden", "instrumenten"):
        services.referral_accept(referral=referral, actor=wi)
    before = Referral.objects.values().get(pk=referral.pk)
    client.force_login(wi_haaglanden)
    assert client.post(f"/verwijzingen/{referral.public_id}/{path}/", data).status_code == 404
    assert Referral.objects.values().get(pk=referral.pk) == before
    assert not hasattr(Referral.objects.get(pk=referral.pk), "instruments")


def test_another_schools_coordinator_cannot_withdraw_our_referral(
    mentor, clusius_coordinator, student, client
):
    referral = sent_referral(mentor, student)
    client.force_login(clusius_coordinator)
    assert client.post(f"/verwijzingen/{referral.public_id}/intrekken/").status_code == 404
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


# --- Flexservice: each ROC its own registrations and trajectories ------------------


def test_another_rocs_desk_cannot_write_a_registration(mondriaan_desk, rijnland_desk, client):
    registration = flex_services.registration_create(
        actor=mondriaan_desk,
        desk=school("ROC Mondriaan"),
        data={
            "first_name": "Ilias",
            "last_name": "Bakker",
            "date_of_birth": date(2008, 3, 4),
            "municipality": municipality("Delft"),
            "referred_by": "leerplicht",
            "question": "Past mbo niveau 2?",
            "registered_on": date(2026, 9, 1),
        },
    )
    before = IntakeRegistration.objects.values().get(pk=registration.pk)
    client.force_login(rijnland_desk)
    for data in (
        {"action": "intake", "intake_date": "2026-09-08", "version": 1},
        {"action": "consult", "partners": "Leerplicht", "version": 1},
        {"action": "outcome", "outcome": "no_route", "version": 1},
    ):
        response = client.post(f"/verwijzingen/loket/{registration.public_id}/", data)
        assert response.status_code == 404
    assert IntakeRegistration.objects.values().get(pk=registration.pk) == before


def test_another_schools_staff_cannot_write_a_trajectory(
    coordinator, clusius_coordinator, student, client
):
    trajectory = flex_services.trajectory_start(
        actor=coordinator,
        student=student,
        data={
            "location": "Alkmaar",
            "level": "entree",
            "start_date": date(2026, 9, 1),
            "reason": "Verzuim",
            "expert": "Jobcoach",
            "goals": "Behouden",
        },
    )
    client.force_login(clusius_coordinator)
    for data in (
        {"action": "contact", "date": "2026-09-08", "note": "Gesprek"},
        {"action": "end", "end_date": "2026-10-01", "outcome": "retained", "version": 1},
    ):
        response = client.post(f"/verwijzingen/maatwerk/{trajectory.public_id}/", data)
        assert response.status_code == 404
    trajectory.refresh_from_db()
    assert trajectory.end_date is None
    assert not trajectory.contacts.exists()
    # And cannot start one for our student.
    response = client.post(
        f"/verwijzingen/maatwerk/nieuw/{student.public_id}/",
        {"location": "X", "level": "2", "start_date": "2026-09-01", "reason": "r", "expert": "e"},
    )
    assert response.status_code == 404
    assert MaatwerkTrajectory.objects.count() == 1
