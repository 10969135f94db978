"""Cached aggregate reads at the cost of a bare view: a GET with an API key answered without DRF's request
handling, exactly as the DRF view answers it (same status, body, ETag, Cache-Control, Allow and Vary).

Why: through DRF a cached heatmap cost about three times the bare view that hands over the same cached
bytes (bench/load.py, bench/results/LOAD.md): DRF's Request, negotiation, authenticator, permission and
throttle objects, the query serializer, and four Redis round trips (key, grants, throttle, body). Here:

- one principal per API key, kept in this process: the key's record, its user and the user's department
  roles, good while the "access" namespace keeps the version they were read under (a key's create or
  revoke, any save of a user, a grant or a department change bumps it), and for at most
  API_KEY_CACHE_TTL_S, as long as the Redis-cached records they come from;
- the query validated once per distinct query string (the serializer's verdict only depends on it), and
  the read's parameters, cache key and ETag computed once per query, scope and date;
- one Redis round trip (ops.cache.read_round_trip): every namespace version, the throttle counter and
  the cached body, looked up under the versions this process saw last and used only when they are
  still the current ones (else the body is read again under the current versions);
- If-None-Match is answered 304 before the body is fetched or anything is serialised.

Everything else goes through the DRF view unchanged: another scheme than an API key, HEAD, a
precondition header, a query the serializer refuses, a department outside the caller's grants, a key
that is unknown, revoked or without the read scope, a user without a read role, a cache that is not
Redis or does not answer, and a caller over the throttle (handed over with the hit already counted, so
DRF answers the 429 and counts nothing twice).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from rest_framework.settings import api_settings

from api.authentication import KEYWORD, ApiKeyAuthentication
from api.conditional import conditional_read
from api.models import ApiKey
from api.permissions import READ_ROLES, RolePermission
from api.services import (
    API_KEY_CACHE_TTL_S,
    api_key_authenticate,
    api_key_matches,
    api_key_note_use,
    split_api_key,
)
from api.throttles import COUNTED_ATTRIBUTE, ScopedRateThrottle
from capacity.access import department_roles
from capacity.aggregates.common import CACHE_NAMESPACE, encoded_cache_key_parts
from capacity.selectors import department_subtree_ids
from ops import cache as ops_cache
from ops.etags import etag_for
from ops.throttle import parse_rate

READ_MAX_AGE_S = 30
PRINCIPALS_KEPT = 1024  # API keys remembered per process (least recently used dropped first)
_HANDED_OVER = ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_MODIFIED_SINCE")


def aggregate_etag(name: str, params: dict, versions: list[int]) -> str:
    """The validator of a cached aggregate: (name, params, today, the versions of the namespaces it reads).
    Today is part of it: default weeks and certificate expiry move with the date."""
    return etag_for([name, params, timezone.localdate(), *versions])


def json_response(text: str) -> HttpResponse:
    return HttpResponse(text, content_type="application/json")


@dataclass(frozen=True)
class _Principal:
    access_version: int
    good_until: float  # time.monotonic()
    key: ApiKey
    hashed_key: str
    roles: dict[int, str]
    may_read: bool  # RolePermission's verdict on a GET


_principals: OrderedDict[str, _Principal] = OrderedDict()  # by key prefix, which is never reused
_subtrees: OrderedDict[tuple, frozenset[int]] = OrderedDict()
_drf_headers: dict[type, dict[str, str]] = {}


_memo_lock = threading.Lock()  # gunicorn's sync workers have one thread; a threaded server has more


def _remember(store: OrderedDict, key, value) -> None:
    with _memo_lock:
        store[key] = value
        store.move_to_end(key)
        while len(store) > PRINCIPALS_KEPT:
            store.popitem(last=False)


def _load_principal(raw_key: str, prefix: str) -> _Principal | None:
    """The principal as DRF's authentication and RolePermission see it (through the same cached records),
    or None when the key is refused; kept for the next request."""
    key = api_key_authenticate(raw_key=raw_key)
    if key is None or not key.user.is_active:
        _principals.pop(prefix, None)
        return None
    roles = department_roles(key.user)
    may_read = "read" in key.scopes and (key.user.is_superuser or bool(set(roles.values()) & READ_ROLES))
    principal = _Principal(
        access_version=ops_cache.namespace_version("access"),
        good_until=time.monotonic() + API_KEY_CACHE_TTL_S,
        key=key,
        hashed_key=key.hashed_key,
        roles=roles,
        may_read=may_read,
    )
    _remember(_principals, prefix, principal)
    return principal


def _principal(raw_key: str) -> _Principal | None:
    parts = split_api_key(raw_key)
    if parts is None:
        return None
    principal = _principals.get(parts[0])
    if principal is None or time.monotonic() >= principal.good_until:
        return _load_principal(raw_key, parts[0])
    if not api_key_matches(principal.hashed_key, raw_key):
        return None
    api_key_note_use(principal.key)
    return principal


@lru_cache(maxsize=4096)
def _validated_query(serializer_class, query_string: str) -> dict | None:
    """The serializer's validated query, or None where the view answers 400 (an unknown parameter too)."""
    query = QueryDict(query_string)
    serializer = serializer_class(data=query)
    if set(query) - set(serializer.fields) or not serializer.is_valid():
        return None
    return dict(serializer.validated_data)


def _scope(principal: _Principal, department_id: int | None, include_children: bool) -> list[int] | None:
    """resolve_scope's answer from the principal's roles (None where it answers 404). The subtree is
    remembered per "access" version, which every change of the department tree bumps."""
    if department_id is None:
        return sorted(principal.roles)
    if department_id not in principal.roles:
        return None
    memo_key = (principal.access_version, department_id, include_children)
    subtree = _subtrees.get(memo_key)
    if subtree is None:
        subtree = frozenset(
            department_subtree_ids(department_ids=[department_id], include_children=include_children)
        )
        _remember(_subtrees, memo_key, subtree)
    return sorted(subtree & principal.roles.keys())


@dataclass(frozen=True)
class _ReadIdentity:
    """What names one cached read (its parameters, cache key and ETag), the same for every request with
    the same query, scope and date: computed once, not per request (about 40 us of a 1 ms read)."""

    params: dict
    key_parts: list
    digest: str
    etags: dict[int, str]  # by the namespace's version: one or two are live at a time

    def etag(self, name: str, version: int) -> str:
        tag = self.etags.get(version)
        if tag is None:
            if len(self.etags) >= 4:
                self.etags.clear()
            tag = self.etags[version] = aggregate_etag(name, self.params, [version])
        return tag


@lru_cache(maxsize=4096)
def _read_identity(view_class, query_string: str, department_ids: tuple[int, ...], today) -> _ReadIdentity:
    """`today` is part of the key: default weeks (and so the parameters, key and ETag) move with the date.
    The query is one `_validated_query` already accepted."""
    q = _validated_query(view_class.query_serializer, query_string)
    params = view_class.aggregate_params(q, list(department_ids))
    key_parts = encoded_cache_key_parts(view_class.aggregate_name, view_class.cache_params(**params))
    return _ReadIdentity(params, key_parts, ops_cache.entry_digest(key_parts), {})


def _answers_like_drf(view) -> bool:
    """The fast path reproduces these classes' verdicts; a view configured otherwise goes through DRF."""
    return (
        list(view.authentication_classes[:1]) == [ApiKeyAuthentication]
        and list(view.permission_classes) == [RolePermission]
        and list(view.throttle_classes) == [ScopedRateThrottle]
    )


class CachedAggregateRead:
    """Mix into an aggregate APIView that declares `query_serializer`, `aggregate_name`,
    `aggregate_params(q, department_ids)`, `cache_params(**params)` and `read(**params, encoded=True)`."""

    cached_fast_path = True  # as_view(cached_fast_path=False) serves the DRF path alone (bench/load_wsgi.py)

    def dispatch(self, request, *args, **kwargs):
        if self.cached_fast_path and request.method == "GET":
            response = self._answer_cached(request)
            if response is not None:
                return response
        return super().dispatch(request, *args, **kwargs)

    def _answer_cached(self, request) -> HttpResponse | None:
        header = request.META.get("HTTP_AUTHORIZATION", "").split()
        if len(header) != 2 or header[0].lower() != KEYWORD.lower() or not _answers_like_drf(self):
            return None
        if any(name in request.META for name in _HANDED_OVER):
            return None
        q = _validated_query(self.query_serializer, request.META.get("QUERY_STRING", ""))
        if q is None:
            return None
        try:
            principal = _principal(header[1])
        except Exception:  # noqa: BLE001 - the cache does not answer: DRF's path degrades gracefully
            return None
        if principal is None or not principal.may_read:
            return None
        department_ids = _scope(principal, q.get("department"), q.get("include_children", True))
        if department_ids is None:
            return None
        identity = _read_identity(
            type(self), request.META.get("QUERY_STRING", ""), tuple(department_ids), timezone.localdate()
        )
        params = identity.params
        throttle = self._throttle(principal)
        revalidating = "HTTP_IF_NONE_MATCH" in request.META
        try:
            trip = ops_cache.read_round_trip(
                throttle=throttle,
                namespace=CACHE_NAMESPACE,
                key_parts=None if revalidating else identity.key_parts,
                key_digest=identity.digest,
            )
        except Exception:  # noqa: BLE001 - as above
            return None
        if trip is None:
            return None
        if trip.versions.get("access") != principal.access_version or CACHE_NAMESPACE not in trip.versions:
            return self._hand_over(request, principal, throttle, trip)
        if trip.throttle_wait is not None:
            return self._hand_over(request, principal, throttle, trip)
        request.user = principal.key.user  # as DRF leaves it, for the request log
        etag = identity.etag(self.aggregate_name, trip.versions[CACHE_NAMESPACE])
        text = trip.entry_text
        response = conditional_read(
            request,
            None,
            etag=etag,
            max_age=READ_MAX_AGE_S,
            response_factory=lambda _: json_response(
                text if text is not None else self.read(**params, encoded=True)
            ),
        )
        return self._as_drf_finalises(response)

    def _throttle(self, principal: _Principal) -> tuple | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.throttle_scope)
        if rate is None:
            return None
        limit, window_s = parse_rate(rate)
        return (self.throttle_scope, f"user:{principal.key.user.pk}", limit, window_s)

    def _hand_over(self, request, principal: _Principal, throttle, trip) -> None:
        """DRF answers this one. A principal read under an older "access" version is read again (and
        remembered for the next request); the hit counted in the round trip counts for DRF's throttle, or
        is taken back when the key no longer passes (DRF refuses such a request before its throttle)."""
        try:
            if trip.versions.get("access") != principal.access_version:
                fresh = _load_principal(request.META["HTTP_AUTHORIZATION"].split()[1], principal.key.prefix)
                if fresh is None or not fresh.may_read:
                    if throttle is not None:
                        ops_cache.throttle_uncount(trip.throttle_key)
                    return None
        except Exception:  # noqa: BLE001 - the cache stopped answering: DRF's path degrades gracefully
            pass
        if throttle is not None:
            setattr(request, COUNTED_ATTRIBUTE, ((throttle[0], throttle[1]), trip.throttle_wait))
        return None

    def _as_drf_finalises(self, response: HttpResponse) -> HttpResponse:
        headers = _drf_headers.get(type(self))
        if headers is None:  # Allow and Vary depend on the class alone (its methods and renderers)
            headers = _drf_headers[type(self)] = self.default_response_headers
        headers = dict(headers)
        vary = headers.pop("Vary", None)
        if vary is not None:
            patch_vary_headers(response, [vary])
        for name, value in headers.items():
            response[name] = value
        return response
