from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_registered = False


class PlannerConfig(AppConfig):
    name = "planner"
    verbose_name = _("Kalender")

    def ready(self):
        # The top layer: it reads roadmap, referrals and the case table through its own
        # queries, and fills the registries of the layers below. Register once.
        global _registered
        if _registered:
            return
        from accounts.models import Role
        from accounts.navigation import register_nav_item
        from accounts.notifications import register_student_labels, remove_for_students
        from accounts.policy import NO_CALENDAR_ROLES, has_calendar
        from students.retention import register_retention_hook

        from .queries import visible_first_names

        register_nav_item(
            key="planner",
            order=35,
            label=_("Kalender"),
            url_name="planner:month",
            roles={role for role in Role if role not in NO_CALENDAR_ROLES},
            app_name="planner",
            when=has_calendar,
        )
        # Notifications (accounts) know students by id only: their first names come
        # from here, within the reader's scope, and they go with a removed student.
        register_student_labels(visible_first_names)
        register_retention_hook(remove_for_students)
        _registered = True
