"""Entree students on the route, relative to today so the views (which use today) agree."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import EnrolmentFactory, StudentFactory


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def mentee(mentor, today):
    """Mirjam's Entree student at Horizon, started 20 weeks ago, 16 years old (Alkmaar)."""
    student = StudentFactory(mentor=mentor, date_of_birth=today - timedelta(days=16 * 365 + 30))
    EnrolmentFactory(
        student=student,
        start_date=today - timedelta(weeks=20),
        planned_end_date=today + timedelta(weeks=30),
    )
    return student


@pytest.fixture
def enrolment(mentee):
    return mentee.enrolments.get()


@pytest.fixture
def adult_mentee(mentor, today):
    """An 19-year-old Entree student of Mirjam (in the Doorstroompunt's scope)."""
    student = StudentFactory(mentor=mentor, date_of_birth=today - timedelta(days=19 * 365 + 30))
    EnrolmentFactory(
        student=student,
        start_date=today - timedelta(weeks=20),
        planned_end_date=today + timedelta(weeks=30),
    )
    return student
