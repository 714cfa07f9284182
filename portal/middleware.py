"""The boundary of a student account: it reaches the portal and nothing else.

Every other page answers 404 to a student account (as to anyone outside a record's
scope), whatever that page would decide itself; the decision is
`accounts.policy.student_account_may_open`. Whether the signed-in user is a student
account is read once per session (portal.apps marks the session at login), so staff
pages cost no extra query.
"""

import logging

from django.http import Http404

from accounts import policy

SESSION_KEY = "koers_portal_account"
logger = logging.getLogger("koers.security")


class StudentAccountBoundaryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.resolver_match is None:
            return None
        if not request.session.get(SESSION_KEY):
            return None
        match = request.resolver_match
        if policy.student_account_may_open(match.view_name, match.namespace):
            return None
        raise Http404("Not a page for a student account")
