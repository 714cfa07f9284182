from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_registered = False


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Verwijzingen en Flexservice")

    def ready(self):
        # students, monitoring and accounts compose what apps register; none imports
        # referrals. ready() may run more than once: register once.
        global _registered
        if _registered:
            return
        from accounts.home import register_home_panel
        from monitoring.sweep import register_check
        from students.demo import register_seeder
        from students.panels import register_disclosure_sections, register_student_panel

        from .demo import seed_referrals
        from .models import Section
        from .panels import (
            home_desk_panel,
            home_inbox_panel,
            home_sent_panel,
            student_referrals_panel,
        )
        from .reminders import referral_reminders

        register_disclosure_sections({s.value: s.label for s in Section})
        register_student_panel(60, student_referrals_panel)
        register_home_panel(12, home_inbox_panel)
        register_home_panel(14, home_desk_panel)
        register_home_panel(40, home_sent_panel)
        register_check("referral_reminders", referral_reminders)
        register_seeder(40, seed_referrals, name="referrals")
        _registered = True
