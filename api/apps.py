from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API voor andere systemen")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save

        from accounts.demo import register_seeder
        from doorstroomtafel.models import ActionItem  # noqa: F401 (loaded for the sweep)
        from monitoring.models import Signal
        from monitoring.sweep import register_check
        from referrals.models import ReferralEvent

        from . import schema  # noqa: F401 (OpenAPI extensions)
        from .demo import seed_api_clients
        from .notifications import on_referral_event, on_signal_saved, sweep_notifications

        post_save.connect(
            on_referral_event, sender=ReferralEvent, dispatch_uid="api.notify.referral"
        )
        post_save.connect(on_signal_saved, sender=Signal, dispatch_uid="api.notify.signal")
        register_check("api_notifications", sweep_notifications)
        register_seeder(99, seed_api_clients, name="api")

    def print_demo_accounts(self, stdout):
        """Called by `seed_demo --accounts-only` (and after seeding): the demo clients."""
        from .demo import print_clients

        print_clients(stdout)
