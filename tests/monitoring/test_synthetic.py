"""The synthetic population: deterministic per seed, varied enough for every rule."""

from datetime import date

import pytest
from django.core.management import call_command

from monitoring.models import Signal
from monitoring.sweep import run_sweep
from monitoring.synthetic import generate
from roadmap.models import PerspectiveStep, StudyAdviceStep
from students.models import Employment, Enrolment, Qualification, Student

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
    return students, enrolments


def test_the_same_seed_gives_the_same_population():
    generate(students=300, seed=7, today=DAY)
    first = snapshot()
    Student.objects.all().delete()
    generate(students=300, seed=7, today=DAY)
    assert snapshot() == first
    Student.objects.all().delete()
    generate(students=300, seed=8, today=DAY)
    assert snapshot() != first


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
    assert StudyAdviceStep.objects.exists()
    assert PerspectiveStep.objects.exists()


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
