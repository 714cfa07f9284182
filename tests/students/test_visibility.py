"""Who sees which student (ACCESS.md), for every role that exists, through the
queryset, the list page and the student page. Outside the scope is a 404."""

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.models import Membership, Organisation
from students.dates import latest_birth_date_for_age
from students.models import Student
from tests.factories import (
    EnrolmentFactory,
    QualificationFactory,
    StudentFactory,
    UserFactory,
    make_user,
    municipality,
    school,
)


def born_aged(age, today):
    """A date of birth that makes someone exactly `age` on `today`, far from a birthday."""
    return latest_birth_date_for_age(age, today) - timedelta(days=30)


def current_enrolment(student, school_name, today, **extra):
    return EnrolmentFactory(
        student=student,
        institution=school(school_name),
        start_date=today - timedelta(days=60),
        planned_end_date=today + timedelta(days=300),
        **extra,
    )


def ended_enrolment(student, school_name, today, **extra):
    extra.setdefault("end_reason", "dropout")
    return EnrolmentFactory(
        student=student,
        institution=school(school_name),
        start_date=today - timedelta(days=700),
        planned_end_date=today - timedelta(days=300),
        end_date=today - timedelta(days=365),
        **extra,
    )


@pytest.fixture
def care(db):
    Organisation.objects.create(kind="care", name="Zorgpartner Test")
    return make_user("zorg@nhn.test", "care", "Zorgpartner Test")


@pytest.fixture
def intake_desk(db):
    return make_user("loket@mondriaan.test", "intake_desk", "ROC Mondriaan")


@pytest.fixture
def dsp_haaglanden(db):
    return make_user("dsp@haaglanden.test", "doorstroompunt", "Doorstroompunt Haaglanden")


@pytest.fixture
def world(db, mentor, other_mentor):
    """Students of three schools in both regions, of every age group that matters."""
    today = timezone.localdate()

    def student(place, age, **extra):
        return StudentFactory(
            municipality=municipality(place), date_of_birth=born_aged(age, today), **extra
        )

    w = SimpleNamespace(today=today)
    w.mentee = student("Alkmaar", 16, mentor=mentor)
    current_enrolment(w.mentee, "Horizon College", today)
    w.horizon_adult = student("Hoorn", 19, mentor=other_mentor)
    current_enrolment(w.horizon_adult, "Horizon College", today, level="2")
    w.horizon_former = student("Den Helder", 20)
    ended_enrolment(w.horizon_former, "Horizon College", today)
    w.clusius_minor = student("Alkmaar", 17)
    current_enrolment(w.clusius_minor, "Clusius College", today)
    w.clusius_adult_sk = student("Schagen", 21)
    current_enrolment(w.clusius_adult_sk, "Clusius College", today, level="3")
    QualificationFactory(student=w.clusius_adult_sk, type="havo", date=today - timedelta(600))
    w.mondriaan_minor = student("'s-Gravenhage", 16)
    current_enrolment(w.mondriaan_minor, "ROC Mondriaan", today, location="Den Haag")
    w.mondriaan_adult = student("Delft", 20)
    current_enrolment(w.mondriaan_adult, "ROC Mondriaan", today, location="Delft")
    w.nhn_too_old = student("Heiloo", 30)
    current_enrolment(w.nhn_too_old, "Clusius College", today, level="4")
    w.double = student("Castricum", 18)
    ended_enrolment(w.double, "Horizon College", today)
    current_enrolment(w.double, "Clusius College", today)
    w.all = {name: value for name, value in vars(w).items() if isinstance(value, Student)}
    return w


# persona -> the world's students it sees (ACCESS.md, "Who sees what").
EXPECTED = {
    "mentor": {"mentee"},
    "other_mentor": {"horizon_adult"},
    "coordinator": {"mentee", "horizon_adult", "horizon_former", "double"},
    "clusius_coordinator": {"clusius_minor", "clusius_adult_sk", "nhn_too_old", "double"},
    "mondriaan_coordinator": {"mondriaan_minor", "mondriaan_adult"},
    "intake_desk": {"mondriaan_minor", "mondriaan_adult"},
    # Under 18 and living in the region.
    "leerplicht": {"mentee", "clusius_minor"},
    "leerplicht_haaglanden": {"mondriaan_minor"},
    # 18 or older, below the upper age, no startkwalificatie, living in the region.
    "dsp": {"horizon_adult", "horizon_former", "double"},
    "dsp_haaglanden": {"mondriaan_adult"},
    # Partners see students only through accepted referrals (none exist yet).
    "startpunt": set(),
    "wi": set(),
    "care": set(),
    # Aggregates only, and no student data at all.
    "regio": set(),
    "functional_admin": set(),
}

STUDENT_LINK = re.compile(r'href="/students/([A-Za-z0-9_-]+)/"')


@pytest.mark.parametrize(("persona", "expected"), sorted(EXPECTED.items()))
def test_visible_to_gives_each_role_exactly_its_scope(request, world, persona, expected):
    user = request.getfixturevalue(persona)
    visible = set(Student.objects.visible_to(user).values_list("pk", flat=True))
    assert visible == {world.all[name].pk for name in expected}


@pytest.mark.parametrize(("persona", "expected"), sorted(EXPECTED.items()))
def test_student_list_shows_each_role_exactly_its_scope(request, client, world, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/students/")
    assert response.status_code == 200
    shown = set(STUDENT_LINK.findall(response.content.decode())) - {"import"}
    assert shown == {world.all[name].public_id for name in expected}


@pytest.mark.parametrize(("persona", "expected"), sorted(EXPECTED.items()))
def test_student_pages_outside_the_scope_are_404(request, client, world, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    for name, student in world.all.items():
        response = client.get(f"/students/{student.public_id}/")
        assert response.status_code == (200 if name in expected else 404), name


def test_mentor_cannot_see_another_mentors_student(client, mentor, world):
    client.force_login(mentor)
    assert client.get(f"/students/{world.horizon_adult.public_id}/").status_code == 404


def test_coordinator_cannot_see_another_schools_student(client, coordinator, world):
    client.force_login(coordinator)
    for student in (world.clusius_minor, world.mondriaan_minor):
        assert client.get(f"/students/{student.public_id}/").status_code == 404


def test_leerplicht_cannot_see_another_regions_minor(client, leerplicht, world):
    client.force_login(leerplicht)
    assert client.get(f"/students/{world.mondriaan_minor.public_id}/").status_code == 404


def test_leerplicht_cannot_see_a_doorstroompunt_student(client, leerplicht, world):
    client.force_login(leerplicht)
    assert client.get(f"/students/{world.horizon_adult.public_id}/").status_code == 404


def test_a_404_inside_and_outside_the_scope_look_the_same(client, coordinator, world):
    client.force_login(coordinator)
    invisible = client.get(f"/students/{world.mondriaan_minor.public_id}/")
    missing = client.get("/students/doesnotexist/")
    assert invisible.status_code == missing.status_code == 404
    assert invisible.content == missing.content


def test_user_without_a_membership_sees_nobody(client, world):
    user = UserFactory(email="nobody@koers.test")
    client.force_login(user)
    assert not Student.objects.visible_to(user).exists()
    assert client.get(f"/students/{world.mentee.public_id}/").status_code == 404


def test_inactive_membership_sees_nobody(client, coordinator, world):
    Membership.objects.filter(user=coordinator).update(is_active=False)
    client.force_login(coordinator)
    assert client.get(f"/students/{world.mentee.public_id}/").status_code == 404


def test_inactive_user_sees_nobody(coordinator, world):
    coordinator.is_active = False
    assert not Student.objects.visible_to(coordinator).exists()


@pytest.mark.parametrize("path", ["/students/", "/students/doesnotexist/"])
def test_anonymous_is_sent_to_the_login_page(client, world, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    detail = client.get(f"/students/{world.mentee.public_id}/")
    assert detail.status_code == 302
    assert detail["Location"].startswith("/accounts/login/")


# --- Ages and dates: visibility is evaluated afresh for every day --------------------


def visible_on(user, student, day):
    return Student.objects.visible_to(user, today=day).filter(pk=student.pk).exists()


def test_leerplicht_hands_over_to_doorstroompunt_on_the_18th_birthday(leerplicht, dsp):
    student = StudentFactory(municipality=municipality("Hoorn"), date_of_birth=date(2008, 6, 15))
    assert visible_on(leerplicht, student, date(2026, 6, 14))
    assert not visible_on(dsp, student, date(2026, 6, 14))
    assert not visible_on(leerplicht, student, date(2026, 6, 15))
    assert visible_on(dsp, student, date(2026, 6, 15))


def test_born_on_29_february_turns_18_on_1_march(leerplicht, dsp):
    student = StudentFactory(municipality=municipality("Alkmaar"), date_of_birth=date(2008, 2, 29))
    assert visible_on(leerplicht, student, date(2026, 2, 28))
    assert not visible_on(dsp, student, date(2026, 2, 28))
    assert not visible_on(leerplicht, student, date(2026, 3, 1))
    assert visible_on(dsp, student, date(2026, 3, 1))


def test_born_on_29_february_in_a_leap_year_turns_18_on_29_february(leerplicht, dsp):
    student = StudentFactory(municipality=municipality("Alkmaar"), date_of_birth=date(2012, 2, 29))
    assert visible_on(leerplicht, student, date(2030, 2, 28))
    assert not visible_on(leerplicht, student, date(2030, 3, 1))
    # 2030 is not a leap year; in a leap year the birthday is the day itself.
    leap = StudentFactory(municipality=municipality("Alkmaar"), date_of_birth=date(2010, 2, 28))
    assert visible_on(leerplicht, leap, date(2028, 2, 27))
    assert not visible_on(leerplicht, leap, date(2028, 2, 28))


def test_doorstroompunt_upper_age_goes_from_23_to_27_on_1_january_2026(dsp):
    student = StudentFactory(municipality=municipality("Alkmaar"), date_of_birth=date(2002, 3, 10))
    assert visible_on(dsp, student, date(2025, 3, 9))  # 22
    assert not visible_on(dsp, student, date(2025, 3, 10))  # 23, upper age 23
    assert not visible_on(dsp, student, date(2025, 12, 31))
    assert visible_on(dsp, student, date(2026, 1, 1))  # still 23, upper age now 27


def test_doorstroompunt_loses_sight_on_the_27th_birthday(dsp):
    student = StudentFactory(municipality=municipality("Hoorn"), date_of_birth=date(1999, 5, 1))
    assert visible_on(dsp, student, date(2026, 4, 30))
    assert not visible_on(dsp, student, date(2026, 5, 1))


def test_doorstroompunt_does_not_see_another_regions_young_adult(dsp, dsp_haaglanden):
    student = StudentFactory(municipality=municipality("Delft"), date_of_birth=date(2005, 1, 1))
    assert not visible_on(dsp, student, date(2026, 6, 1))
    assert visible_on(dsp_haaglanden, student, date(2026, 6, 1))


DAY = date(2026, 6, 1)


def adult_in_nhn():
    return StudentFactory(municipality=municipality("Alkmaar"), date_of_birth=date(2005, 1, 1))


@pytest.mark.parametrize(
    ("level", "end_reason", "has_sk"),
    [
        ("2", "diploma", True),
        ("3", "diploma", True),
        ("4", "diploma", True),
        ("entree", "diploma", False),
        ("2", "dropout", False),
        ("vavo", "switch", False),
    ],
)
def test_doorstroompunt_sees_only_young_adults_without_an_mbo_startkwalificatie(
    dsp, level, end_reason, has_sk
):
    student = adult_in_nhn()
    EnrolmentFactory(
        student=student,
        level=level,
        start_date=date(2024, 8, 26),
        planned_end_date=date(2025, 7, 10),
        end_date=date(2025, 7, 10),
        end_reason=end_reason,
    )
    assert visible_on(dsp, student, DAY) is not has_sk


@pytest.mark.parametrize(
    ("type_", "level", "has_sk"),
    [
        ("havo", None, True),
        ("vwo", None, True),
        ("mbo", 2, True),
        ("mbo", 4, True),
        ("vmbo", None, False),
        ("entree", None, False),
        ("pro", None, False),
        ("vso", None, False),
    ],
)
def test_doorstroompunt_sees_only_young_adults_without_a_startkwalificatie_from_elsewhere(
    dsp, type_, level, has_sk
):
    student = adult_in_nhn()
    QualificationFactory(student=student, type=type_, level=level, date=date(2025, 7, 1))
    assert visible_on(dsp, student, DAY) is not has_sk


def test_a_startkwalificatie_counts_from_its_date_on(dsp):
    student = adult_in_nhn()
    QualificationFactory(student=student, type="havo", date=date(2026, 7, 1))
    assert visible_on(dsp, student, date(2026, 6, 30))
    assert not visible_on(dsp, student, date(2026, 7, 1))


def test_coordinator_sees_a_former_student_of_their_school(coordinator, clusius_coordinator):
    student = StudentFactory()
    EnrolmentFactory(
        student=student,
        start_date=date(2024, 8, 26),
        end_date=date(2025, 1, 10),
        end_reason="dropout",
    )
    assert Student.objects.visible_to(coordinator).filter(pk=student.pk).exists()
    assert not Student.objects.visible_to(clusius_coordinator).filter(pk=student.pk).exists()


def test_the_scope_is_resolved_once_per_request_user_and_stays_its_own(coordinator, monkeypatch):
    """visible_to keeps the resolved filter on the request's user (one per membership,
    role and day); every caller gets its own queryset, and a change of role is a new
    scope."""
    from students import queries

    resolved = []
    original = queries._membership_scope

    def counted(membership, today):
        resolved.append(today)
        return original(membership, today)

    monkeypatch.setattr(queries, "_membership_scope", counted)
    today = date(2026, 3, 2)
    first = Student.objects.visible_to(coordinator, today=today)
    again = Student.objects.visible_to(coordinator, today=today)
    assert resolved == [today]
    assert first is not again
    assert str(first.query) == str(again.query)
    narrowed = again.filter(last_name="Jansen")
    assert "Jansen" not in str(first.query)
    assert str(Student.objects.visible_to(coordinator, today=today).query) == str(first.query)
    assert "Jansen" in str(narrowed.query)
    # Another day or a filtered queryset is resolved anew.
    assert Student.objects.filter(pk=0).visible_to(coordinator, today=today).query.where
    membership = coordinator.active_membership
    membership.role = "mentor"
    assert str(Student.objects.visible_to(coordinator, today=today).query) != str(first.query)
