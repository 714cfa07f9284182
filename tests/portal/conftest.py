from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import EnrolmentFactory, StudentFactory, make_student_account


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def pupil(db, mentor, today):
    """A student of 17 at Horizon College with the mentor and an e-mail address."""
    student = StudentFactory(
        email="sanne@student.test",
        mentor=mentor,
        date_of_birth=today - timedelta(days=17 * 366),
        bsn="123456782",
    )
    EnrolmentFactory(student=student, start_date=today - timedelta(days=30))
    return student


@pytest.fixture
def account(pupil):
    return make_student_account(pupil)


@pytest.fixture
def other_account(db, mentor, today):
    # A name the pupil's (a random Dutch one) never has: the tests look for it on the
    # pupil's pages, and a shared first name failed them by chance.
    student = StudentFactory(
        email="other@student.test", mentor=mentor, first_name="Xandrijn", last_name="Quist"
    )
    EnrolmentFactory(student=student, start_date=today - timedelta(days=30))
    return make_student_account(student)


@pytest.fixture
def student_client(client, account):
    client.force_login(account.user)
    return client
