"""django-oauth-toolkit's scope backend: a client gets only the scopes registered on
its ApiClient, whatever it asks for."""

from oauth2_provider.scopes import SettingsScopes


class ClientScopes(SettingsScopes):
    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        from accounts import policy

        every = super().get_available_scopes(application, request, *args, **kwargs)
        client = getattr(application, "api_client", None) if application is not None else None
        return policy.api_client_scopes(client, every)

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return self.get_available_scopes(application, request, *args, **kwargs)
