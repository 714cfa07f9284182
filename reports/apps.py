from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_registered = False


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Rapportages")

    def ready(self):
        # ready() may run more than once: register the panel once.
        global _registered
        if _registered:
            return
        from accounts import policy
        from accounts.home import register_home_panel
        from accounts.navigation import register_nav_item

        from .panels import home_figures_panel

        register_home_panel(3, home_figures_panel)
        register_nav_item(
            key="reports",
            order=90,
            label=_("Rapportages"),
            url_name="reports:dashboard",
            roles=policy.REPORT_ROLES,
        )
        _registered = True
