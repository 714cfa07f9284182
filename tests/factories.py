"""factory_boy factories over the reference data that `migrate` creates.

Default dates are relative to `factory_today()` (the local date, which faketime shifts in
CI), never fixed calendar dates: a default that is right today must be right on any day.
A test that depends on a date names it (`start_date=today - timedelta(weeks=20)`);
the defaults only keep the records consistent (a planned end after the start, a student
aged 17 who has left vmbo). Offsets keep the relations the fixed dates had on 2026-12-03.
"""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import Membership, Municipality, Organisation, User
from students.models import Employment, Enrolment, Qualification, Student


def factory_today():
    """The day the factories' default dates are relative to."""
    return timezone.localdate()


def days_ago(n):
    return factory.LazyFunction(lambda: factory_today() - timedelta(days=n))


def school(name="Horizon College"):
    return Organisation.objects.get(name=name, kind="school")


def organisation(name):
    return Organisation.objects.get(name=name)


def municipality(name="Alkmaar"):
    return Municipality.objects.get(name=name)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")


def make_user(email, role, organisation_name, **extra):
    user = UserFactory(email=email, **extra)
    Membership.objects.get_or_create(
        user=user, organisation=organisation(organisation_name), role=role
    )
    return user


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    student_number = factory.Sequence(lambda n: f"{500000 + n}")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    date_of_birth = days_ago(6425)  # 17 years and 7 months old
    municipality = factory.LazyFunction(municipality)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    student = factory.SubFactory(StudentFactory)
    institution = factory.LazyFunction(school)
    location = "Alkmaar"
    programme = "Entree Dienstverlening"
    level = "entree"
    start_date = days_ago(101)  # this school year, past the first weeks
    # Always after the start, whatever start date a test passes.
    planned_end_date = factory.LazyAttribute(
        lambda o: o.start_date + timedelta(days=319) if o.start_date else None
    )


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification

    student = factory.SubFactory(StudentFactory)
    type = "vmbo"
    date = days_ago(520)


class EmploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employment

    student = factory.SubFactory(StudentFactory)
    employer = factory.Sequence(lambda n: f"Werkgever {n}")
    hours_per_week = 16
    start_date = days_ago(93)


# --- The student portal (issue 18) ---------------------------------------------------------


def make_student_account(student, email=None):
    """A student account (a User without membership) linked to `student`."""
    from portal.models import StudentAccount

    user = User.objects.create_user(email or student.email or f"s{student.pk}@student.test")
    return StudentAccount.objects.create(user=user, student=student)
