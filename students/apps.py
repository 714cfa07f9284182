from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "students"
    verbose_name = _("Studenten")

    def ready(self):
        from .panels import register_home_panels

        register_home_panels()
