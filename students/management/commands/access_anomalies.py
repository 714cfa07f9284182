"""`manage.py access_anomalies [--day YYYY-MM-DD] [--baseline-days 28] [--factor 3]`: users
who opened far more student files on a day than their own usual (from the access log).

Usual is the user's mean of files opened per day over the baseline period before the day
(days without any opened as zero). Flagged: more than `factor` times that mean and at
least `--minimum` files. Users and counts only: no student names.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from students.models import AccessLog


def anomalies(*, day, baseline_days=28, factor=3.0, minimum=20):
    start = day - timedelta(days=baseline_days)
    rows = (
        AccessLog.objects.filter(
            action=AccessLog.Action.VIEW_STUDENT, at__date__gte=start, at__date__lte=day
        )
        .annotate(day=TruncDate("at"))
        .values("user_id", "day")
        .annotate(files=Count("student_id", distinct=True))
    )
    per_user = defaultdict(lambda: {"today": 0, "before": 0})
    for row in rows:
        bucket = "today" if row["day"] == day else "before"
        per_user[row["user_id"]][bucket] += row["files"]
    found = []
    for user_id, counts in per_user.items():
        usual = counts["before"] / baseline_days
        if counts["today"] >= minimum and counts["today"] > factor * usual:
            found.append((user_id, counts["today"], round(usual, 1)))
    return sorted(found, key=lambda item: -item[1])


class Command(BaseCommand):
    help = "List users who opened far more student files than their own usual."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="the day to look at (YYYY-MM-DD), default today")
        parser.add_argument("--baseline-days", type=int, default=28)
        parser.add_argument("--factor", type=float, default=3.0)
        parser.add_argument("--minimum", type=int, default=20)

    def handle(self, *args, day=None, baseline_days=28, factor=3.0, minimum=20, **options):
        try:
            on = date.fromisoformat(day) if day else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--day: {error}") from error
        found = anomalies(day=on, baseline_days=baseline_days, factor=factor, minimum=minimum)
        for user_id, files, usual in found:
            self.stdout.write(f"user {user_id}\t{files} files on {on}\tusual {usual}/day")
        self.stdout.write(f"{len(found)} user(s) above their usual")
