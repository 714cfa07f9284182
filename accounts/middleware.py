SESSION_KEY = "koers_active_membership"


class ActiveMembershipMiddleware:
    """Acts for a user in the membership they chose (stored in the session)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user.set_active_membership(request.session.get(SESSION_KEY))
        return self.get_response(request)
