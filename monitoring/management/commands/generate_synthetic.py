"""python manage.py generate_synthetic --students N --seed S [--today YYYY-MM-DD]"""

import time
from datetime import date

from django.core.management.base import BaseCommand

from monitoring.synthetic import generate


class Command(BaseCommand):
    help = "Create a synthetic, deterministic student population (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--today", type=date.fromisoformat, default=None)
        parser.add_argument(
            "--offset",
            type=int,
            default=None,
            help="first student number (default: after the synthetic students already there)",
        )

    def handle(self, *args, students, seed, today, offset, **options):
        started = time.perf_counter()
        result = generate(
            students=students,
            seed=seed,
            today=today,
            offset=offset,
            progress=(lambda n: self.stderr.write(f"{n} students"))
            if options["verbosity"] > 1
            else None,
        )
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{result.students} students, {result.enrolments} enrolments, "
            f"{result.qualifications} qualifications, {result.employments} employments, "
            f"{result.steps} roadmap steps, {result.contact_moments} contact moments, "
            f"{result.history} history rows, {result.mentors} mentors, "
            f"{result.referrals} referrals, {result.agenda_items} agenda items "
            f"({result.rows} rows) in {elapsed:.1f} s"
        )
