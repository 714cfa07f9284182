"""`manage.py retention [--dry-run] [--today YYYY-MM-DD]`: pseudonymise the students whose
retention period ended (students/retention.py). The dry run lists them and changes nothing."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from students.retention import apply_retention


class Command(BaseCommand):
    help = "Remove personal data of students whose retention period ended."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list, change nothing")
        parser.add_argument("--today", help="the date to run for (YYYY-MM-DD)")

    def handle(self, *args, dry_run=False, today=None, **options):
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError as error:
            raise CommandError(f"--today: {error}") from error
        due = apply_retention(today=day, dry_run=dry_run)
        for item in due:
            # The public id only: no name or BSN on a terminal or in a log.
            self.stdout.write(f"{item.public_id}\t{item.reason}")
        verb = "would be pseudonymised" if dry_run else "pseudonymised"
        self.stdout.write(f"{len(due)} student(s) {verb}")
