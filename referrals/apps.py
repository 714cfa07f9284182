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
        from accounts import policy
        from accounts.demo import register_seeder
        from accounts.home import register_home_panel
        from accounts.models import Role
        from accounts.navigation import register_nav_item
        from accounts.policy import may_see_flexservice_results
        from monitoring.sweep import register_check
        from students.panels import (
            register_disclosure_sections,
            register_student_panel,
            register_student_presence,
        )

        from .demo import seed_referrals
        from .flexservice.demo import seed_flexservice
        from .flexservice.history import register_histories as register_flex_histories
        from .flexservice.panels import home_desk_panel
        from .history import register_histories
        from .models import Section
        from .panels import (
            home_inbox_panel,
            home_sent_panel,
            inbox_presence,
            sent_in_progress,
            student_referrals_panel,
            student_shared_panel,
        )
        from .reminders import referral_reminders

        register_histories()
        register_flex_histories()
        register_nav_item(
            key="referrals",
            order=25,
            label=_("Verwijzingen"),
            url_name="referrals:list",
            roles=policy.REFERRAL_PARTICIPANT_ROLES,
        )
        # Every page of this app shares one app name; only the referrals item is marked
        # as the current one.
        register_nav_item(
            key="intake_desk",
            order=26,
            label=_("Instroomloket"),
            url_name="referrals:queue",
            roles=(Role.INTAKE_DESK,),
            app_name="referrals-flex",
        )
        register_nav_item(
            key="flexservice_results",
            order=27,
            label=_("Resultaten Flexservice"),
            url_name="referrals:results",
            roles=policy.FLEXSERVICE_RESULTS_ROLES,
            app_name="referrals-flex",
            when=may_see_flexservice_results,
        )
        register_disclosure_sections({s.value: s.label for s in Section})
        register_student_panel(60, student_referrals_panel)
        # Partners see a student from the acceptance of a referral on, and then only what
        # it shared (accounts.policy): the scope for the list and page, the panel for what.
        from accounts.policy import partner_student_scope, register_policy_model
        from students.queries import register_scope

        from .models import Referral

        # The policy's partner scope, documents and shared notes read the referrals.
        register_policy_model("referral", Referral)
        from monitoring.synthetic_models import register_synthetic_model

        # The synthetic population refers some of its adults to the Doorstroompunt.
        register_synthetic_model("referral", Referral)
        register_scope(partner_student_scope)
        register_student_panel(5, student_shared_panel, shared=True)
        from .models import MaatwerkTrajectory, Referral

        register_student_presence("referrals.referrals", Referral)
        register_student_presence("referrals.trajectories", MaatwerkTrajectory)
        register_home_panel(12, home_inbox_panel, presence=inbox_presence)
        register_home_panel(14, home_desk_panel)
        register_home_panel(40, home_sent_panel, presence=sent_in_progress)
        from .reminders import RECEIVER_KIND, SENDER_KIND

        # The reminders' kinds and labels travel with the check that raises them.
        register_check(
            "referral_reminders",
            referral_reminders,
            kinds={
                SENDER_KIND: _("Verwijzing wacht op antwoord (verstuurd)"),
                RECEIVER_KIND: _("Verwijzing wacht op uw antwoord"),
            },
        )
        register_seeder(40, seed_referrals, name="referrals")
        register_seeder(41, seed_flexservice, name="flexservice")
        from .flexservice.retention import register as register_flex_retention
        from .retention import register as register_retention

        register_retention()
        register_flex_retention()
        _registered = True
