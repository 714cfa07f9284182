from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self):
        from .panels import register_panels

        register_panels()
        from students.history import register_history

        from .models import Signal, SignalEvent

        register_history(
            SignalEvent,
            record_model=lambda entry: Signal,
            fields=lambda entry: {"closed_reason": entry.reason, "assignee": entry.assignee},
        )

        from accounts.demo import register_seeder

        from .demo import seed_signals

        # After every app's data (roadmap 30, referrals 40, ...).
        register_seeder(90, seed_signals, name="monitoring")
        from .retention import register as register_retention

        register_retention()
