"""The report's figures follow the rule book where they had drifted from it (issue 14)."""

from datetime import date

import pytest

from accounts.models import Region
from reports import figures
from reports.scope import Scope
from reports.tables import Count, Ratio
from roadmap.models import FurtherEducationStep
from rulebook import rules
from rulebook.settings import RuleSettings
from tests.factories import EnrolmentFactory, QualificationFactory, StudentFactory, municipality

from .conftest import PLANNED_END, START, TODAY

pytestmark = pytest.mark.django_db


def region_scope(**extra):
    region = Region.objects.get(name="Noord-Holland Noord")
    return Scope(school_year=2026, today=TODAY, region_id=region.pk, **extra)


def test_a_confirmed_further_education_step_alone_is_no_secured_next_step(coordinator):
    """MONITORING.md lists what secures a next step; a confirmed step 5b is not on it
    until the new enrolment itself is known (then it is a future enrolment)."""
    student = StudentFactory(date_of_birth=date(2009, 5, 1), municipality=municipality("Alkmaar"))
    entree = EnrolmentFactory(
        student=student,
        start_date=START,
        planned_end_date=PLANNED_END,
        end_date=PLANNED_END,
        end_reason="diploma",
    )
    FurtherEducationStep.objects.create(
        enrolment=entree,
        date=date(2027, 5, 1),
        author=coordinator,
        programme="Mbo 2 Logistiek",
        enrolment_confirmed_date=date(2027, 6, 1),
    )
    fact = rules.EnrolmentFact(
        id=entree.pk,
        level="entree",
        programme=entree.programme,
        start_date=START,
        planned_end_date=PLANNED_END,
        end_date=PLANNED_END,
        end_reason="diploma",
    )
    facts = rules.StudentFacts(date_of_birth=student.date_of_birth, enrolments=(fact,))
    assert not rules.next_step_secured(facts, fact, PLANNED_END, RuleSettings())
    assert figures.roadmap_timeliness(region_scope()).rows[2][1] == Ratio(0, 1)

    EnrolmentFactory(
        student=student,
        programme="Mbo 2 Logistiek",
        level="2",
        start_date=date(2027, 8, 30),
        planned_end_date=date(2029, 7, 1),
    )
    later = rules.EnrolmentFact(
        id=0, level="2", programme="Mbo 2 Logistiek", start_date=date(2027, 8, 30)
    )
    facts = rules.StudentFacts(date_of_birth=student.date_of_birth, enrolments=(fact, later))
    assert rules.next_step_secured(facts, fact, PLANNED_END, RuleSettings())
    assert figures.roadmap_timeliness(region_scope()).rows[2][1] == Ratio(1, 1)


def test_an_entree_diploma_recorded_as_a_qualification_is_a_leaving_event_for_vsv():
    """MONITORING.md: an Entree qualification recorded without an enrolment is a leaving
    event; after the first 1 October after it the graduate counts as VSV."""
    student = StudentFactory(date_of_birth=date(2007, 5, 1), municipality=municipality("Alkmaar"))
    QualificationFactory(student=student, type="entree", date=date(2027, 6, 30))
    facts = rules.StudentFacts(
        date_of_birth=student.date_of_birth,
        qualifications=(rules.QualificationFact("entree", date(2027, 6, 30)),),
    )
    for day, vsv in ((date(2027, 9, 30), False), (date(2027, 10, 1), True)):
        assert rules.counts_as_vsv(facts, day, RuleSettings()) is vsv
        scope = region_scope(on_date=day)
        assert figures.vsv_operational(scope).rows[0][2] == Count(int(vsv))


def test_the_vsv_reference_date_is_the_rule_books_setting(settings):
    settings.KOERS_MONITORING_RULES = {"VSV_REFERENCE_DATE": (9, 1)}
    student = StudentFactory(date_of_birth=date(2007, 5, 1), municipality=municipality("Alkmaar"))
    EnrolmentFactory(
        student=student,
        start_date=START,
        planned_end_date=PLANNED_END,
        end_date=PLANNED_END,
        end_reason="diploma",
    )
    scope = region_scope(on_date=date(2027, 9, 1))
    assert figures.vsv_operational(scope).rows[0][2] == Count(1)
