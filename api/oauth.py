"""Scopes per calling system: a client is granted only the scopes it was registered with."""

from oauth2_provider.scopes import SettingsScopes


class ClientScopes(SettingsScopes):
    """django-oauth-toolkit's scopes backend, narrowed to the application's ``ApiClient.scopes``; a token
    asked for without a scope carries all of them."""

    def _client_scopes(self, application) -> list[str]:
        client = getattr(application, "api_client", None)
        return list(client.scopes) if client is not None else []

    def get_available_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        return [
            scope for scope in super().get_available_scopes() if scope in self._client_scopes(application)
        ]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        return self.get_available_scopes(application, request)
