"""No lost update (issue 13): every edit form of referrals and the Flexservice carries the
version it read; a save over someone else's change is refused with both versions side by
side (409) and changes nothing, and a tampered version is refused as a form error,
never a 500."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals import services
from referrals.flexservice import services as flex_services
from referrals.models import IntakeRegistration, MaatwerkTrajectory, Referral, ReferralStatus
from students.models import LegalBasis
from tests.factories import municipality, organisation, school

from .conftest import make_referral

WI = "Werk en Inkomen Noord-Holland Noord"
TAMPERED = ["99999999999", "-1", "", "x"]


def consent_referral(mentor, student):
    return make_referral(
        actor=mentor,
        student=student,
        to=organisation(WI),
        legal_basis=LegalBasis.CONSENT,
        legal_reference="",
        consent_given_by="De student",
        consent_given_on=timezone.localdate() - timedelta(days=1),
    )


def url(referral, action):
    return f"/verwijzingen/{referral.public_id}/{action}/"


def frozen(referral):
    values = Referral.objects.values().get(pk=referral.pk)
    return values, hasattr(Referral.objects.get(pk=referral.pk), "instruments")


# --- Referral transitions and instruments --------------------------------------------

RECEIVER_ACTIONS = {
    "accepteren": {},
    "afwijzen": {"reason": "Geen plek"},
}


@pytest.mark.parametrize("action", list(RECEIVER_ACTIONS))
def test_a_stale_accept_or_reject_shows_both_versions_and_changes_nothing(
    mentor, wi, student, client, action
):
    referral = consent_referral(mentor, student)
    read = referral.version
    # Meanwhile the school records that the consent was withdrawn.
    services.referral_consent_withdraw(referral=referral, actor=mentor)
    before = frozen(referral)
    client.force_login(wi)
    response = client.post(url(referral, action), {**RECEIVER_ACTIONS[action], "version": read})
    assert response.status_code == 409
    assert b'data-conflict="true"' in response.content
    assert b'data-version="saved"' in response.content
    assert frozen(referral) == before


def test_a_stale_withdrawal_by_the_sender_shows_both_versions(
    mentor, coordinator, wi, student, client
):
    referral = consent_referral(mentor, student)
    read = referral.version
    services.referral_consent_withdraw(referral=referral, actor=coordinator)
    client.force_login(mentor)
    response = client.post(url(referral, "intrekken"), {"version": read})
    assert response.status_code == 409
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.SENT


def test_a_stale_consent_withdrawal_shows_both_versions(mentor, wi, student, client):
    referral = consent_referral(mentor, student)
    services.referral_accept(referral=referral, actor=wi)
    referral.refresh_from_db()
    read = referral.version
    services.instruments_record(referral=referral, actor=wi, data={"jobcoach": True})
    client.force_login(mentor)
    response = client.post(url(referral, "toestemming-intrekken"), {"version": read})
    assert response.status_code == 409
    assert Referral.objects.get(pk=referral.pk).consent_withdrawn_at is None


def test_a_stale_completion_shows_both_versions_and_keeps_the_instruments(
    mentor, wi, student, client
):
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    services.referral_accept(referral=referral, actor=wi)
    referral.refresh_from_db()
    read = referral.version
    services.instruments_record(referral=referral, actor=wi, data={"jobcoach": True})
    client.force_login(wi)
    response = client.post(url(referral, "afronden"), {"outcome": "work", "version": read})
    assert response.status_code == 409
    assert "Aan het werk" in response.content.decode()  # your version, side by side
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.instruments.jobcoach


def test_stale_instruments_are_refused_and_the_other_save_is_kept(mentor, wi, student, client):
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    services.referral_accept(referral=referral, actor=wi)
    referral.refresh_from_db()
    read = referral.version
    services.instruments_record(referral=referral, actor=wi, data={"jobcoach": True})
    client.force_login(wi)
    response = client.post(url(referral, "instrumenten"), {"lkv": "on", "version": read})
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-conflict="true"' in html
    assert "Jobcoach" in html
    instruments = Referral.objects.get(pk=referral.pk).instruments
    assert instruments.jobcoach
    assert not instruments.lkv


def test_a_fresh_version_saves(mentor, wi, student, client):
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    client.force_login(wi)
    response = client.post(url(referral, "accepteren"), {"version": referral.version})
    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.ACCEPTED


@pytest.mark.parametrize("version", TAMPERED)
@pytest.mark.parametrize(
    ("action", "data", "who", "state"),
    [
        ("versturen", {}, "mentor", "draft"),
        ("intrekken", {}, "mentor", "sent"),
        ("accepteren", {}, "wi", "sent"),
        ("afwijzen", {"reason": "Geen plek"}, "wi", "sent"),
        ("afronden", {"outcome": "work"}, "wi", "accepted"),
        ("instrumenten", {"jobcoach": "on"}, "wi", "accepted"),
        ("toestemming-intrekken", {}, "mentor", "accepted"),
    ],
)
def test_a_tampered_version_on_a_referral_form_changes_nothing(
    mentor, wi, student, client, version, action, data, who, state
):
    if state == "draft":
        referral = make_referral(actor=mentor, student=student, to=organisation(WI), send=False)
    else:
        referral = consent_referral(mentor, student)
    if state == "accepted":
        services.referral_accept(referral=referral, actor=wi)
    before = frozen(referral)
    client.force_login(mentor if who == "mentor" else wi)
    response = client.post(url(referral, action), {**data, "version": version}, follow=True)
    assert response.status_code == 200
    assert "laad de pagina opnieuw" in response.content.decode()
    assert frozen(referral) == before


# --- Intake registrations -------------------------------------------------------------


@pytest.fixture
def registration(desk_user):
    today = timezone.localdate()
    return flex_services.registration_create(
        actor=desk_user,
        desk=school("ROC Mondriaan"),
        data={
            "first_name": "Ilias",
            "last_name": "Bakker",
            "date_of_birth": today.replace(year=today.year - 17, day=1),
            "municipality": municipality("Delft"),
            "referred_by": "leerplicht",
            "question": "Past mbo niveau 2?",
            "registered_on": today - timedelta(days=30),
        },
    )


def registration_post(action, version):
    today = timezone.localdate().isoformat()
    data = {
        "intake": {"intake_date": today, "intake_notes": "Mijn verslag"},
        "consult": {"partners": "Leerplicht"},
        "outcome": {"outcome": "no_route", "outcome_date": today},
    }[action]
    return {"action": action, "version": version, **data}


@pytest.mark.parametrize("action", ["intake", "consult", "outcome"])
def test_a_stale_registration_save_shows_both_versions_and_keeps_the_other(
    desk_user, registration, client, action
):
    read = registration.version
    flex_services.registration_record_intake(
        registration=registration,
        actor=desk_user,
        intake_date=timezone.localdate(),
        intake_notes="Het verslag van een collega",
    )
    before = IntakeRegistration.objects.values().get(pk=registration.pk)
    client.force_login(desk_user)
    response = client.post(
        f"/verwijzingen/loket/{registration.public_id}/", registration_post(action, read)
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-conflict="true"' in html
    assert "Het verslag van een collega" in html
    assert IntakeRegistration.objects.values().get(pk=registration.pk) == before


@pytest.mark.parametrize("version", TAMPERED)
@pytest.mark.parametrize("action", ["intake", "consult", "outcome"])
def test_a_tampered_version_on_a_registration_form_is_a_form_error(
    desk_user, registration, client, action, version
):
    before = IntakeRegistration.objects.values().get(pk=registration.pk)
    client.force_login(desk_user)
    response = client.post(
        f"/verwijzingen/loket/{registration.public_id}/", registration_post(action, version)
    )
    assert response.status_code == 200
    assert "laad de pagina opnieuw" in response.content.decode()
    assert IntakeRegistration.objects.values().get(pk=registration.pk) == before


# --- Maatwerk trajectories ------------------------------------------------------------


@pytest.fixture
def trajectory(coordinator, student):
    return flex_services.trajectory_start(
        actor=coordinator,
        student=student,
        data={
            "location": "Alkmaar",
            "level": "entree",
            "start_date": timezone.localdate() - timedelta(days=30),
            "reason": "Verzuim",
            "expert": "Jobcoach",
            "goals": "Behouden",
        },
    )


def trajectory_post(action, version):
    today = timezone.localdate().isoformat()
    data = {
        "contact": {"date": today, "note": "Mijn gesprek"},
        "end": {"end_date": today, "outcome": "retained"},
    }[action]
    return {"action": action, "version": version, **data}


@pytest.mark.parametrize("action", ["contact", "end"])
def test_a_stale_trajectory_save_shows_both_versions_and_changes_nothing(
    coordinator, trajectory, client, action
):
    read = trajectory.version
    flex_services.trajectory_contact_add(
        trajectory=trajectory,
        actor=coordinator,
        date=timezone.localdate(),
        note="Gesprek van een collega",
    )
    client.force_login(coordinator)
    response = client.post(
        f"/verwijzingen/maatwerk/{trajectory.public_id}/", trajectory_post(action, read)
    )
    assert response.status_code == 409
    assert b'data-conflict="true"' in response.content
    trajectory = MaatwerkTrajectory.objects.get(pk=trajectory.pk)
    assert trajectory.end_date is None
    assert trajectory.contacts.count() == 1


@pytest.mark.parametrize("version", TAMPERED)
@pytest.mark.parametrize("action", ["contact", "end"])
def test_a_tampered_version_on_a_trajectory_form_is_a_form_error(
    coordinator, trajectory, client, action, version
):
    client.force_login(coordinator)
    response = client.post(
        f"/verwijzingen/maatwerk/{trajectory.public_id}/", trajectory_post(action, version)
    )
    assert response.status_code == 200
    assert "laad de pagina opnieuw" in response.content.decode()
    trajectory = MaatwerkTrajectory.objects.get(pk=trajectory.pk)
    assert trajectory.end_date is None
    assert not trajectory.contacts.exists()


@pytest.mark.parametrize(
    ("action", "rows"),
    [
        (
            "end",
            [
                ("Einddatum", "—", "today"),
                ("Uitkomst", "—", "Behouden voor het reguliere onderwijs"),
                ("Aantal contactmomenten", "1", "—"),
            ],
        ),
        (
            "contact",
            [("Aantal contactmomenten", "1", "—"), ("Uw contactmoment", "—", "Mijn gesprek")],
        ),
    ],
)
def test_a_stale_trajectory_save_compares_the_saved_rows_with_yours(
    coordinator, trajectory, client, action, rows
):
    read = trajectory.version
    flex_services.trajectory_contact_add(
        trajectory=trajectory, actor=coordinator, date=timezone.localdate(), note="Van een collega"
    )
    client.force_login(coordinator)
    response = client.post(
        f"/verwijzingen/maatwerk/{trajectory.public_id}/", trajectory_post(action, read)
    )
    assert response.status_code == 409
    today = timezone.localdate().strftime("%d-%m-%Y")
    shown = [(row["label"], row["saved"], row["yours"]) for row in response.context["conflict"]]
    assert shown == [
        (label, saved, today if yours == "today" else yours) for label, saved, yours in rows
    ]


def test_a_stale_registration_outcome_shows_both_outcomes_by_their_label(
    desk_user, registration, client
):
    read = registration.version
    flex_services.registration_record_intake(
        registration=registration,
        actor=desk_user,
        intake_date=timezone.localdate(),
        intake_notes="Het verslag van een collega",
    )
    client.force_login(desk_user)
    response = client.post(
        f"/verwijzingen/loket/{registration.public_id}/", registration_post("outcome", read)
    )
    assert response.status_code == 409
    rows = {row["label"]: (row["saved"], row["yours"]) for row in response.context["conflict"]}
    assert rows["Status"][1] == "(uw actie)"
    assert rows["Uitkomst"] == ("—", "Geen route gevonden")
