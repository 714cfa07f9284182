"""The synthetic population: deterministic per seed, varied enough for every rule."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db.models import Count

from accounts.models import Membership, User
from doorstroomtafel.models import AgendaItem
from monitoring.models import Signal
from monitoring.sweep import run_sweep
from monitoring.synthetic import CASELOAD, MENTOR_DOMAIN, bsn_for, caseloads, generate
from referrals.models import Referral
from roadmap.models import (
    ContactMoment,
    FurtherEducationStep,
    LeavingStep,
    PerspectiveStep,
    StartStep,
    StudyAdviceStep,
    WorkStep,
)
from students.bsn import is_valid_bsn
from students.models import Employment, Enrolment, Qualification, RecordChange, Student

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 2)


def snapshot():
    students = list(
        Student.objects.order_by("student_number").values_list(
            "student_number", "first_name", "last_name", "date_of_birth", "municipality__name"
        )
    )
    enrolments = list(
        Enrolment.objects.order_by("student__student_number", "start_date").values_list(
            "student__student_number", "level", "start_date", "end_date", "end_reason"
        )
    )
    contacts = list(
        ContactMoment.objects.order_by("student__student_number", "date", "kind").values_list(
            "student__student_number", "kind", "date"
        )
    )
    mentors = list(
        Student.objects.order_by("student_number").values_list("student_number", "mentor__email")
    )
    return students, enrolments, contacts, mentors


def test_the_same_seed_gives_the_same_population():
    generate(students=300, seed=7, today=DAY)
    first = snapshot()
    clear()
    generate(students=300, seed=7, today=DAY)
    assert snapshot() == first
    clear()
    generate(students=300, seed=8, today=DAY)
    assert snapshot() != first


def clear():
    AgendaItem.objects.all().delete()
    WorkStep.objects.all().delete()  # protects its employment, so its student too
    Student.objects.all().delete()
    Membership.objects.filter(user__email__endswith=MENTOR_DOMAIN).delete()
    User.objects.filter(email__endswith=MENTOR_DOMAIN).delete()


def test_a_second_batch_takes_new_student_numbers():
    generate(students=50, seed=1, today=DAY)
    generate(students=50, seed=1, today=DAY)
    numbers = list(Student.objects.values_list("student_number", flat=True))
    assert len(numbers) == len(set(numbers)) == 100
    assert all(number.startswith("S") for number in numbers)


def test_the_population_covers_ages_regions_levels_and_roadmap_steps():
    result = generate(students=2000, seed=3, today=DAY)
    assert result.students == Student.objects.count() == 2000
    ages = {
        DAY.year - born.year - ((DAY.month, DAY.day) < (born.month, born.day))
        for born in Student.objects.values_list("date_of_birth", flat=True)
    }
    assert min(ages) == 15
    assert max(ages) == 30
    regions = set(Student.objects.values_list("municipality__region__name", flat=True))
    assert regions == {"Noord-Holland Noord", "Haaglanden"}
    assert set(Enrolment.objects.values_list("level", flat=True)) == {
        "entree",
        "2",
        "3",
        "4",
        "vavo",
    }
    assert set(Enrolment.objects.values_list("end_reason", flat=True)) >= {"", "diploma", "dropout"}
    assert set(Qualification.objects.values_list("type", flat=True)) >= {
        "mbo", "havo", "vwo", "pro", "vso", "entree"
    }  # fmt: skip
    hours = set(Employment.objects.values_list("hours_per_week", flat=True))
    assert min(hours) < 12 <= max(hours)
    assert Employment.objects.filter(end_date__isnull=False).exists()  # jobs lost
    for step in (StartStep, StudyAdviceStep, PerspectiveStep, WorkStep, FurtherEducationStep,
                 LeavingStep):  # fmt: skip
        assert step.objects.exists(), step
    assert set(ContactMoment.objects.values_list("kind", flat=True)) == {
        "other", "work_checkin", "dsp_contact", "leerplicht_contact"
    }  # fmt: skip
    assert Referral.objects.filter(status="accepted").exists()
    assert AgendaItem.objects.values("meeting__table__region").distinct().count() == 2


def test_every_student_carries_ten_or_more_step_contact_and_history_rows():
    result = generate(students=800, seed=4, today=DAY)
    steps = sum(
        model.objects.count()
        for model in (StartStep, StudyAdviceStep, PerspectiveStep, WorkStep,
                      FurtherEducationStep, LeavingStep)
    )  # fmt: skip
    contacts, history = ContactMoment.objects.count(), RecordChange.objects.count()
    assert result.activity == steps + contacts + history
    # 500,000 students carry 5 million of these rows (issue 16).
    assert (steps + contacts + history) / 800 >= 10
    assert contacts / 800 >= 3
    assert history / 800 >= 5
    # Every record has its creation in the history, and no history row is from the future.
    assert RecordChange.objects.filter(record_type="student", action="create").count() == 800
    assert RecordChange.objects.filter(record_type="contactmoment").count() == contacts
    assert not RecordChange.objects.filter(at__date__gt=DAY).exists()
    assert not ContactMoment.objects.filter(date__gt=DAY).exists()


def test_mentors_at_the_school_have_25_to_35_students_each():
    generate(students=800, seed=6, today=DAY)
    mentors = User.objects.filter(email__endswith=MENTOR_DOMAIN)
    assert mentors.count() >= 600 / 35
    loads = mentors.annotate(n=Count("mentees")).values_list("n", flat=True)
    assert all(CASELOAD[0] <= n <= CASELOAD[1] for n in loads)
    # The mentor works at the school of the student's enrolment.
    for student in Student.objects.filter(mentor__isnull=False).select_related("mentor")[:200]:
        school = student.mentor.memberships.get(role="mentor").organisation_id
        assert student.enrolments.filter(institution_id=school).exists()
    # Everyone with an enrolment has a mentor; nobody else has one.
    assert not Student.objects.filter(enrolments__isnull=False, mentor__isnull=True).exists()
    assert not Student.objects.filter(enrolments__isnull=True, mentor__isnull=False).exists()


def test_caseloads_stay_within_bounds_for_any_number_of_students():
    import random

    rng = random.Random(1)
    # 36-49 and 71-74 cannot be split so; from 75 on every number can.
    for count in [25, 35, 50, 51, 69, 70, 75, 76, 100, 104, 999, 20_000]:
        sizes = caseloads(count, rng)
        assert sum(sizes) == count
        assert all(CASELOAD[0] <= size <= CASELOAD[1] for size in sizes), count
    assert caseloads(7, rng) == [7]  # fewer than 25 students at a school: one mentor


def test_bsns_are_valid_and_unique():
    numbers = range(0, 200_000, 7)
    bsns = [bsn_for(number) for number in numbers]
    assert all(is_valid_bsn(bsn) for bsn in bsns)
    assert len(set(bsns)) == len(bsns)
    generate(students=200, seed=1, today=DAY)
    stored = list(Student.objects.values_list("bsn", flat=True))
    assert all(is_valid_bsn(bsn) for bsn in stored)
    assert len(set(stored)) == 200


def test_the_sweep_finds_every_kind_of_signal_in_the_population():
    generate(students=3000, seed=5, today=DAY)
    run_sweep(DAY)
    kinds = set(Signal.objects.values_list("kind", flat=True))
    assert kinds >= {
        "study_advice_due", "perspective_due", "no_next_step", "dropout", "job_lost",
        "next_step_check",
    }  # fmt: skip
    assert {"leerplicht", "doorstroompunt", "school"} <= set(
        Signal.objects.values_list("assignee", flat=True)
    )


def test_the_command_reports_what_it_made(capsys):
    call_command("generate_synthetic", "--students", "20", "--seed", "2", "--today", "2026-03-02")
    assert "20 students" in capsys.readouterr().out
    assert Student.objects.count() == 20
