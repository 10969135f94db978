"""Writes of the api app: API keys. Access grants are written by capacity.access."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from api.models import ApiKey
from ops import audit
from ops.cache import cached
from ops.errors import ApplicationError

KEY_PREFIX_LEN = 8
KEY_SECRET_BYTES = 32
LAST_USED_RESOLUTION = timedelta(minutes=1)
# never the hash: the trail says which key changed, not how to forge it
AUDITED_KEY_FIELDS = ("user", "name", "prefix", "scopes", "revoked_at")


def _hash_key(raw_key: str) -> str:
    # API keys are 256 random bits, so one SHA-256 round is as strong as a slow password hash here.
    return hashlib.sha256(raw_key.encode()).hexdigest()


def split_api_key(raw_key: str) -> tuple[str, str] | None:
    """("prefix", "secret") of a key like cp_<prefix>_<secret>, or None when it is not one of ours."""
    parts = raw_key.split("_", 2)  # the secret is base64url and may itself hold "_"
    if len(parts) != 3 or parts[0] != "cp" or len(parts[1]) != KEY_PREFIX_LEN or not parts[2]:
        return None
    return parts[1], parts[2]


@transaction.atomic
def api_key_create(*, user, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """Create a key; returns it with the raw key, which is shown this once and never stored."""
    unknown = sorted(set(scopes) - set(ApiKey.Scope.values))
    if not scopes or unknown:
        raise ApplicationError(
            "scopes must be a non-empty list of read, write",
            extra={"fields": {"scopes": unknown or ["required"]}},
        )
    prefix = secrets.token_hex(KEY_PREFIX_LEN // 2)
    while ApiKey.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(KEY_PREFIX_LEN // 2)
    raw_key = f"cp_{prefix}_{secrets.token_urlsafe(KEY_SECRET_BYTES)}"
    key = ApiKey.objects.create(
        user=user, name=name, prefix=prefix, hashed_key=_hash_key(raw_key), scopes=sorted(set(scopes))
    )
    audit.record(action="api_key_create", obj=key, after=audit.snapshot(key, AUDITED_KEY_FIELDS))
    return key, raw_key


@transaction.atomic
def api_key_revoke(*, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        before = audit.snapshot(key, AUDITED_KEY_FIELDS)
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.record(
            action="api_key_revoke", obj=key, before=before, after=audit.snapshot(key, AUDITED_KEY_FIELDS)
        )
    return key


def api_key_authenticate(*, raw_key: str) -> ApiKey | None:
    """The live key matching raw_key (found by prefix, compared in constant time), its last use recorded.

    The key and its user come from the "access" cache namespace (a key's create or revoke, and any save
    of a user, bump it; entries also expire after API_KEY_CACHE_TTL_S), so an authenticated read costs
    no query. Its last use is written at most once a minute per key and process."""
    parts = split_api_key(raw_key)
    if parts is None:
        return None
    record = cached("access", ["api-key", parts[0]], API_KEY_CACHE_TTL_S, lambda: _live_key_record(parts[0]))
    if record is None or not api_key_matches(record["hashed_key"], raw_key):
        return None
    key = _key_from_record(record)
    api_key_note_use(key)
    return key


def api_key_matches(hashed_key: str, raw_key: str) -> bool:
    return hmac.compare_digest(hashed_key, _hash_key(raw_key))


def api_key_note_use(key: ApiKey) -> None:
    """Record the key's last use: at most one write a minute per key (and process), however busy."""
    now = timezone.now()
    last_write = _last_used_written.get(key.prefix)
    if last_write is None or now - last_write >= LAST_USED_RESOLUTION:
        _last_used_written[key.prefix] = now
        ApiKey.objects.filter(pk=key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
    key.last_used_at = now


API_KEY_CACHE_TTL_S = 60
_USER_FIELDS = ("username", "email", "first_name", "last_name", "is_active", "is_staff", "is_superuser")
_last_used_written: dict[str, datetime] = {}  # by prefix, which is never reused


def _live_key_record(prefix: str) -> dict | None:
    key = ApiKey.objects.select_related("user").filter(prefix=prefix, revoked_at__isnull=True).first()
    if key is None:
        return None
    user = {field: getattr(key.user, field) for field in _USER_FIELDS if hasattr(key.user, field)}
    return {
        "id": key.pk,
        "name": key.name,
        "prefix": key.prefix,
        "hashed_key": key.hashed_key,
        "scopes": key.scopes,
        "user": {"id": key.user.pk, **user},
    }


def _key_from_record(record: dict) -> ApiKey:
    user = get_user_model()(**record["user"])
    user._state.adding = False
    user._state.db = "default"
    key = ApiKey(
        id=record["id"],
        name=record["name"],
        prefix=record["prefix"],
        hashed_key=record["hashed_key"],
        scopes=record["scopes"],
        user=user,
    )
    key._state.adding = False
    key._state.db = "default"
    return key
