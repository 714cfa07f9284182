"""Every number of the rule book (MONITORING.md section 5), as one settings object.

Regions differ and the law changed on 2026-01-01, so the rules never hold a number of their
own: they read it from a RuleSettings. The field names are the setting names of
MONITORING.md section 5; the numbers that the rule book writes inline in a rule (the 14- and
28-day windows, the 92 days before T, ...) get a name here too, with the document's value as
the default, so that no rule in rulebook.rules contains a bare number.

RuleSettings is a plain frozen dataclass: usable without Django or a database.
`RuleSettings.from_django()` builds the default from the project settings when they are
configured (`KOERS_UPPER_AGE`, `KOERS_KWALIFICATIEPLICHT_AGE`, and any field named in the
optional dict `KOERS_MONITORING_RULES`). It is the one reader of those settings: the
route (roadmap.route), visibility (students.queries), the reports and both sweep engines
take their numbers from a RuleSettings, never from the Django settings themselves.
"""

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

# 23 until 2025-12-31, 27 from 2026-01-01 ("Wet van school naar duurzaam werk").
DEFAULT_UPPER_AGE = ((date(1900, 1, 1), 23), (date(2026, 1, 1), 27))


@dataclass(frozen=True)
class RuleSettings:
    # --- MONITORING.md section 5 -------------------------------------------------------
    # A dated setting: ((from_date, value), ...); the value with the latest from_date <= D
    # holds on D (rulebook.dates.dated_value).
    UPPER_AGE: tuple[tuple[date, int], ...] = DEFAULT_UPPER_AGE
    KWALIFICATIEPLICHT_AGE: int = 18
    WORK_HOURS_THRESHOLD: int = 12
    STUDY_ADVICE_WEEKS: int = 16
    STUDY_ADVICE_NOTICE_DAYS: int = 14
    SPRING_DATE: tuple[int, int] = (4, 1)  # (month, day): 1 April
    PERSPECTIVE_NOTICE_DAYS: int = 28
    NO_NEXT_STEP_DAYS: int = 56
    VSV_REFERENCE_DATE: tuple[int, int] = (10, 1)  # (month, day): 1 October
    POST_DIPLOMA_MONTHS: int = 12
    WORK_CHECKIN_MONTHS: int = 3  # "work check-in every 3 months"
    DSP_CHECKIN_MONTHS: int = 6

    # --- Numbers that section 2 writes inline in a rule ---------------------------------
    # "Planned end ... start_date + 365 days when empty".
    PLANNED_END_DAYS: int = 365
    # perspective_due: "(planned end - 91 days)".
    PERSPECTIVE_BEFORE_END_DAYS: int = 91
    # dropout: "end_date + 7 days".
    DROPOUT_DUE_DAYS: int = 7
    # job_lost: "started on or after T - 92 days".
    JOB_LOST_LOOKBACK_DAYS: int = 92
    # job_lost: "14 days after the latest end_date".
    JOB_LOST_DUE_DAYS: int = 14
    # work_checkin_due and dsp_checkin_due: open from "due - 14 days"; a contact logged
    # "on or after due - 28 days" counts for that due date.
    CHECKIN_NOTICE_DAYS: int = 14
    CHECKIN_LOOKBACK_DAYS: int = 28
    # monitoring_handover: "D >= T + 12 months - 14 days".
    HANDOVER_NOTICE_DAYS: int = 14

    def __post_init__(self) -> None:
        # Django settings hold lists; a frozen settings object must hold tuples (hashable,
        # and nobody can append to the upper age behind the rules' back).
        upper_age = tuple((start, int(value)) for start, value in self.UPPER_AGE)
        if not upper_age:
            raise ValueError("UPPER_AGE needs at least one dated value")
        object.__setattr__(self, "UPPER_AGE", tuple(sorted(upper_age)))
        for name in ("SPRING_DATE", "VSV_REFERENCE_DATE"):
            month, day = getattr(self, name)
            try:
                # A yearly date must exist every year: 29 February is refused.
                date(2001, month, day)
            except ValueError:
                raise ValueError(f"{name} must be a (month, day) of every year") from None
            object.__setattr__(self, name, (int(month), int(day)))
        if self.WORK_CHECKIN_MONTHS <= 0 or self.DSP_CHECKIN_MONTHS <= 0:
            raise ValueError("check-in intervals must be at least one month")

    @classmethod
    def from_django(cls, **overrides: Any) -> "RuleSettings":
        """The project's rule settings: defaults, then Django settings, then `overrides`."""
        from django.conf import settings as django_settings

        values = {}
        if django_settings.configured:
            upper_age = getattr(django_settings, "KOERS_UPPER_AGE", None)
            if upper_age is not None:
                values["UPPER_AGE"] = upper_age
            kwalificatieplicht_age = getattr(django_settings, "KOERS_KWALIFICATIEPLICHT_AGE", None)
            if kwalificatieplicht_age is not None:
                values["KWALIFICATIEPLICHT_AGE"] = kwalificatieplicht_age
            other_rules = getattr(django_settings, "KOERS_MONITORING_RULES", None) or {}
            # The ages have one name each (KOERS_UPPER_AGE, KOERS_KWALIFICATIEPLICHT_AGE).
            for name in ("UPPER_AGE", "KWALIFICATIEPLICHT_AGE"):
                if name in other_rules:
                    raise ValueError(f"set {name} as KOERS_{name}, not in KOERS_MONITORING_RULES")
            values.update(other_rules)
        values.update(overrides)
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown monitoring rule settings: {', '.join(unknown)}")
        return cls(**values)


def rule_settings(**overrides: Any) -> RuleSettings:
    """The project's rule settings (RuleSettings.from_django), for callers outside rules."""
    return RuleSettings.from_django(**overrides)


def upper_age(day: date, settings: RuleSettings | None = None) -> int:
    """The upper age of the target group on `day` (dated: 23, then 27 from 2026-01-01)."""
    from .dates import dated_value

    value: int = dated_value((settings or RuleSettings.from_django()).UPPER_AGE, day)
    return value
