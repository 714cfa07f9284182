"""Benchmark of the bulk actions (issue 19, part 6) on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/bulk_benchmark.py
    (--students 1000 by default; --database NAME, --keep-data)

The benchmark (re)creates its own database (`koers_bench_bulk`), migrates it, and builds
N students enrolled at Horizon College with a mentor (plain bulk_create, synthetic names),
a school coordinator and a second mentor. Then, through Django's test client with the
whole middleware stack (session, the second factor, security, access log):

1. selects all N students for "Mentor toewijzen" (POST, the scope check of every id);
2. opens the confirmation page (the count and the first page of records);
3. applies it (POST: every id checked again, one UPDATE, one bulk insert of N history
   rows) and times this step: the goal is at most 5 s for 1,000 students;
4. the same for "In een groep plaatsen" (the enrolments);
5. measures the floor in the same run: one `UPDATE students_student SET version =
   version + 1 WHERE id IN (...)` of the same rows (best of 3), and reports the apply's
   ratio to it.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "koers_bench_bulk"
GOAL_SECONDS = 5.0


def member(email, role, organisation):
    from accounts.models import Membership, User

    user, _ = User.objects.get_or_create(
        email=email, defaults={"first_name": "Bench", "last_name": role}
    )
    Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    return User.objects.get(pk=user.pk)


def build(count):
    """N students of one mentor at Horizon College, each with an Entree enrolment."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Municipality, Organisation
    from students.models import Enrolment, Student

    school = Organisation.objects.get(name="Horizon College", kind="school")
    mentor = member("mentor@bench.invalid", "mentor", school)
    other = member("mentor2@bench.invalid", "mentor", school)
    coordinator = member("coordinator@bench.invalid", "school_coordinator", school)
    Student.objects.filter(student_number__startswith="B").delete()
    municipality = Municipality.objects.get(name="Alkmaar")
    today = timezone.localdate()
    students = Student.objects.bulk_create(
        Student(
            student_number=f"B{index:07d}",
            first_name=f"Voornaam{index}",
            last_name=f"Achternaam{index}",
            date_of_birth=today - timedelta(days=6425),
            municipality=municipality,
            mentor=mentor,
        )
        for index in range(count)
    )
    Enrolment.objects.bulk_create(
        Enrolment(
            student=student,
            institution=school,
            programme="Entree Dienstverlening",
            level="entree",
            start_date=today - timedelta(days=101),
        )
        for student in students
    )
    return students, coordinator, other


def client_for(user):
    from django.test import Client

    from tests.security.helpers import verify_second_factor

    client = Client()
    client.force_login(user)
    verify_second_factor(client, user)
    return client


def timed(step):
    started = time.perf_counter()
    result = step()
    return time.perf_counter() - started, result


def run_action(client, students, action, answer):
    from django.urls import reverse

    ids = [student.public_id for student in students]
    seconds_select, response = timed(
        lambda: client.post(
            reverse("caseload:bulk_students"), {"action": action, "ids": ids, "next": "/"}
        )
    )
    assert response.status_code == 302, response.status_code
    url = response["Location"]
    seconds_confirm, page = timed(lambda: client.get(url))
    assert page.status_code == 200, page.status_code
    # The confirmation names the count (the test client keeps no context outside tests).
    assert f"Dit verandert {len(students)} studenten." in page.content.decode(), "no count"
    seconds_apply, done = timed(lambda: client.post(url, answer))
    assert done.status_code == 302, done.status_code
    return seconds_select, seconds_confirm, seconds_apply


def floor(pks):
    """One bulk UPDATE of the same rows: the least a bulk change of them costs."""
    from django.db import connection, transaction

    best = None
    for _ in range(3):
        with transaction.atomic():
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE students_student SET version = version + 1 WHERE id = ANY(%s)",
                    [pks],
                )
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        best = seconds if best is None else min(best, seconds)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--database", default=BENCH_DB)
    parser.add_argument("--keep-data", action="store_true")
    args = parser.parse_args()

    from bench._db import setup_database

    setup_database(args.database, recreate=not args.keep_data)
    from django.conf import settings
    from django.db import connection

    # The test client's host; no rate limit on the benchmark's own requests.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    started = time.perf_counter()
    students, coordinator, other = build(args.students)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"built {len(students):,} students: {time.perf_counter() - started:.1f} s")

    client = client_for(coordinator)
    print("\n== Mentor toewijzen ==")
    select, confirm, apply = run_action(client, students, "mentor", {"mentor": str(other.pk)})
    print(f"select: {select:.2f} s, confirm page: {confirm:.2f} s, apply: {apply:.2f} s")
    print("\n== In een groep plaatsen ==")
    select_g, confirm_g, apply_g = run_action(client, students, "group", {"group": "Bench 1A"})
    print(f"select: {select_g:.2f} s, confirm page: {confirm_g:.2f} s, apply: {apply_g:.2f} s")

    from students.models import RecordChange, Student

    assert Student.objects.filter(mentor=other, student_number__startswith="B").count() == len(
        students
    )
    assert RecordChange.objects.filter(source="bulk").count() >= 2 * len(students)
    best = floor([student.pk for student in students])
    print(f"\nfloor (one bulk UPDATE of the same rows): {best:.3f} s")
    for label, seconds in (("mentor", apply), ("group", apply_g)):
        verdict = "ok" if seconds <= GOAL_SECONDS else "TOO SLOW"
        print(
            f"{label}: apply {seconds:.2f} s for {len(students):,} students "
            f"(goal {GOAL_SECONDS:.0f} s: {verdict}), {seconds / best:.0f}x the floor"
        )


if __name__ == "__main__":
    main()
