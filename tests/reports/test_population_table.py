"""The figures computed with the population table (reports.db.population_table) and with
`vsv_students(narrow_first=True)` are the figures computed the old way, exactly.

A varied population (seeded, through the factories) on top of the hand-made data of
conftest.py: students in every municipality (so in and outside the region and in each
sub-region), with enrolments at every level ending in every way (or not yet), before,
around and after the dates the figures ask, startkwalificatie and Entree qualifications,
pro/vso certificates, work above and below 12 hours, stored monitoring statuses and
signals. Every table of every report, for many scopes (filters, levels, reference
dates, a school coordinator), must be equal cell for cell.
"""

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from accounts.models import Municipality, Organisation, OrganisationKind, Region, SubRegion
from monitoring.models import MonitoringStatus, Signal
from reports import figures
from reports.db import population_table, report_transaction
from reports.scope import Scope
from roadmap.models import PerspectiveStep
from rulebook import expressions
from rulebook.settings import RuleSettings
from students.models import Employment, Enrolment, Qualification, Student
from tests.factories import (
    EmploymentFactory,
    EnrolmentFactory,
    QualificationFactory,
    StudentFactory,
    municipality,
)

from .conftest import TODAY

pytestmark = pytest.mark.django_db

LEVELS = ["entree", "2", "3", "4", "vavo"]
REASONS = ["diploma", "dropout", "moved", "other"]


def _day(rng, first=date(2022, 1, 1), last=date(2029, 12, 31)):
    return first + timedelta(days=rng.randrange((last - first).days))


@pytest.fixture
def varied(known):
    """About 120 students more, drawn with a fixed seed."""
    rng = random.Random(20261204)
    places = list(Municipality.objects.all())
    schools = list(Organisation.objects.filter(kind=OrganisationKind.SCHOOL))
    for _ in range(120):
        student = StudentFactory(
            date_of_birth=_day(rng, date(1996, 1, 1), date(2013, 12, 31)),
            municipality=rng.choice(places),
        )
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            start = _day(rng)
            end = None if rng.random() < 0.35 else start + timedelta(days=rng.randrange(20, 900))
            level = rng.choice(LEVELS)
            reasons = [r for r in REASONS if level != "vavo" or r != "diploma"]
            EnrolmentFactory(
                student=student,
                institution=rng.choice(schools),
                level=level,
                start_date=start,
                planned_end_date=(
                    None if rng.random() < 0.3 else start + timedelta(days=rng.randrange(200, 800))
                ),
                end_date=end,
                end_reason=rng.choice(reasons) if end else "",
            )
        if rng.random() < 0.3:
            kind = rng.choice(["havo", "vwo", "mbo", "entree", "pro", "vso"])
            QualificationFactory(
                student=student,
                type=kind,
                level=rng.choice([2, 3, 4]) if kind == "mbo" else None,
                date=_day(rng),
            )
        if rng.random() < 0.2:
            start = _day(rng)
            EmploymentFactory(
                student=student,
                hours_per_week=rng.choice([8, 12, 16, 32]),
                start_date=start,
                end_date=None if rng.random() < 0.5 else start + timedelta(days=300),
            )
        if rng.random() < 0.3:
            MonitoringStatus.objects.create(
                student=student,
                vsv=rng.random() < 0.5,
                monitoring_ended=rng.random() < 0.2,
                changed_on=TODAY,
            )
        if rng.random() < 0.3:
            resolved = rng.random() < 0.5
            closed = _day(rng, date(2026, 8, 1), date(2027, 9, 1))
            Signal.objects.create(
                student=student,
                kind=rng.choice(["dropout", "study_advice_due", "job_lost"]),
                assignee=rng.choice(["school", "leerplicht", "doorstroompunt"]),
                due_date=_day(rng, date(2026, 8, 1), date(2027, 7, 31)),
                status="resolved" if resolved else "open",
                opened_at=datetime(2026, 7, 1, 12, tzinfo=UTC),
                closed_at=datetime(closed.year, closed.month, closed.day, tzinfo=UTC)
                if resolved
                else None,
            )
    return known


def _scopes():
    region = Region.objects.get(name="Noord-Holland Noord")
    horizon = Organisation.objects.get(name="Horizon College", kind=OrganisationKind.SCHOOL)
    subregions = list(SubRegion.objects.filter(region=region).values_list("pk", flat=True))
    base = {"school_year": 2026, "today": TODAY}
    scopes = [
        Scope(**base, region_id=region.pk),
        Scope(school_year=2025, today=TODAY, region_id=region.pk),
        Scope(**base, institution_ids=[horizon.pk]),
        Scope(**base, institution_ids=[horizon.pk], level="entree", on_date=date(2027, 3, 1)),
        Scope(**base, region_id=region.pk, institution_ids=[horizon.pk], location="alkmaar"),
    ]
    for level in LEVELS:
        for on_date in (date(2025, 5, 1), date(2026, 10, 1), date(2027, 9, 30), TODAY):
            scopes.append(Scope(**base, region_id=region.pk, level=level, on_date=on_date))
    scopes += [Scope(**base, region_id=region.pk, subregion_id=pk) for pk in subregions]
    return scopes


def _cells(tables):
    return [(table.key, [list(row) for row in table.rows]) for table in tables]


def _in_rule_book_order(original):
    """vsv_students as before: the conditions in the rule book's order, none first."""

    def vsv_students(*args, **kwargs):
        kwargs["narrow_first"] = False
        return original(*args, **kwargs)

    return vsv_students


def test_every_figure_is_the_same_with_the_population_table(varied, monkeypatch):
    for scope in _scopes():
        with monkeypatch.context() as patched:
            patched.setattr(
                figures.rulebook, "vsv_students", _in_rule_book_order(expressions.vsv_students)
            )
            before = _cells(figures.all_tables(scope))
        with report_transaction(), population_table(scope):
            after = _cells(figures.all_tables(scope))
        assert scope.population_table is None
        assert after == before, scope
    # The population is not empty: the comparison compared something.
    region_scope = _scopes()[0]
    assert region_scope.students().count() > 50


def test_the_population_table_is_dropped_and_holds_the_scopes_students(varied):
    scope = _scopes()[5]
    expected = set(scope.students().values_list("pk", flat=True))
    with report_transaction(), population_table(scope) as name:
        assert set(scope.students().values_list("pk", flat=True)) == expected
        assert name.startswith("reports_population_")
    assert scope.population_table is None
    assert set(scope.students().values_list("pk", flat=True)) == expected


def test_vsv_narrowed_first_is_the_same_as_the_rule_book_order(varied):
    settings = RuleSettings()
    days = [date(2023, 6, 1), date(2025, 10, 1), date(2026, 10, 2), date(2027, 9, 30), TODAY]
    found_some = False
    for day in days:
        results = []
        for narrow in (False, True):
            rows = expressions.vsv_students(
                Student.objects.all(),
                day,
                settings,
                enrolments=Enrolment.objects,
                qualifications=Qualification.objects,
                employments=Employment.objects,
                narrow_first=narrow,
            ).values_list("pk", "vsv_level")
            results.append(sorted(rows, key=lambda row: (row[0], str(row[1]))))
        assert results[0] == results[1], day
        found_some = found_some or any(level for _pk, level in results[0])
    assert found_some


def _resident(born):
    return StudentFactory(date_of_birth=born, municipality=municipality("Alkmaar"))


def _entree(student, start, **fields):
    """An Entree enrolment (the factory's own level and planned end) starting `start`."""
    return EnrolmentFactory(student=student, start_date=start, **fields)


def test_entree_outflow_from_the_facts_counts_each_student_once_per_outcome(known, coordinator):
    """The outflow's one statement over the population's facts (students counted once per
    cohort and outcome, and once per cohort still in monitoring) against the
    per-enrolment subqueries, with students who have two Entree enrolments in a cohort
    and every outcome."""
    start = date(2026, 9, 1)
    # Two Entree enrolments in the 2026 cohort: one left (a praktijkleren place), one still
    # running; and one who left twice (both unknown: counted once, and once in monitoring).
    twice = _resident(date(2010, 3, 1))
    left = _entree(twice, start, end_date=date(2026, 12, 1), end_reason="dropout")
    PerspectiveStep.objects.create(
        enrolment=left,
        date=date(2026, 11, 1),
        author=coordinator,
        perspective="praktijkleren",
        destination_place="Leerbedrijf De Bouw",
    )
    _entree(twice, date(2027, 1, 10))
    again = _resident(date(2010, 3, 1))
    _entree(again, start, end_date=date(2026, 10, 1), end_reason="dropout")
    _entree(again, date(2026, 11, 1), end_date=date(2027, 2, 1), end_reason="dropout")
    # Left with work of 12 h or more, with a later level-2 programme (further education
    # wins), and with a startkwalificatie since (out of monitoring).
    worker = _resident(date(2008, 3, 1))
    _entree(worker, start, end_date=date(2027, 6, 1), end_reason="diploma")
    EmploymentFactory(student=worker, hours_per_week=12, start_date=date(2027, 6, 2))
    further = _resident(date(2008, 3, 1))
    _entree(further, start, end_date=date(2027, 6, 1), end_reason="diploma")
    EnrolmentFactory(student=further, level="2", start_date=date(2027, 8, 30))
    qualified = _resident(date(2000, 3, 1))
    _entree(qualified, date(2024, 9, 1), end_date=date(2025, 6, 1), end_reason="dropout")
    QualificationFactory(student=qualified, type="havo", level=None, date=date(2026, 7, 1))
    # Not further education: a level-2 programme starting the same day as the Entree
    # one (only a later start counts). Not work: 12 h or more that ended before today,
    # and 12 h or more that starts after today.
    same_day = _resident(date(2008, 3, 1))
    _entree(same_day, start, end_date=date(2027, 6, 1), end_reason="dropout")
    EnrolmentFactory(
        student=same_day, level="2", programme="Verkoper", start_date=start,
        end_date=date(2026, 10, 1),
        end_reason="dropout",
    )  # fmt: skip
    former_worker = _resident(date(2008, 3, 1))
    _entree(former_worker, start, end_date=date(2027, 6, 1), end_reason="diploma")
    EmploymentFactory(
        student=former_worker, hours_per_week=20, start_date=date(2027, 6, 2),
        end_date=TODAY - timedelta(days=1),
    )  # fmt: skip
    future_worker = _resident(date(2008, 3, 1))
    _entree(future_worker, start, end_date=date(2027, 6, 1), end_reason="diploma")
    EmploymentFactory(
        student=future_worker, hours_per_week=20, start_date=TODAY + timedelta(days=1)
    )
    region = Region.objects.get(name="Noord-Holland Noord")
    for scope in (
        Scope(school_year=2026, today=TODAY, region_id=region.pk),
        Scope(school_year=2026, today=TODAY, region_id=region.pk, level="entree"),
        Scope(school_year=2027, today=TODAY, region_id=region.pk, level="entree"),
    ):
        before = _cells([figures.entree_outflow(scope)])
        with report_transaction(), population_table(scope):
            after = _cells([figures.entree_outflow(scope)])
        assert after == before, scope
    row = figures.entree_outflow(Scope(school_year=2026, today=TODAY, region_id=region.pk)).rows[-1]
    # The conftest's 24 students and these seven in the 2026 cohort ("twice" counted as
    # enrolled and as praktijkleren, "again" once).
    assert row[1].value == 24 + 7 + 1


def test_only_reports_db_tables_are_written_into_the_sql():
    """Table names go into the SQL text: only reports.db's own (a prefix and hex digits)."""
    scope = Scope(school_year=2026, today=TODAY)
    for name in (None, "students_student", "reports_population_x; DROP TABLE y"):
        with pytest.raises(ValueError, match="not a population table"):
            figures.population_facts_sql(scope, name)
    with pytest.raises(ValueError, match="not a population table"):
        scope.population_table_name()
