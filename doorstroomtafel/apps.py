from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_registered = False


class DoorstroomtafelConfig(AppConfig):
    name = "doorstroomtafel"
    verbose_name = _("Doorstroomtafel")

    def ready(self):
        # monitoring never imports this app: the case table registers its own check with
        # the sweep, its panels with the pages, and its scope with the student queries.
        global _registered
        if _registered:
            return
        from accounts import policy
        from accounts.demo import register_seeder
        from accounts.navigation import register_nav_item
        from monitoring.sweep import register_check
        from students.queries import register_scope

        from .demo import seed_doorstroomtafel
        from .history import register_histories
        from .panels import register_panels
        from .queries import agenda_student_scope
        from .services import check_overdue_actions

        register_panels()
        register_histories()
        register_nav_item(
            key="doorstroomtafel",
            order=30,
            label=_("Doorstroomtafel"),
            url_name="doorstroomtafel:index",
            roles=policy.CASE_TABLE_PARTICIPANT_ROLES,
        )
        register_scope(agenda_student_scope)
        from monitoring.synthetic_models import register_synthetic_model

        from .models import AgendaItem, CaseTable, Meeting

        # The synthetic population puts a meeting with an agenda at every region's table.
        register_synthetic_model("agenda_item", AgendaItem)
        register_synthetic_model("case_table", CaseTable)
        register_synthetic_model("meeting", Meeting)
        from .queries import ACTION_OVERDUE_KIND

        # The case table's kind and label travel with the check that raises it.
        register_check(
            "doorstroomtafel_overdue_actions",
            check_overdue_actions,
            kinds={ACTION_OVERDUE_KIND: _("Actie Doorstroomtafel verlopen")},
        )
        # After monitoring's sweep (90): candidates come from the day's signals.
        register_seeder(95, seed_doorstroomtafel, name="doorstroomtafel")
        from .retention import register as register_retention

        register_retention()
        _registered = True
