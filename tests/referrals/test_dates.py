"""Impossible dates refused at the door (issue 13): a date of birth makes the young person
12 to 30 years old on the day; intake, outcome, trajectory, contact, consent and
instrument dates that make no sense are refused, each on its own field with the reason.
Every date here is built relative to today, so the tests hold on any day of the year."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from referrals import services
from referrals.flexservice import services as flex_services
from referrals.models import IntakeRegistration
from students.dates import add_months
from students.models import LegalBasis
from students.validators import date_of_birth_error
from tests.factories import municipality, organisation, school

from .conftest import make_referral

WI = "Werk en Inkomen Noord-Holland Noord"


def today():
    return timezone.localdate()


def years_ago(years, on=None):
    return add_months(on or today(), -12 * years)


# --- The validator itself --------------------------------------------------------------


@pytest.mark.parametrize(
    ("dob", "ok"),
    [
        (lambda: years_ago(12), True),  # 12 today
        (lambda: years_ago(12) + timedelta(days=1), False),  # 12 tomorrow: still 11
        (lambda: years_ago(31) + timedelta(days=1), True),  # 30, turning 31 tomorrow
        (lambda: years_ago(31), False),  # 31 today
        (lambda: today() + timedelta(days=1), False),
        (lambda: date(1900, 1, 1), False),
        (lambda: date(today().year + 4, 1, 1), False),
    ],
)
def test_a_date_of_birth_makes_the_person_12_to_30_on_the_day(dob, ok):
    assert (date_of_birth_error(dob()) is None) is ok


def test_the_age_counts_29_february_as_1_march_in_other_years():
    born = date(2008, 2, 29)
    assert date_of_birth_error(born, on=date(2020, 2, 28)) is not None  # still 11
    assert date_of_birth_error(born, on=date(2020, 2, 29)) is None  # 12 (leap year)
    assert date_of_birth_error(date(2009, 2, 28), on=date(2021, 2, 28)) is None


# --- The intake desk's registration form ----------------------------------------------


def registration_post(dob):
    return {
        "first_name": "Ilias",
        "last_name": "Bakker",
        "date_of_birth": dob,
        "municipality": municipality("Delft").pk,
        "referred_by": "leerplicht",
        "question": "Past mbo niveau 2?",
    }


@pytest.mark.parametrize("dob", ["2030-01-01", "1900-01-01"])
def test_the_registration_form_refuses_an_impossible_date_of_birth_on_the_field(
    desk_user, client, dob
):
    client.force_login(desk_user)
    response = client.post("/verwijzingen/loket/aanmelden/", registration_post(dob))
    assert response.status_code == 200
    errors = response.context["form"].errors["date_of_birth"]
    assert "geboortedatum" in errors[0].lower()
    assert not IntakeRegistration.objects.exists()


def test_the_registration_form_accepts_a_17_year_old(desk_user, client):
    client.force_login(desk_user)
    dob = years_ago(17).isoformat()
    response = client.post("/verwijzingen/loket/aanmelden/", registration_post(dob))
    assert response.status_code == 302
    assert IntakeRegistration.objects.count() == 1


def register(desk_user, *, dob=None, registered_on=None):
    return flex_services.registration_create(
        actor=desk_user,
        desk=school("ROC Mondriaan"),
        data={
            "first_name": "Ilias",
            "last_name": "Bakker",
            "date_of_birth": dob or years_ago(17),
            "municipality": municipality("Delft"),
            "referred_by": "leerplicht",
            "question": "Past mbo niveau 2?",
            "registered_on": registered_on or today() - timedelta(days=30),
        },
    )


def test_the_service_refuses_an_impossible_date_of_birth_too(desk_user):
    with pytest.raises(ValidationError) as error:
        register(desk_user, dob=date(today().year + 4, 1, 1))
    assert "date_of_birth" in error.value.message_dict


def test_a_registration_dated_in_the_future_is_refused(desk_user):
    with pytest.raises(ValidationError) as error:
        register(desk_user, registered_on=today() + timedelta(days=1))
    assert "registered_on" in error.value.message_dict


def test_placing_a_young_person_too_young_on_the_start_date_is_refused(desk_user):
    # Registered at 12 (allowed), placed in a programme starting before the 12th birthday.
    registration = register(
        desk_user,
        dob=years_ago(12) - timedelta(days=3),
        registered_on=today() - timedelta(days=2),
    )
    with pytest.raises(ValidationError) as error:
        flex_services.registration_close(
            registration=registration,
            actor=desk_user,
            outcome="placed",
            data={
                "institution": school("ROC Mondriaan"),
                "programme": "Entree",
                "level": "entree",
                "start_date": today() - timedelta(days=20),
            },
        )
    assert "start_date" in error.value.message_dict


@pytest.mark.parametrize(("offset", "reason"), [(-31, "vóór de aanmelding"), (1, "in de toekomst")])
def test_an_intake_date_before_the_registration_or_ahead_is_refused(desk_user, offset, reason):
    registration = register(desk_user)
    with pytest.raises(ValidationError) as error:
        flex_services.registration_record_intake(
            registration=registration,
            actor=desk_user,
            intake_date=today() + timedelta(days=offset),
            intake_notes="",
        )
    assert reason in error.value.message_dict["intake_date"][0]


def test_an_outcome_before_the_intake_is_refused(desk_user):
    registration = register(desk_user)
    flex_services.registration_record_intake(
        registration=registration,
        actor=desk_user,
        intake_date=today() - timedelta(days=10),
        intake_notes="",
    )
    with pytest.raises(ValidationError) as error:
        flex_services.registration_close(
            registration=registration,
            actor=desk_user,
            outcome="no_route",
            data={"outcome_date": today() - timedelta(days=20)},
        )
    assert "outcome_date" in error.value.message_dict


# --- Referrals, instruments and trajectories ------------------------------------------


def test_consent_given_in_the_future_is_refused_on_its_field(mentor, student):
    with pytest.raises(ValidationError) as error:
        make_referral(
            actor=mentor,
            student=student,
            to=organisation(WI),
            legal_basis=LegalBasis.CONSENT,
            legal_reference="",
            consent_given_by="De student",
            consent_given_on=today() + timedelta(days=1),
        )
    assert "consent_given_on" in error.value.message_dict


def test_a_doelgroepverklaring_after_three_months_of_the_job_is_refused(mentor, wi, student):
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    services.referral_accept(referral=referral, actor=wi)
    start = today() - timedelta(days=200)
    with pytest.raises(ValidationError) as error:
        services.instruments_record(
            referral=referral,
            actor=wi,
            data={
                "lkv": True,
                "job_start_date": start,
                "doelgroepverklaring_date": add_months(start, 3) + timedelta(days=1),
            },
        )
    assert "doelgroepverklaring_date" in error.value.message_dict


@pytest.fixture
def trajectory(coordinator, student):
    return flex_services.trajectory_start(
        actor=coordinator,
        student=student,
        data={
            "location": "Alkmaar",
            "level": "entree",
            "start_date": today() - timedelta(days=30),
            "reason": "Verzuim",
            "expert": "Jobcoach",
            "goals": "Behouden",
        },
    )


def test_a_trajectory_starting_in_the_future_is_refused(coordinator, student):
    with pytest.raises(ValidationError) as error:
        flex_services.trajectory_start(
            actor=coordinator,
            student=student,
            data={
                "location": "Alkmaar",
                "level": "entree",
                "start_date": today() + timedelta(days=1),
                "reason": "Verzuim",
                "expert": "Jobcoach",
                "goals": "Behouden",
            },
        )
    assert "start_date" in error.value.message_dict


@pytest.mark.parametrize("offset", [-31, 1])
def test_a_trajectory_contact_before_its_start_or_ahead_is_refused(coordinator, trajectory, offset):
    with pytest.raises(ValidationError) as error:
        flex_services.trajectory_contact_add(
            trajectory=trajectory,
            actor=coordinator,
            date=today() + timedelta(days=offset),
            note="Gesprek",
        )
    assert "date" in error.value.message_dict


def test_a_trajectory_ending_in_the_future_is_refused(coordinator, trajectory):
    with pytest.raises(ValidationError) as error:
        flex_services.trajectory_end(
            trajectory=trajectory,
            actor=coordinator,
            end_date=today() + timedelta(days=1),
            outcome="retained",
        )
    assert "end_date" in error.value.message_dict
