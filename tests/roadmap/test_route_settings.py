"""The mentor's route and the monitoring signals use the same rule-book numbers."""

from datetime import date
from types import SimpleNamespace

from monitoring import rules
from monitoring.rule_settings import RuleSettings
from roadmap import route


def _enrolment(**extra):
    # The route's due dates read only these two fields.
    return SimpleNamespace(start_date=date(2026, 8, 24), **extra)


def test_route_defaults_equal_the_rule_book(settings):
    settings.KOERS_MONITORING_RULES = {}
    defaults = RuleSettings()
    enrolment = _enrolment(planned_end_date=None)
    fact = rules.EnrolmentFact(
        id=1, level="entree", programme="Entree", start_date=enrolment.start_date
    )
    assert route.study_advice_due(enrolment.start_date) == rules.study_advice_due_date(
        fact, defaults
    )
    assert route.perspective_due(enrolment) == rules.perspective_due_date(fact, defaults)


def test_a_regional_setting_moves_route_and_signals_together(settings):
    settings.KOERS_MONITORING_RULES = {"STUDY_ADVICE_WEEKS": 20, "SPRING_DATE": (5, 1)}
    configured = RuleSettings.from_django()
    enrolment = _enrolment(planned_end_date=date(2027, 7, 9))
    fact = rules.EnrolmentFact(
        id=1,
        level="entree",
        programme="Entree",
        start_date=enrolment.start_date,
        planned_end_date=enrolment.planned_end_date,
    )
    assert route.study_advice_due(enrolment.start_date) == date(2027, 1, 11)
    assert route.study_advice_due(enrolment.start_date) == rules.study_advice_due_date(
        fact, configured
    )
    assert route.perspective_due(enrolment) == rules.perspective_due_date(fact, configured)
