"""Calendar arithmetic of the rule book (MONITORING.md section 1), pure and database-free.

The terms every rule and every query expression needs: month arithmetic, birthdays
(29 February -> 1 March in a common year), completed years, and dated settings.
students.dates re-exports them for the apps.
"""

import calendar
from collections.abc import Iterable
from datetime import date
from typing import Any


def add_months(day: date, months: int) -> date:
    """Keep the day of month; fall back to the month's last day (31 Aug + 6 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def birthday(date_of_birth: date, age: int) -> date:
    """The day a person reaches `age`; 29 February birthdays fall on 1 March in common years."""
    year = date_of_birth.year + age
    if date_of_birth.month == 2 and date_of_birth.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return date_of_birth.replace(year=year)


def age_on(date_of_birth: date, day: date) -> int:
    """Completed years on `day`."""
    age = day.year - date_of_birth.year
    return age if birthday(date_of_birth, age) <= day else age - 1


def latest_birth_date_for_age(age: int, day: date) -> date:
    """The latest date of birth of someone who is at least `age` on `day`.

    `age_on(dob, day) >= age` exactly when `dob <= latest_birth_date_for_age(age, day)`,
    which turns an age test into an indexable date comparison.
    """
    year = day.year - age
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, day.month, day.day)


def dated_value(values: Iterable[tuple[date, Any]], day: date) -> Any:
    """The value of a dated setting [(from_date, value), ...] that holds on `day`."""
    current = None
    for start, value in sorted(values):
        if start <= day:
            current = value
    return current
