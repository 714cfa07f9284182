"""factory_boy factories over the reference data that `migrate` creates."""

from datetime import date

import factory

from accounts.models import Membership, Municipality, Organisation, User
from students.models import Employment, Enrolment, Qualification, Student


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
    date_of_birth = date(2009, 5, 1)
    municipality = factory.LazyFunction(municipality)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    student = factory.SubFactory(StudentFactory)
    institution = factory.LazyFunction(school)
    location = "Alkmaar"
    programme = "Entree Dienstverlening"
    level = "entree"
    start_date = date(2026, 8, 24)
    planned_end_date = date(2027, 7, 9)


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification

    student = factory.SubFactory(StudentFactory)
    type = "vmbo"
    date = date(2025, 7, 1)


class EmploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employment

    student = factory.SubFactory(StudentFactory)
    employer = factory.Sequence(lambda n: f"Werkgever {n}")
    hours_per_week = 16
    start_date = date(2026, 9, 1)
