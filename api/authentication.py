"""Who calls: an OAuth 2 access token (client credentials) of an active ApiClient.

The request then acts as the client's service account, whose one membership is the
client's organisation and role: `Student.objects.visible_to`, the policy predicates and
the access log see an ordinary member of that organisation. Each call is counted against
the client's rate limit (accounts.security.over_rate_limit, kind "api"), and the
client's last use is kept (to the minute) for the functional administrator.
"""

import logging
from datetime import timedelta

from django.utils import timezone
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions

from accounts import policy
from accounts.security import over_rate_limit

logger = logging.getLogger("koers.security")

LAST_USED_RESOLUTION = timedelta(minutes=1)


class ClientAuthentication(OAuth2Authentication):
    www_authenticate_realm = "koers"

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is None:
            return None
        _user, token = found
        client = getattr(token.application, "api_client", None)
        if not policy.api_client_may_act(client):
            logger.warning(
                "refused api token of application %s: no active client", token.application_id
            )
            raise exceptions.AuthenticationFailed("inactive client")
        user = client.user
        if over_rate_limit(user=user, kind="api"):
            logger.warning("rate limit api passed by api client %s", client.pk)
            raise exceptions.Throttled()
        now = timezone.now()
        if client.last_used_at is None or now - client.last_used_at >= LAST_USED_RESOLUTION:
            type(client).objects.filter(pk=client.pk).update(last_used_at=now)
            client.last_used_at = now
        user.api_client_cached = client
        return user, token
