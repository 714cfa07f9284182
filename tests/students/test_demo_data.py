"""The demo data set is believable: both regions, every school and level, valid BSNs, and
Entree students of the demo mentor in every stage of the roadmap."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.demo import DemoContext, register_seeder, run_seeders, seed_accounts, seeders
from accounts.models import Region
from students.bsn import is_valid_bsn
from students.dates import age_on, latest_birth_date_for_age
from students.demo import PlannedStudent, plan_students
from students.models import Employment, Enrolment, Student

TODAY = date(2026, 10, 15)


@pytest.fixture
def demo(db):
    call_command("seed_demo", force=True, today=TODAY, verbosity=0)


def test_students_live_in_both_regions_and_attend_every_school_at_every_level(demo):
    for region in Region.objects.all():
        assert Student.objects.filter(municipality__region=region).count() >= 100
    levels = set(Enrolment.objects.values_list("institution__name", "level").distinct())
    for school in ("Horizon College", "ROC Mondriaan"):
        for level in ("entree", "2", "3", "4"):
            assert (school, level) in levels
    assert ("ROC Mondriaan", "vavo") in levels
    assert (
        Enrolment.objects.filter(
            institution__name="Horizon College", location="Alkmaar", level="entree"
        ).count()
        >= 80
    )


def test_ages_spread_from_15_to_30(demo):
    ages = {age_on(dob, TODAY) for dob in Student.objects.values_list("date_of_birth", flat=True)}
    assert min(ages) == 15
    assert max(ages) <= 30
    assert {15, 16, 17, 18, 20, 23, 25} <= ages


def test_bsns_pass_the_11_proef_and_are_unique(demo):
    bsns = list(Student.objects.exclude(bsn="").values_list("bsn", flat=True))
    assert len(bsns) >= 80
    assert len(set(bsns)) == len(bsns)
    assert all(is_valid_bsn(bsn) for bsn in bsns)


def test_employment_below_and_above_the_12_hour_threshold(demo):
    assert Employment.objects.filter(hours_per_week__lt=12).count() >= 10
    assert Employment.objects.filter(hours_per_week__gte=12).count() >= 10


def mentor_stages(planned_list, today):
    """The roadmap stages of the demo mentor's Entree students on `today`."""
    stages = set()
    for planned in planned_list:
        student = planned.student
        if student.mentor is None or student.mentor.email != "mentor@horizon.demo":
            continue
        entree = [e for e in planned.enrolments if e.level == "entree"]
        if not entree:
            continue
        enrolment = entree[0]
        running = (today - enrolment.start_date).days
        if enrolment.end_reason == "dropout":
            stages.add("dropped out")
        elif enrolment.end_reason == "diploma":
            working = any(
                job.hours_per_week >= 12 and (job.end_date is None or job.end_date >= today)
                for job in planned.employments
            )
            stages.add("graduated, working" if working else "graduated, not working")
        elif running < 0:
            stages.add("starts soon")
        elif running <= 20:
            stages.add("just started")
        elif 98 <= running < 112:
            stages.add("study advice due within two weeks")
        elif 200 <= running <= 260:
            stages.add("spring: outflow perspective")
        elif enrolment.planned_end_date - today <= timedelta(days=35):
            stages.add("near the planned end")
    return stages


EVERY_STAGE = {
    "dropped out",
    "graduated, working",
    "graduated, not working",
    "just started",
    "study advice due within two weeks",
    "spring: outflow perspective",
    "near the planned end",
}


def test_the_demo_mentor_has_entree_students_in_every_roadmap_stage(demo):
    students = Student.objects.filter(mentor__email="mentor@horizon.demo").prefetch_related(
        "enrolments", "employments"
    )
    assert students.count() >= 20
    planned = [
        PlannedStudent(s, list(s.enrolments.all()), [], list(s.employments.all())) for s in students
    ]
    assert mentor_stages(planned, TODAY) >= EVERY_STAGE


# The demo is seeded on whatever day someone runs it: every stage is there on any day of
# the year, not only in the autumn (and CI runs the suite under a shifted clock too).
@pytest.mark.parametrize(
    "day",
    [
        date(2027, 1, 1),
        date(2027, 4, 1),
        date(2027, 8, 1),
        date(2027, 10, 1),
        date(2027, 12, 31),
        date(2028, 2, 29),
    ],
    ids=str,
)
def test_every_stage_is_there_on_any_day_of_the_year(db, day):
    seed_accounts(DemoContext(today=day))
    planned = plan_students(day, DemoContext(today=day).random("students"))
    assert mentor_stages(planned, day) >= EVERY_STAGE


def test_the_matrix_finds_its_named_student_on_any_day(db):
    """The authorization matrix needs an Entree student of the demo mentor with a start
    step, under 18 and living in Noord-Holland Noord: seeded on the real day, there is one."""
    today = timezone.localdate()
    call_command("seed_demo", force=True, today=today, verbosity=0)
    assert Enrolment.objects.filter(
        student__mentor__email="mentor@horizon.demo",
        level="entree",
        start_step__isnull=False,
        student__date_of_birth__gt=latest_birth_date_for_age(18, today),
        student__municipality__region__name="Noord-Holland Noord",
    ).exists()


def test_the_same_day_generates_the_same_people(db):
    first = plan_students(TODAY, DemoContext(today=TODAY).random("students"))
    second = plan_students(TODAY, DemoContext(today=TODAY).random("students"))
    assert [(p.student.student_number, p.student.last_name, p.student.bsn) for p in first] == [
        (p.student.student_number, p.student.last_name, p.student.bsn) for p in second
    ]


def test_seeders_of_later_apps_run_after_accounts_and_students_in_order(db):
    calls = []

    def late(ctx):
        calls.append(("late", Student.objects.exists()))

    def early(ctx):
        calls.append(("early", Student.objects.exists()))

    register_seeder(99, late, name="test-late")
    register_seeder(30, early, name="test-early")
    try:
        run_seeders(DemoContext(today=TODAY))
    finally:
        from accounts import demo

        demo.seeder_registry.remove("test-late")
        demo.seeder_registry.remove("test-early")
    assert calls == [("early", True), ("late", True)]
    assert [name for name, _ in seeders()][:2] == ["accounts", "students"]
