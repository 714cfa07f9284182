"""The calendar rules behind visibility and monitoring, checked by brute force."""

import calendar
from datetime import date, timedelta

import pytest

from students.dates import add_months, age_on, birthday, latest_birth_date_for_age, upper_age_on


def every_day(first_year, last_year):
    day = date(first_year, 1, 1)
    while day.year <= last_year:
        yield day
        day += timedelta(days=1)


def reference_age(date_of_birth, day):
    """Count birthdays one by one; 29 February celebrates on 1 March in common years."""
    age = 0
    while True:
        year = date_of_birth.year + age + 1
        try:
            next_birthday = date(year, date_of_birth.month, date_of_birth.day)
        except ValueError:
            next_birthday = date(year, 3, 1)
        if next_birthday > day:
            return age
        age += 1


LEAP_DAY_BIRTHS = [date(year, 2, 29) for year in range(1996, 2013, 4)]


@pytest.mark.parametrize("age", [16, 18, 23, 27])
def test_latest_birth_date_is_exactly_the_age_boundary_on_every_day_2023_to_2029(age):
    for day in every_day(2023, 2029):
        latest = latest_birth_date_for_age(age, day)
        # Around the boundary, "old enough" must agree with age_on, and with a count of
        # birthdays that does not share age_on's code.
        for offset in range(-3, 4):
            date_of_birth = latest + timedelta(days=offset)
            old_enough = age_on(date_of_birth, day) >= age
            assert old_enough == (date_of_birth <= latest), (age, day, date_of_birth)
            assert age_on(date_of_birth, day) == reference_age(date_of_birth, day)


def test_leap_day_births_agree_with_the_age_boundary_every_day_2023_to_2029():
    for day in every_day(2023, 2029):
        for age in (18, 23, 27):
            latest = latest_birth_date_for_age(age, day)
            for date_of_birth in LEAP_DAY_BIRTHS:
                assert (age_on(date_of_birth, day) >= age) == (date_of_birth <= latest)
                assert age_on(date_of_birth, day) == reference_age(date_of_birth, day)


def test_born_on_29_february_turns_18_on_1_march_in_a_common_year():
    assert birthday(date(2008, 2, 29), 18) == date(2026, 3, 1)
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


def test_born_on_29_february_turns_20_on_29_february_in_a_leap_year():
    assert birthday(date(2008, 2, 29), 20) == date(2028, 2, 29)
    assert age_on(date(2008, 2, 29), date(2028, 2, 28)) == 19
    assert age_on(date(2008, 2, 29), date(2028, 2, 29)) == 20


def test_latest_birth_date_on_29_february_in_a_common_birth_year_is_28_february():
    # On 29 Feb 2028 someone born on 28 Feb 2010 is 18; nobody is born on 29 Feb 2010.
    assert latest_birth_date_for_age(18, date(2028, 2, 29)) == date(2010, 2, 28)
    assert latest_birth_date_for_age(20, date(2028, 2, 29)) == date(2008, 2, 29)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 1, 31), 3, date(2026, 4, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2027, 1, 15), -1, date(2026, 12, 15)),
        (date(2028, 3, 31), -1, date(2028, 2, 29)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2028, 2, 29), 48, date(2032, 2, 29)),
        (date(2026, 5, 17), 0, date(2026, 5, 17)),
    ],
)
def test_add_months_keeps_the_day_or_falls_back_to_the_months_last_day(start, months, expected):
    assert add_months(start, months) == expected


def test_add_months_on_every_day_2023_to_2029():
    for day in every_day(2023, 2029):
        for months in range(-13, 26):
            result = add_months(day, months)
            moved = (result.year * 12 + result.month) - (day.year * 12 + day.month)
            assert moved == months
            last = calendar.monthrange(result.year, result.month)[1]
            assert result.day == min(day.day, last)


def test_upper_age_is_23_until_2025_and_27_from_1_january_2026():
    assert upper_age_on(date(2025, 12, 31)) == 23
    assert upper_age_on(date(2026, 1, 1)) == 27
    assert upper_age_on(date(2029, 6, 1)) == 27
