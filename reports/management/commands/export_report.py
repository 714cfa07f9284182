"""python manage.py export_report NAME --format csv|xlsx --school-year 2026 [--region R] --output FILE

Aggregate reports only (suppressed as on the page); the person-level list needs a
logged-in user and is exported from the dashboard. Every run writes the access log.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Region
from reports import exports
from reports.db import report_transaction
from reports.figures import REPORTS, all_tables
from reports.scope import scope_for_command
from students.models import AccessLog
from students.services import access_log


class Command(BaseCommand):
    help = "Export a report (or 'alles') as CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("name", choices=[*REPORTS, "alles"])
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--school-year", type=int, required=True)
        parser.add_argument("--region", default="")
        parser.add_argument("--output", required=True)

    def handle(self, *args, name, format, school_year, region, output, **options):
        try:
            scope = scope_for_command(school_year=school_year, region_name=region)
        except Region.DoesNotExist:
            raise CommandError(f"Unknown region: {region}") from None
        with report_transaction():
            tables = all_tables(scope) if name == "alles" else REPORTS[name](scope)
        heading = f"Koers · {scope.describe()}"
        if format == "csv":
            with open(output, "w", encoding="utf-8", newline="") as handle:
                for line in exports.tables_csv_lines(tables, heading=heading):
                    handle.write(line)
        else:
            with open(output, "wb") as handle:
                handle.write(exports.tables_xlsx(tables, heading=heading))
        access_log(
            user=None,
            action=AccessLog.Action.EXPORT,
            detail=f"rapportage {name} {format} (commandoregel): {scope.describe()}",
        )
        self.stdout.write(f"{name}: {sum(len(t.rows) for t in tables)} rows -> {output}")
