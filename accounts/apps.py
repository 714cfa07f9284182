from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Gebruikers en organisaties")

    def ready(self):
        # Login, logout and deactivation signals that keep the session table honest.
        # The demo registry and the accounts' own seeder (manage.py seed_demo).
        from . import (
            demo,  # noqa: F401
            security,  # noqa: F401
        )
