from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_registered = False


class RoadmapConfig(AppConfig):
    name = "roadmap"
    verbose_name = _("Route naar succes (Entree)")

    def ready(self):
        # The student's page and the start page compose panels that each app owns, so
        # students never imports roadmap. ready() may run more than once: register once.
        global _registered
        if _registered:
            return
        from accounts.demo import register_seeder
        from accounts.home import register_home_panel
        from students.panels import register_student_panel

        from .demo import seed_roadmap
        from .panels import home_route_panel, student_route_panel

        register_student_panel(30, student_route_panel)
        from students.models import Enrolment, Level
        from students.panels import register_student_presence

        from .models import ContactMoment

        register_student_presence("roadmap.entree_enrolments", Enrolment, level=Level.ENTREE)
        register_student_presence("roadmap.contact_moments", ContactMoment)
        register_home_panel(20, home_route_panel)
        register_seeder(30, seed_roadmap, name="roadmap")
        from .retention import register as register_retention

        register_retention()
        from students.history import register_history

        from .models import AbaStep, AbaStepChange

        register_history(AbaStepChange, record_model=lambda entry: AbaStep)
        _registered = True
