from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DoorstroomtafelConfig(AppConfig):
    name = "doorstroomtafel"
    verbose_name = _("Doorstroomtafel")
