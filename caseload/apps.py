from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseloadConfig(AppConfig):
    name = "caseload"
    verbose_name = _("Caseload")

    def ready(self):
        from accounts.navigation import register_nav_item
        from accounts.policy import CASELOAD_COORDINATOR_ROLES, CASELOAD_MENTOR_ROLES
        from students.demo import register_seeder

        from .demo import seed_groups

        # After the students (20) and before the signals (90): no history, demo only.
        register_seeder(25, seed_groups, name="caseload")
        register_nav_item(
            key="caseload_mentor",
            order=15,
            label=_("Mijn klas"),
            url_name="caseload:mine",
            roles=CASELOAD_MENTOR_ROLES,
        )
        register_nav_item(
            key="caseload_school",
            order=15,
            label=_("Caseloads"),
            url_name="caseload:school",
            roles=CASELOAD_COORDINATOR_ROLES,
        )
