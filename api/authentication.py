"""API-key authentication: `Authorization: Api-Key cp_<prefix>_<secret>`.

Sessions (the web pages) are the other scheme. DRF's tokens are retired: they were stored in clear
(api/migrations/0002 drops their table); API keys are stored hashed and can be scoped and revoked."""

from __future__ import annotations

from rest_framework import authentication, exceptions

from api.services import api_key_authenticate

KEYWORD = "Api-Key"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != KEYWORD.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid API key header: expected 'Api-Key <key>'")
        key = api_key_authenticate(raw_key=header[1])
        if key is None or not key.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key")
        return key.user, key

    def authenticate_header(self, request) -> str:
        return KEYWORD
