from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_registered = False


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Mijn Koers (studenten)")

    def ready(self):
        global _registered
        if _registered:
            return
        from django.contrib.auth.signals import user_logged_in

        from accounts.navigation import register_nav_item
        from accounts.policy import RIGHTS_REQUEST_ANSWER_ROLES
        from students.panels import register_student_panel, register_student_presence

        from . import retention
        from .models import Invitation, StudentAccount
        from .panels import student_invite_panel

        register_student_panel(95, student_invite_panel)
        register_student_presence("portal.accounts", StudentAccount)
        register_student_presence("portal.invitations", Invitation)
        register_nav_item(
            key="portal_requests",
            order=80,
            label=_("Verzoeken van studenten"),
            url_name="portal_staff:requests",
            roles=RIGHTS_REQUEST_ANSWER_ROLES,
        )
        retention.register()
        user_logged_in.connect(_mark_student_session, dispatch_uid="koers_portal_mark_session")
        _registered = True


def _mark_student_session(sender, request, user, **kwargs):
    # Any login (the portal's, the staff login, a test's force_login) marks a student
    # account's session, so the boundary middleware needs no query per request.
    from accounts.policy import student_account_of

    from .middleware import SESSION_KEY

    if request is None or not hasattr(request, "session"):
        return
    account = student_account_of(user)
    if account is not None:
        request.session[SESSION_KEY] = account.pk
    else:
        request.session.pop(SESSION_KEY, None)
