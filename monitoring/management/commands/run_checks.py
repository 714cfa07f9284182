"""`python manage.py run_checks [--today YYYY-MM-DD] [--format text|json]` (MONITORING.md
section 6): the same sweep as the daily Celery task, synchronously, for one date."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from monitoring.queries import open_signal_rows, vsv_student_numbers
from monitoring.services import run_daily_checks


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError("--today must be a date as YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Run the monitoring checks for a date and report the open signals and VSV."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=parse_day, default=None)
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, today=None, format="text", **options):
        day = today or timezone.localdate()
        result = run_daily_checks(today=day)
        signals = open_signal_rows()
        vsv = vsv_student_numbers()
        if format == "json":
            payload = {"date": day.isoformat(), "signals": signals, "vsv": vsv}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(
            f"Checks for {day.isoformat()}: {result.candidates} students checked, "
            f"{result.opened} opened, {result.reopened} reopened, {result.closed} closed, "
            f"{result.reassigned} reassigned."
        )
        self.stdout.write(f"Open signals: {len(signals)}; VSV: {len(vsv)}.")
        for row in signals:
            self.stdout.write(
                f"  {row['student_number']} {row['kind']} due {row['due_date']} ({row['assignee']})"
            )
