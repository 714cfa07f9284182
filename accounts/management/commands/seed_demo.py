"""Load the demo data: every account of INTERFACES.md section 3 and a believable student
population for both regions, plus whatever the apps registered (accounts.demo)."""

from datetime import date

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoContext, run_seeders


class Command(BaseCommand):
    help = "Create the demo accounts and data set (idempotent; refuses when DEBUG is off)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="run even when DEBUG is off (never in production)"
        )
        parser.add_argument(
            "--today", type=date.fromisoformat, help="seed as if today were YYYY-MM-DD"
        )
        parser.add_argument(
            "--accounts-only",
            action="store_true",
            help="only print the demo logins, change nothing",
        )

    def handle(self, *args, force=False, today=None, accounts_only=False, **options):
        if accounts_only:
            self.print_accounts()
            return
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password: it runs only with "
                "DEBUG on, or with --force on a demo server."
            )
        ctx = DemoContext(today=today or timezone.localdate())
        run_seeders(ctx)
        if options["verbosity"] >= 1:
            for message in ctx.messages:
                self.stdout.write(message)
            self.print_accounts()

    def print_accounts(self):
        width = max(len(account.email) for account in DEMO_ACCOUNTS)
        self.stdout.write("")
        self.stdout.write(f"Demo logins, all with the password: {DEMO_PASSWORD}")
        for account in DEMO_ACCOUNTS:
            if account.listed:
                self.stdout.write(f"  {account.email:<{width}}  {account.description}")
        extra = ", ".join(a.email for a in DEMO_ACCOUNTS if not a.listed)
        self.stdout.write(f"  also: {extra}")
        self.stdout.write("  /beheer/ is the Django admin (admin@koers.demo)")
        # Later apps print their own demo credentials (e.g. the API's clients).
        for app_config in apps.get_app_configs():
            printer = getattr(app_config, "print_demo_accounts", None)
            if printer is not None:
                printer(self.stdout)
