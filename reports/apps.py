from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Rapportages")

    def ready(self):
        from accounts.models import Role
        from accounts.navigation import register_nav_item

        register_nav_item(
            key="reports",
            order=90,
            label=_("Rapportages"),
            url_name="reports:dashboard",
            roles=[Role.SCHOOL_COORDINATOR, Role.REGIONAL_COORDINATOR],
        )
