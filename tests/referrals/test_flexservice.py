from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals import services
from referrals.flexservice import services as flex_services
from referrals.flexservice.results import compute_results
from referrals.models import IntakeRegistration, MaatwerkTrajectory
from students.models import Enrolment, RecordChange, Student
from tests.factories import StudentFactory, municipality, school

MONDRIAAN = "ROC Mondriaan"


def register(desk_user, *, first="Ilias", dob=date(2008, 3, 4), registered_on=None):
    return flex_services.registration_create(
        actor=desk_user,
        desk=school(MONDRIAAN),
        data={
            "first_name": first,
            "last_name": "Bakker",
            "date_of_birth": dob,
            "municipality": municipality("Delft"),
            "referred_by": "leerplicht",
            "question": "Past mbo niveau 2?",
            "registered_on": registered_on or date(2026, 9, 1),
        },
    )


PLACEMENT = {
    "programme": "Logistiek medewerker",
    "level": "2",
    "start_date": date(2026, 10, 1),
    "location": "Den Haag Zuid",
}


def test_placing_creates_the_student_and_the_enrolment_with_history(desk_user, client):
    registration = register(desk_user)
    flex_services.registration_record_intake(
        registration=registration, actor=desk_user, intake_date=date(2026, 9, 8), intake_notes=""
    )
    flex_services.registration_close(
        registration=registration,
        actor=desk_user,
        outcome="placed",
        data={**PLACEMENT, "institution": school(MONDRIAAN)},
    )
    registration.refresh_from_db()
    student = registration.student
    assert (student.first_name, student.date_of_birth) == ("Ilias", date(2008, 3, 4))
    assert not student.bsn
    enrolment = registration.enrolment
    assert (enrolment.institution, enrolment.level) == (school(MONDRIAAN), "2")
    assert set(
        RecordChange.objects.filter(student=student).values_list("record_type", flat=True)
    ) == {"student", "enrolment"}
    # The desk now sees the student through the enrolment at its ROC.
    client.force_login(desk_user)
    assert client.get(f"/students/{student.public_id}/").status_code == 200


def test_placing_links_a_student_the_desk_already_knows(desk_user):
    known = StudentFactory(first_name="Ilias", last_name="Bakker", date_of_birth=date(2008, 3, 4))
    Enrolment.objects.create(
        student=known,
        institution=school(MONDRIAAN),
        programme="Entree",
        level="entree",
        start_date=date(2025, 9, 1),
        end_date=date(2026, 6, 1),
        end_reason="dropout",
    )
    registration = register(desk_user)
    flex_services.registration_close(
        registration=registration,
        actor=desk_user,
        outcome="placed",
        data={**PLACEMENT, "institution": school(MONDRIAAN)},
    )
    assert Student.objects.filter(first_name="Ilias").count() == 1
    assert known.enrolments.count() == 2


def test_closing_twice_is_refused_and_changes_nothing(desk_user):
    registration = register(desk_user)
    stale = IntakeRegistration.objects.get(pk=registration.pk)
    flex_services.registration_close(
        registration=registration,
        actor=desk_user,
        outcome="placed",
        data={**PLACEMENT, "institution": school(MONDRIAAN)},
    )
    with pytest.raises(services.ReferralRefused):
        flex_services.registration_close(
            registration=stale,
            actor=desk_user,
            outcome="placed",
            data={**PLACEMENT, "programme": "Kok", "institution": school(MONDRIAAN)},
        )
    assert Enrolment.objects.count() == 1
    assert Student.objects.count() == 1


def test_outside_education_needs_the_place(desk_user):
    registration = register(desk_user)
    with pytest.raises(Exception, match="plek"):
        flex_services.registration_close(
            registration=registration,
            actor=desk_user,
            outcome="outside_education",
            data={"outside_route": "work", "place": ""},
        )
    registration.refresh_from_db()
    assert registration.status == "new"


def test_another_rocs_desk_cannot_open_the_registration(desk_user, coordinator, client):
    registration = register(desk_user)
    client.force_login(coordinator)  # Horizon College
    assert client.get(f"/verwijzingen/loket/{registration.public_id}/").status_code == 404


def test_a_partner_has_no_queue(wi, client):
    client.force_login(wi)
    assert client.get("/verwijzingen/loket/").status_code == 404
    assert client.get("/verwijzingen/resultaten/").status_code == 404


# --- Results against the targets --------------------------------------------------------


def trajectory(desk_user, *, level, start, outcome="", location="Den Haag Zuid", end=None):
    student = StudentFactory()
    return MaatwerkTrajectory.objects.create(
        student=student,
        school=school(MONDRIAAN),
        location=location,
        level=level,
        start_date=start,
        reason="Dreigt uit te vallen",
        expert="Jeugdhulp",
        goals="Behouden",
        end_date=end or (start if outcome else None),
        outcome=outcome,
        routed_to="Werk" if outcome == "routed" else "",
        created_by=desk_user,
    )


def closed_registration(desk_user, outcome, level=""):
    return IntakeRegistration.objects.create(
        desk=school(MONDRIAAN),
        first_name="X",
        last_name="Y",
        date_of_birth=date(2008, 1, 1),
        municipality=municipality("Delft"),
        referred_by="self",
        question="?",
        registered_on=date(2026, 9, 10),
        status="closed",
        outcome=outcome,
        placed_level=level,
        created_by=desk_user,
    )


@pytest.fixture
def known_data(desk_user):
    year = date(2026, 9, 1)
    # 10 trajectories in 2026-2027: 4 at level 3/4; 8 ended: 4 retained, 2 routed, 2 dropped.
    for level, outcome in [
        ("3", "retained"),
        ("4", "retained"),
        ("3", "retained"),
        ("2", "retained"),
        ("2", "routed"),
        ("4", "routed"),
        ("entree", "dropped_out"),
        ("2", "dropped_out"),
        ("2", ""),
        ("entree", ""),
    ]:
        trajectory(desk_user, level=level, start=year, outcome=outcome)
    # One in the previous school year (31 July 2026 belongs to 2025-2026).
    trajectory(desk_user, level="3", start=date(2026, 7, 31), outcome="retained")
    # 6 registrations: 2 placed (one at level 3), 1 outside education, 1 referred on,
    # 1 withdrawn (not in the denominator) and 1 open.
    closed_registration(desk_user, "placed", "3")
    closed_registration(desk_user, "placed", "2")
    closed_registration(desk_user, "outside_education")
    closed_registration(desk_user, "referred_on")
    closed_registration(desk_user, "withdrawn")
    register(desk_user, first="Open", registered_on=date(2026, 9, 20))
    return school(MONDRIAAN)


def test_results_compute_every_figure_from_known_counts(known_data):
    results = compute_results(school_ids=[known_data.pk], school_year=2026, today=date(2026, 12, 3))
    figures = results.total_figures()
    # Supported against the 1,995: one total over the measure's period (from 1 January
    # 2026), so the trajectory of 31 July 2026 (school year 2025-2026) counts too: 17.
    assert (figures["supported"].numerator, figures["supported"].denominator) == (17, 1995)
    assert figures["supported"].status == "behind"
    assert results.total.supported == 16  # 10 trajectories + 6 registrations this year
    # Levels 3-4: 4 trajectories + 1 placement at level 3, of 16 = 31% < 40%.
    assert (figures["share_high"].numerator, figures["share_high"].denominator) == (5, 16)
    assert figures["share_high"].status == "behind"
    # Intake: placed 2 + outside 1 of 4 closed (withdrawn and open excluded) = 75% > 70%.
    assert (figures["intake"].numerator, figures["intake"].denominator) == (3, 4)
    assert figures["intake"].status == "ahead"
    # Retained: 4 of 8 ended = 50%, on the band's edge.
    assert (figures["retained"].numerator, figures["retained"].denominator) == (4, 8)
    assert figures["retained"].status == "on"
    # Routed: 2 of the 4 not retained = 50%.
    assert (figures["routed"].numerator, figures["routed"].denominator) == (2, 4)
    assert figures["routed"].status == "on"
    by_level = dict(results.rows("level"))
    assert by_level["Mbo 3"]["retained"].numerator == 2
    assert by_level["Mbo 3"]["supported"].numerator == 3  # 2 trajectories + 1 placement
    by_year = dict(results.rows("year"))
    assert by_year["2025-2026"]["supported"].numerator == 1
    assert by_year["2026-2027"]["supported"].numerator == 16
    by_location = dict(results.rows("location"))
    assert by_location["ROC Mondriaan · Den Haag Zuid"]["supported"].numerator == 10
    assert by_location["ROC Mondriaan · Instroomloket"]["supported"].numerator == 6


def test_results_page_shows_numerators_and_denominators(known_data, desk_user, client):
    client.force_login(desk_user)
    page = client.get("/verwijzingen/resultaten/?jaar=2026").content.decode()
    assert 'data-figure="retained" data-numerator="4" data-denominator="8" data-status="on"' in page
    assert (
        'data-figure="intake" data-numerator="3" data-denominator="4" data-status="ahead"' in page
    )


def test_results_query_count_does_not_grow_with_the_trajectories(desk_user, client):
    client.force_login(desk_user)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/verwijzingen/resultaten/?jaar=2026").status_code == 200
        return len(ctx.captured_queries)

    trajectory(desk_user, level="3", start=date(2026, 9, 1))
    few = count()
    for i in range(30):
        trajectory(
            desk_user,
            level=["2", "3", "4", "entree"][i % 4],
            start=date(2026, 9, 1),
            location=f"Locatie {i % 5}",
            outcome=["retained", "routed", ""][i % 3],
        )
        closed_registration(desk_user, "placed", "3")
    assert count() == few


# --- The 1,995 over the measure's period; levels 3-4 not per level (issue 15) ------------


def test_supported_target_is_one_total_over_the_period_against_the_share_elapsed(
    desk_user, settings
):
    settings.KOERS_FLEXSERVICE_PERIOD = (date(2026, 1, 1), date(2029, 12, 31))
    # 2026-01-01 .. 2029-12-31 is 1,461 days; on 1 January 2027, 365 have passed (25%):
    # 1,995 * 365 / 1,461 = 498.4, so 499 supported are on track and 498 behind.
    for start in (date(2025, 12, 31), date(2026, 1, 1), date(2026, 9, 1)):
        trajectory(desk_user, level="2", start=start)
    results = compute_results(
        school_ids=[school(MONDRIAAN).pk], school_year=2026, today=date(2026, 12, 31)
    )
    figure = results.total_figures()["supported"]
    # The one before the period does not count; one of 2025-2026 inside it does.
    assert (figure.numerator, figure.denominator) == (2, 1995)
    assert figure.status == "behind"
    assert figure.elapsed_percent == 25.0
    from referrals.flexservice.results import BEHIND, ON, status_for_period

    assert status_for_period(499, 1995, 365, 1461) == ON
    assert status_for_period(498, 1995, 365, 1461) == BEHIND
    # Per school year only the count, without the target.
    by_year = dict(results.rows("year"))
    assert by_year["2026-2027"]["supported"].status == "no_target"
    assert by_year["2025-2026"]["supported"].numerator == 2


def test_level_rows_do_not_flag_the_level_3_4_share(desk_user):
    trajectory(desk_user, level="entree", start=date(2026, 9, 1))
    trajectory(desk_user, level="3", start=date(2026, 9, 1))
    results = compute_results(
        school_ids=[school(MONDRIAAN).pk], school_year=2026, today=date(2026, 12, 3)
    )
    by_level = dict(results.rows("level"))
    assert all(figures["share_high"].status == "no_target" for figures in by_level.values())
    assert results.total_figures()["share_high"].numerator == 1
    assert by_school_share(results) == ["on"]


def by_school_share(results):
    return [figures["share_high"].status for _name, figures in results.rows("school")]


# --- The measure belongs to the region that runs it (issue 15) ----------------------------


def test_regional_coordinator_of_another_region_has_no_flexservice_results(regio, client):
    client.force_login(regio)  # Noord-Holland Noord: Haaglanden runs the measure
    assert client.get("/verwijzingen/resultaten/").status_code == 404
    assert "Resultaten Flexservice" not in client.get("/").content.decode()


def test_the_region_running_the_measure_sees_its_results(desk_user, client):
    client.force_login(desk_user)  # ROC Mondriaan, Haaglanden
    response = client.get("/verwijzingen/resultaten/")
    assert response.status_code == 200
    assert "Resultaten Flexservice" in response.content.decode()
