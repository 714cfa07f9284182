"""A view names the scope it needs (`required_scope`); a token without it is a 403.

Authentication comes first, so a call without a valid token is a 401. Which records a
client may see is decided by the scoped queries (404 outside), not here."""

import logging

from rest_framework.permissions import BasePermission

from accounts import policy

logger = logging.getLogger("koers.security")


class HasClientScope(BasePermission):
    message = "Het token heeft niet de scope die deze bewerking vraagt."

    def has_permission(self, request, view):
        token = request.auth
        if token is None or not request.user or not request.user.is_authenticated:
            return False
        required = getattr(view, "required_scope", None)
        allowed = policy.api_token_allows(token, required)
        if not allowed:
            logger.warning(
                "refused api call %s %s: scope %s missing for application %s",
                request.method,
                request.path_info,
                required,
                token.application_id,
            )
        return allowed
