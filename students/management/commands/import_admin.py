"""`manage.py import_admin`: import administration files (INTERFACES.md section 1).

All or nothing: any error prints every error as FILE:LINE: column: reason on standard
error and exits 1; a wrong command line exits 2; a clean run prints its notice lines
and then one line per file. With --institution NAME it acts for that institution only
(INTERFACES.md 1, "Acting for one institution"); without, for the whole system.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation, OrganisationKind
from students import importing
from students.importing.batches import log_refusals


class Command(BaseCommand):
    help = "Import students, enrolments, qualifications, employment and guardians from CSV files."

    def add_arguments(self, parser):
        for kind in importing.KINDS:
            parser.add_argument(f"--{kind}", metavar=f"{kind}.csv", help=f"the {kind} file")
        parser.add_argument(
            "--institution",
            metavar="NAME",
            help="act for this institution (a school's name) only",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="validate and report the counts without writing anything",
        )

    def handle(self, *args, dry_run=False, institution=None, **options):
        institution_id = None
        if institution is not None:
            institution_id = (
                Organisation.objects.filter(
                    kind=OrganisationKind.SCHOOL, name__iexact=institution.strip()
                )
                .values_list("pk", flat=True)
                .first()
            )
            if institution_id is None:
                raise CommandError("--institution: not a school in Koers", returncode=2)
        files = {}
        for kind in importing.KINDS:
            given = options.get(kind)
            if not given:
                continue
            path = Path(given)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(
                    f"cannot read --{kind} {path.name}: {exc.strerror}", returncode=2
                ) from None
            files[kind] = (path.name, data)
        if not files:
            raise CommandError(
                "give at least one of " + ", ".join(f"--{kind}" for kind in importing.KINDS),
                returncode=2,
            )

        result = importing.validate(files, institution_id=institution_id)
        log_refusals(result, user_id=None, where="import_admin")
        if not result.ok:
            for issue in result.errors:
                self.stderr.write(str(issue), style_func=lambda text: text)
            self.stderr.flush()
            sys.exit(1)

        if dry_run:
            outcome = importing.plan(result)
        else:
            try:
                outcome = importing.apply(result, actor=None, source="import")
            except importing.ImportConflict:
                self.stderr.write(
                    "a record changed while importing; nothing was changed, run the import again",
                    style_func=lambda text: text,
                )
                sys.exit(1)
        for notice in result.notices:
            self.stdout.write(str(notice))
        for line in outcome.summary_lines:
            self.stdout.write(line)
