"""MONITORING.md section 1 (terms) and section 5 (settings), term by term, edge by edge."""

from datetime import date
from decimal import Decimal

import pytest

from monitoring import rules
from monitoring.rule_settings import RuleSettings
from monitoring.rules import EmploymentFact, EnrolmentFact, QualificationFact, StudentFacts

S = RuleSettings()


def student(dob=date(2008, 5, 1), **kw):
    return StudentFacts(date_of_birth=dob, **{key: tuple(value) for key, value in kw.items()})


def entree(id=1, start=date(2025, 9, 1), planned=None, end=None, reason=""):
    return EnrolmentFact(id, "entree", "Entree", start, planned, end, reason)


# --- Age on D --------------------------------------------------------------------------


def test_age_counts_completed_years():
    facts = student(dob=date(2008, 5, 1))
    assert rules.age(facts, date(2026, 4, 30)) == 17
    assert rules.age(facts, date(2026, 5, 1)) == 18


def test_29_february_birthday_falls_on_1_march_in_a_common_year():
    facts = student(dob=date(2008, 2, 29))
    assert rules.age(facts, date(2026, 2, 28)) == 17
    assert rules.age(facts, date(2026, 3, 1)) == 18


def test_29_february_birthday_falls_on_29_february_in_a_leap_year():
    facts = student(dob=date(2008, 2, 29))
    assert rules.age(facts, date(2028, 2, 28)) == 19
    assert rules.age(facts, date(2028, 2, 29)) == 20


# --- Enrolled on D, future enrolment ---------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 8, 31), False),  # before the start
        (date(2025, 9, 1), True),  # the start date
        (date(2026, 1, 31), True),  # end_date is the last day of enrolment
        (date(2026, 2, 1), False),
    ],
)
def test_enrolled_from_start_date_through_end_date(day, expected):
    assert rules.enrolled_on(entree(end=date(2026, 1, 31), reason="dropout"), day) is expected


def test_enrolment_without_end_date_runs_on():
    assert rules.enrolled_on(entree(), date(2040, 1, 1))


def test_future_enrolment_starts_strictly_after_d():
    facts = student(enrolments=[entree(start=date(2025, 9, 1))])
    assert rules.future_enrolment(facts, date(2025, 8, 31))
    assert not rules.future_enrolment(facts, date(2025, 9, 1))


# --- Working on D ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "expected"),
    [(12, True), (Decimal("12.0"), True), (Decimal("11.5"), False), (40, True), (0, False)],
)
def test_working_needs_one_contract_of_at_least_12_hours(hours, expected):
    facts = student(employments=[EmploymentFact(hours, date(2025, 1, 1))])
    assert rules.working_on(facts, date(2025, 6, 1), S) is expected


def test_hours_of_different_contracts_are_not_added_up():
    facts = student(
        employments=[
            EmploymentFact(8, date(2025, 1, 1)),
            EmploymentFact(8, date(2025, 2, 1)),
        ]
    )
    assert not rules.working_on(facts, date(2025, 6, 1), S)


def test_working_from_start_date_through_end_date():
    facts = student(employments=[EmploymentFact(12, date(2025, 1, 1), date(2025, 3, 31))])
    assert not rules.working_on(facts, date(2024, 12, 31), S)
    assert rules.working_on(facts, date(2025, 1, 1), S)
    assert rules.working_on(facts, date(2025, 3, 31), S)
    assert not rules.working_on(facts, date(2025, 4, 1), S)


# --- Entree diploma, T -----------------------------------------------------------------


def test_t_is_an_entree_diploma_dated_strictly_before_d():
    facts = student(enrolments=[entree(end=date(2025, 6, 30), reason="diploma")])
    assert rules.entree_diploma_date(facts, date(2025, 6, 30)) is None
    assert rules.entree_diploma_date(facts, date(2025, 7, 1)) == date(2025, 6, 30)


def test_t_counts_an_entree_qualification_record():
    facts = student(qualifications=[QualificationFact("entree", date(2025, 6, 30))])
    assert rules.entree_diploma_date(facts, date(2025, 7, 1)) == date(2025, 6, 30)


def test_same_diploma_recorded_both_ways_the_latest_date_wins():
    facts = student(
        enrolments=[entree(end=date(2025, 6, 30), reason="diploma")],
        qualifications=[QualificationFact("entree", date(2025, 7, 4))],
    )
    assert rules.entree_diploma_date(facts, date(2025, 7, 4)) == date(2025, 6, 30)
    assert rules.entree_diploma_date(facts, date(2025, 7, 5)) == date(2025, 7, 4)


def test_t_is_the_latest_of_several_entree_diplomas_before_d():
    facts = student(
        enrolments=[
            entree(1, start=date(2023, 9, 1), end=date(2024, 6, 30), reason="diploma"),
            entree(2, start=date(2024, 9, 1), end=date(2025, 6, 30), reason="diploma"),
        ]
    )
    assert rules.entree_diploma_date(facts, date(2025, 6, 30)) == date(2024, 6, 30)
    assert rules.entree_diploma_date(facts, date(2025, 7, 1)) == date(2025, 6, 30)


@pytest.mark.parametrize(
    "enrolment",
    [
        entree(end=date(2025, 6, 30), reason="dropout"),
        EnrolmentFact(1, "2", "Logistiek", date(2024, 9, 1), None, date(2025, 6, 30), "diploma"),
    ],
    ids=["entree-dropout", "mbo2-diploma"],
)
def test_other_endings_are_not_an_entree_diploma(enrolment):
    assert rules.entree_diploma_date(student(enrolments=[enrolment]), date(2026, 1, 1)) is None


# --- Startkwalificatie -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("qualification", "expected"),
    [
        (QualificationFact("havo", date(2025, 6, 30)), True),
        (QualificationFact("vwo", date(2025, 6, 30)), True),
        (QualificationFact("mbo", date(2025, 6, 30), 2), True),
        (QualificationFact("mbo", date(2025, 6, 30), 3), True),
        (QualificationFact("mbo", date(2025, 6, 30), 4), True),
        (QualificationFact("entree", date(2025, 6, 30)), False),
        (QualificationFact("vmbo", date(2025, 6, 30)), False),
        (QualificationFact("pro", date(2025, 6, 30)), False),
        (QualificationFact("vso", date(2025, 6, 30)), False),
    ],
)
def test_startkwalificatie_is_havo_vwo_or_mbo_2_3_4(qualification, expected):
    facts = student(qualifications=[qualification])
    assert rules.has_startkwalificatie(facts, date(2025, 7, 1)) is expected


def test_startkwalificatie_counts_from_its_date_on():
    facts = student(qualifications=[QualificationFact("havo", date(2025, 6, 30))])
    assert not rules.has_startkwalificatie(facts, date(2025, 6, 29))
    assert rules.has_startkwalificatie(facts, date(2025, 6, 30))


@pytest.mark.parametrize(
    ("level", "reason", "expected"),
    [
        ("2", "diploma", True),
        ("3", "diploma", True),
        ("4", "diploma", True),
        ("entree", "diploma", False),
        ("3", "dropout", False),
        ("3", "switch", False),
    ],
)
def test_startkwalificatie_from_an_enrolment_diploma(level, reason, expected):
    enrolment = EnrolmentFact(1, level, "X", date(2023, 9, 1), None, date(2025, 6, 30), reason)
    facts = student(enrolments=[enrolment])
    assert rules.has_startkwalificatie(facts, date(2025, 6, 30)) is expected
    assert not rules.has_startkwalificatie(facts, date(2025, 6, 29))


# --- Upper age, target group -----------------------------------------------------------


def test_upper_age_is_23_until_2025_and_27_from_2026():
    assert rules.upper_age(date(2025, 12, 31), S) == 23
    assert rules.upper_age(date(2026, 1, 1), S) == 27


def test_upper_age_follows_the_dated_setting():
    settings = RuleSettings(UPPER_AGE=[(date(1900, 1, 1), 23), (date(2030, 1, 1), 30)])
    assert rules.upper_age(date(2026, 1, 1), settings) == 23
    assert rules.upper_age(date(2030, 1, 1), settings) == 30


def test_a_24_year_old_falls_out_in_2025_and_is_back_on_1_january_2026():
    facts = student(dob=date(2001, 6, 1))
    assert not rules.in_target_group(facts, date(2025, 12, 31), S)
    assert rules.in_target_group(facts, date(2026, 1, 1), S)


def test_target_group_ends_on_the_23rd_birthday_before_2026():
    facts = student(dob=date(2002, 3, 15))
    assert rules.in_target_group(facts, date(2025, 3, 14), S)
    assert not rules.in_target_group(facts, date(2025, 3, 15), S)


def test_target_group_ends_on_the_27th_birthday_from_2026():
    facts = student(dob=date(1999, 3, 15))
    assert rules.in_target_group(facts, date(2026, 3, 14), S)
    assert not rules.in_target_group(facts, date(2026, 3, 15), S)


def test_upper_age_birthday_on_29_february_falls_on_1_march():
    facts = student(dob=date(2000, 2, 29))  # 27 on 1 March 2027
    assert rules.in_target_group(facts, date(2027, 2, 28), S)
    assert not rules.in_target_group(facts, date(2027, 3, 1), S)


def test_startkwalificatie_takes_a_student_out_of_the_target_group_on_its_date():
    facts = student(qualifications=[QualificationFact("mbo", date(2025, 6, 30), 2)])
    assert rules.in_target_group(facts, date(2025, 6, 29), S)
    assert not rules.in_target_group(facts, date(2025, 6, 30), S)


# --- Exempt ----------------------------------------------------------------------------


def test_entree_diploma_and_working_is_exempt():
    facts = student(
        enrolments=[entree(end=date(2025, 6, 30), reason="diploma")],
        employments=[EmploymentFact(12, date(2025, 7, 1))],
    )
    assert not rules.exempt(facts, date(2025, 6, 30), S)  # not working yet
    assert rules.exempt(facts, date(2025, 7, 1), S)


def test_entree_diploma_dated_d_itself_exempts_a_working_student():
    facts = student(
        qualifications=[QualificationFact("entree", date(2025, 6, 30))],
        employments=[EmploymentFact(20, date(2025, 1, 1))],
    )
    assert not rules.exempt(facts, date(2025, 6, 29), S)
    assert rules.exempt(facts, date(2025, 6, 30), S)


def test_entree_diploma_without_work_is_not_exempt():
    facts = student(
        enrolments=[entree(end=date(2025, 6, 30), reason="diploma")],
        employments=[EmploymentFact(11, date(2025, 7, 1))],
    )
    assert not rules.exempt(facts, date(2025, 8, 1), S)


def test_work_without_entree_diploma_is_not_exempt():
    facts = student(
        enrolments=[entree(end=date(2025, 6, 30), reason="dropout")],
        employments=[EmploymentFact(38, date(2025, 7, 1))],
    )
    assert not rules.exempt(facts, date(2025, 8, 1), S)


@pytest.mark.parametrize("kind", ["pro", "vso"])
def test_pro_or_vso_certificate_is_exempt_from_its_date(kind):
    facts = student(qualifications=[QualificationFact(kind, date(2024, 7, 10))])
    assert not rules.exempt(facts, date(2024, 7, 9), S)
    assert rules.exempt(facts, date(2024, 7, 10), S)


def test_vmbo_certificate_is_not_exempt():
    facts = student(qualifications=[QualificationFact("vmbo", date(2024, 7, 10))])
    assert not rules.exempt(facts, date(2025, 1, 1), S)


# --- Responsible authority, planned end ------------------------------------------------


def test_responsible_authority_is_leerplicht_under_18_and_doorstroompunt_from_18():
    facts = student(dob=date(2008, 2, 29))
    assert rules.responsible_authority(facts, date(2026, 2, 28), S) == rules.LEERPLICHT
    assert rules.responsible_authority(facts, date(2026, 3, 1), S) == rules.DOORSTROOMPUNT


def test_planned_end_is_the_planned_end_date():
    assert rules.planned_end(entree(planned=date(2026, 7, 10)), S) == date(2026, 7, 10)


def test_planned_end_without_date_is_start_plus_365_days():
    assert rules.planned_end(entree(start=date(2025, 9, 1)), S) == date(2026, 9, 1)
    # Across 29 February 2024: 365 days, not one year.
    assert rules.planned_end(entree(start=date(2023, 9, 1)), S) == date(2024, 8, 31)


# --- Month arithmetic and repeating dates ----------------------------------------------


def test_repeating_dates_fall_back_to_month_end_and_count_from_the_start():
    start = date(2025, 8, 31)
    dues = [
        rules.latest_repeat(start, 3, 14, day)
        for day in (
            date(2025, 11, 16),
            date(2026, 2, 14),
            date(2026, 5, 17),
            date(2026, 8, 17),
        )
    ]
    # 31 May, not 28 May (28 Feb + 3 months): counted from the start.
    assert dues == [date(2025, 11, 30), date(2026, 2, 28), date(2026, 5, 31), date(2026, 8, 31)]


def test_31_august_plus_6_months_is_29_february_in_a_leap_year():
    assert rules.latest_repeat(date(2023, 8, 31), 6, 14, date(2024, 2, 15)) == date(2024, 2, 29)
    assert rules.latest_repeat(date(2023, 8, 31), 6, 14, date(2024, 2, 14)) is None


def test_repeating_date_notice_window_and_cap():
    start = date(2025, 1, 15)
    assert rules.latest_repeat(start, 3, 14, date(2025, 4, 1)) == date(2025, 4, 15)
    assert rules.latest_repeat(start, 3, 14, date(2025, 3, 31)) is None
    assert rules.latest_repeat(start, 3, 14, date(2030, 1, 1), max_k=4) == date(2026, 1, 15)
    assert rules.latest_repeat(start, 6, 14, date(2030, 1, 1)) == date(2030, 1, 15)


# --- The first 1 October after T -------------------------------------------------------


@pytest.mark.parametrize(
    ("diploma", "expected"),
    [
        (date(2025, 6, 30), date(2025, 10, 1)),
        (date(2025, 9, 30), date(2025, 10, 1)),
        (date(2025, 10, 1), date(2026, 10, 1)),  # strictly after
        (date(2025, 10, 2), date(2026, 10, 1)),
        (date(2025, 12, 31), date(2026, 10, 1)),
    ],
)
def test_first_1_october_strictly_after_t(diploma, expected):
    assert rules.first_reference_date_after(diploma, S) == expected


# --- Settings (section 5) --------------------------------------------------------------


def test_default_settings_are_those_of_section_5():
    upper_age = S.UPPER_AGE
    assert upper_age == ((date(1900, 1, 1), 23), (date(2026, 1, 1), 27))
    assert (S.KWALIFICATIEPLICHT_AGE, S.WORK_HOURS_THRESHOLD) == (18, 12)
    assert (S.STUDY_ADVICE_WEEKS, S.STUDY_ADVICE_NOTICE_DAYS) == (16, 14)
    assert (S.SPRING_DATE, S.PERSPECTIVE_NOTICE_DAYS) == ((4, 1), 28)
    assert S.NO_NEXT_STEP_DAYS == 56
    assert S.VSV_REFERENCE_DATE == (10, 1)
    assert (S.POST_DIPLOMA_MONTHS, S.WORK_CHECKIN_MONTHS, S.DSP_CHECKIN_MONTHS) == (12, 3, 6)


def test_settings_from_django_read_the_project_settings(settings):
    settings.KOERS_UPPER_AGE = [[date(1900, 1, 1), 21], [date(2026, 1, 1), 25]]
    settings.KOERS_KWALIFICATIEPLICHT_AGE = 17
    settings.KOERS_MONITORING_RULES = {"NO_NEXT_STEP_DAYS": 42}
    rule_settings = RuleSettings.from_django(WORK_HOURS_THRESHOLD=16)
    upper_age = rule_settings.UPPER_AGE  # lists became tuples
    assert upper_age == ((date(1900, 1, 1), 21), (date(2026, 1, 1), 25))
    assert rule_settings.KWALIFICATIEPLICHT_AGE == 17
    assert rule_settings.NO_NEXT_STEP_DAYS == 42
    assert rule_settings.WORK_HOURS_THRESHOLD == 16


def test_settings_from_django_default_to_section_5(settings):
    del settings.KOERS_UPPER_AGE
    del settings.KOERS_KWALIFICATIEPLICHT_AGE
    assert RuleSettings.from_django() == RuleSettings()


def test_evaluate_without_settings_uses_the_project_settings(settings):
    settings.KOERS_UPPER_AGE = [(date(1900, 1, 1), 20)]
    facts = student(dob=date(2004, 1, 1))
    assert rules.evaluate(facts, date(2025, 1, 1)).monitoring_ended
    assert not rules.evaluate(facts, date(2025, 1, 1), S).monitoring_ended


def test_unknown_rule_setting_is_refused(settings):
    settings.KOERS_MONITORING_RULES = {"NO_NEXT_STEPS_DAYS": 42}
    with pytest.raises(ValueError, match="NO_NEXT_STEPS_DAYS"):
        RuleSettings.from_django()


def test_the_ages_are_not_set_through_the_monitoring_rules_dict(settings):
    settings.KOERS_MONITORING_RULES = {"UPPER_AGE": [(date(1900, 1, 1), 30)]}
    with pytest.raises(ValueError, match="KOERS_UPPER_AGE"):
        RuleSettings.from_django()


def test_a_yearly_date_that_does_not_exist_every_year_is_refused():
    with pytest.raises(ValueError, match="SPRING_DATE"):
        RuleSettings(SPRING_DATE=(2, 29))
