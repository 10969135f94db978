"""Bump the "access" namespace whenever an API key or a user changes (grants and the department tree:
capacity/signals.py).

Services bump explicitly too (and must, for bulk writes that send no signals); these receivers catch
the writes that go through the ORM one row at a time elsewhere (admin, factories, the demo loader)."""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from api.models import ApiKey
from ops.cache import bump


@receiver([post_save, post_delete], sender=ApiKey, dispatch_uid="api_api_key_changed")
@receiver([post_save, post_delete], sender=settings.AUTH_USER_MODEL, dispatch_uid="api_user_changed")
def key_or_user_changed(**kwargs) -> None:
    # API keys and their users are cached for authentication (api.services.api_key_authenticate); a
    # revoke or a user who loses is_active or is_superuser must take effect on the next request.
    if kwargs.get("update_fields") == frozenset({"last_login"}):
        return  # a sign-in changes nothing authentication reads
    bump("access")
