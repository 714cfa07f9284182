"""Calendar arithmetic for the apps: the rule book's terms (rulebook.dates) and school years.

The terms that both visibility (students.queries) and the monitoring rules need live in
the rule book (`rulebook.dates`), below every app; they are re-exported here.
"""

from datetime import date

from rulebook.dates import (  # noqa: F401  (re-exported for the apps)
    add_months,
    age_on,
    birthday,
    dated_value,
    latest_birth_date_for_age,
)
from rulebook.settings import upper_age

__all__ = [
    "add_months",
    "age_on",
    "birthday",
    "dated_value",
    "latest_birth_date_for_age",
    "school_year_label",
    "school_year_of",
    "upper_age_on",
]


def upper_age_on(day: date) -> int:
    """The upper age of the target group: 23 until 2025-12-31, 27 from 2026-01-01."""
    return upper_age(day)


def school_year_of(day: date) -> int:
    """The school year as its starting calendar year: 1 Aug 2025 - 31 Jul 2026 is 2025."""
    return day.year if day.month >= 8 else day.year - 1


def school_year_label(year: int) -> str:
    return f"{year}-{year + 1}"
