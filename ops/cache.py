"""The cache toolkit: the only module that calls Django's cache API.

- Versioned namespaces: every key of a namespace embeds the namespace's current version, so `bump(ns)`
  makes all of them stale at once (no KEYS, no flushdb: old entries simply expire on their TTL).
- `cached(ns, key_parts, ttl, compute)`, and `cached_json` which answers the stored JSON text: JSON
  values only (stored as JSON text on every backend, so the embedded local-memory cache behaves like
  Redis and nothing is ever pickled); single-flight on a miss (one process computes a cold key under a
  `cache.add` lock while the others wait briefly for its value); graceful degradation (a cache error
  never fails a request: compute, log a warning, count it).
- Hit, miss and error counters per namespace, kept in the cache itself so `stats()` (and the
  `cache_stats` command) read them across processes. They are buffered per process and flushed at most
  once a second, so a cached read costs two cache round trips, not three.
- `rate_hit(...)`: an atomic fixed-window counter for the API throttles, so limits hold across processes.
- `read_round_trip(...)`: the hot path of a cached read on Redis in one round trip (a pipeline): every
  namespace version, a throttle window's count and a cached entry under the versions this process saw last.

Namespaces in use: "capacity", "access", "forecast", "roster".
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import cache, caches
from django.db import transaction

from ops.metrics import CACHE_EVENTS

T = TypeVar("T")
logger = logging.getLogger("crewplan.cache")

NAMESPACES = ("capacity", "access", "forecast", "roster")
COUNTERS = ("hits", "misses", "errors")
LOCK_TTL_S = 30  # a computing process that dies releases its lock after this long
WAIT_FOR_OTHER_S = 2.0  # how long a process waits for another to fill a cold key before computing itself
WAIT_STEP_S = 0.02
FLUSH_INTERVAL_S = 1.0
_OUTCOME = {"hits": "hit", "misses": "miss", "errors": "error"}  # the Prometheus label of each counter

_pending: dict[tuple[str, str], int] = {}
_pending_lock = threading.Lock()
_last_flush = time.monotonic()


def _version_key(namespace: str) -> str:
    return f"ns:{namespace}:version"


def _counter_key(namespace: str, counter: str) -> str:
    return f"stats:{namespace}:{counter}"


def entry_digest(key_parts: Iterable) -> str:
    """The part of an entry's key that its key parts make (a caller that reads the same entry often may
    keep it: read_round_trip's `key_digest`)."""
    return hashlib.sha1(
        json.dumps(list(key_parts), sort_keys=True, default=str, separators=(",", ":")).encode()
    ).hexdigest()


def _entry_key(namespace: str, version: int, key_parts: Iterable, digest: str | None = None) -> str:
    return f"c:{namespace}:{version}:{digest or entry_digest(key_parts)}"


def entry_key_parts(key_parts: Iterable, also_versions: dict[str, int] | None = None) -> list:
    """The key parts an entry is stored under: a value read from other namespaces too carries their
    versions, so a bump of any of them makes it stale."""
    key_parts = list(key_parts)
    if also_versions:
        key_parts.append(also_versions)
    return key_parts


def _fresh_version() -> int:
    # A version that was lost (eviction, restart) restarts above every version handed out before it,
    # so an entry written under an old version can never be read again.
    return int(time.time() * 1000)


# --- counters ---------------------------------------------------------------------------------------------


def _count(namespace: str, counter: str, n: int = 1) -> None:
    # Prometheus sees every event at once (in this process's samples); the cross-process counters that
    # `stats()` reads are buffered and flushed to the cache at most once a second.
    CACHE_EVENTS.labels(namespace, _OUTCOME[counter]).inc(n)
    with _pending_lock:
        _pending[(namespace, counter)] = _pending.get((namespace, counter), 0) + n
    if time.monotonic() - _last_flush >= FLUSH_INTERVAL_S:
        _flush_counters()


def _flush_counters() -> None:
    global _last_flush
    with _pending_lock:
        pending = dict(_pending)
        _pending.clear()
        _last_flush = time.monotonic()
    failed: dict[tuple[str, str], int] = {}
    for (namespace, counter), n in pending.items():
        key = _counter_key(namespace, counter)
        try:
            if not cache.add(key, n, timeout=None):
                cache.incr(key, n)
        except ValueError:  # expired between add and incr
            try:
                cache.add(key, n, timeout=None)
            except Exception:  # noqa: BLE001 - counters must never fail a request
                failed[(namespace, counter)] = n
        except Exception:  # noqa: BLE001
            failed[(namespace, counter)] = n
    if failed:  # keep them for the next flush, when the cache may be back
        with _pending_lock:
            for k, n in failed.items():
                _pending[k] = _pending.get(k, 0) + n


def stats() -> dict:
    """Per-namespace hits, misses and errors, summed over every process that shares the cache."""
    _flush_counters()
    keys = {_counter_key(ns, c): (ns, c) for ns in NAMESPACES for c in COUNTERS}
    try:
        stored = cache.get_many(list(keys))
    except Exception as exc:  # noqa: BLE001
        logger.warning("cache unavailable reading stats: %s", exc)
        stored = {}
        with _pending_lock:  # at least report what this process saw
            local = dict(_pending)
        return {ns: {c: local.get((ns, c), 0) for c in COUNTERS} for ns in NAMESPACES}
    result = {ns: dict.fromkeys(COUNTERS, 0) for ns in NAMESPACES}
    for key, (ns, counter) in keys.items():
        result[ns][counter] = int(stored.get(key) or 0)
    return result


# --- versions -------------------------------------------------------------------------------------------


_request_versions: ContextVar[dict[str, int] | None] = ContextVar("crewplan_cache_versions", default=None)
# The versions this process read last: where read_round_trip looks for an entry before it knows the
# current ones (a guess that is right until the next bump).
_last_seen_versions: dict[str, int] = {}


@contextmanager
def request_scope():
    """Within a request, read each namespace's version from the cache once (a permission check, an ETag
    and a cached read then agree on one version and cost one round trip, not three). A bump in the same
    request drops the remembered version, so the request's own writes are never read stale."""
    token = _request_versions.set({})
    try:
        yield
    finally:
        _request_versions.reset(token)


def namespace_version(namespace: str) -> int:
    """The namespace's current version. Raises the cache's error when the cache is unreachable."""
    memo = _request_versions.get()
    if memo is not None:
        if not memo:
            # The request's first look: every namespace's version in one round trip (MGET).
            stored = cache.get_many([_version_key(ns) for ns in NAMESPACES])
            memo.update(
                {ns: int(stored[_version_key(ns)]) for ns in NAMESPACES if _version_key(ns) in stored}
            )
            _last_seen_versions.update(memo)
        if namespace in memo:
            return memo[namespace]
    key = _version_key(namespace)
    version = cache.get(key)
    if version is None:
        cache.add(key, _fresh_version(), timeout=None)
        version = cache.get(key)
    if memo is not None:
        memo[namespace] = int(version)
    return int(version)


def _bump_now(namespaces: tuple[str, ...]) -> None:
    memo = _request_versions.get()
    for namespace in namespaces:
        if memo is not None:
            memo.pop(namespace, None)
        key = _version_key(namespace)
        try:
            try:
                cache.incr(key)
            except ValueError:  # no version yet: start one above anything handed out before
                if not cache.add(key, _fresh_version(), timeout=None):
                    cache.incr(key)
        except Exception as exc:  # noqa: BLE001 - a write must not fail because the cache is down
            logger.warning("cache unavailable: could not bump %s: %s", namespace, exc)
            _count(namespace, "errors")


def bump(*namespaces: str) -> None:
    """Make every key of these namespaces stale.

    Inside a transaction it bumps at once AND again on commit: a reader that computed from pre-commit
    data between the two bumps stored its value under the intermediate version, which the second bump
    leaves behind.
    """
    for namespace in namespaces:
        if namespace not in NAMESPACES:
            raise ValueError(f"unknown cache namespace {namespace!r}; known: {', '.join(NAMESPACES)}")
    _bump_now(namespaces)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump_now(namespaces))


# --- cached reads -----------------------------------------------------------------------------------------


def _encode(value) -> str:
    return json.dumps(value, separators=(",", ":"), default=_refuse)


def _refuse(obj):
    raise TypeError(f"ops.cache stores JSON values only, not {type(obj).__name__}")


def cached(
    namespace: str, key_parts: Iterable, ttl: int, compute: Callable[[], T], *, also: tuple[str, ...] = ()
) -> T:
    """The cached value of `compute()` under (namespace version, key_parts), computed once per miss.

    JSON-able values only; what comes back from a hit is what `json.loads` gives (tuples become lists).
    A value read from several namespaces names the others in `also`: their versions join the key, so a
    bump of any of them makes it stale (hits and misses count under `namespace`).
    """
    value, encoded = _lookup(namespace, key_parts, ttl, compute, also)
    return json.loads(encoded) if value is _NOT_COMPUTED else value


def cached_json(
    namespace: str,
    key_parts: Iterable,
    ttl: int,
    compute: Callable[[], object],
    *,
    also: tuple[str, ...] = (),
) -> str:
    """Like `cached`, but answers the JSON text itself, so a view can send the stored bytes as they are
    (no decode and re-encode on a hit)."""
    value, encoded = _lookup(namespace, key_parts, ttl, compute, also)
    return encoded if encoded is not None else _encode(value)


_NOT_COMPUTED = object()


def _lookup(
    namespace: str, key_parts: Iterable, ttl: int, compute: Callable[[], T], also: tuple[str, ...] = ()
) -> tuple:
    """(value, encoded): value is _NOT_COMPUTED on a hit; encoded is None when the cache was bypassed."""
    for name in (namespace, *also):
        if name not in NAMESPACES:
            raise ValueError(f"unknown cache namespace {name!r}")
    try:
        key_parts = entry_key_parts(key_parts, {name: namespace_version(name) for name in also})
        key = _entry_key(namespace, namespace_version(namespace), key_parts)
        stored = cache.get(key)
    except Exception as exc:  # noqa: BLE001
        logger.warning("cache unavailable for %s, computing uncached: %s", namespace, exc)
        _count(namespace, "errors")
        return compute(), None
    if stored is not None:
        _count(namespace, "hits")
        return _NOT_COMPUTED, stored

    _count(namespace, "misses")
    lock_key = f"lock:{key}"
    token = uuid.uuid4().hex
    try:
        have_lock = cache.add(lock_key, token, timeout=LOCK_TTL_S)
    except Exception as exc:  # noqa: BLE001
        logger.warning("cache unavailable locking %s, computing uncached: %s", namespace, exc)
        _count(namespace, "errors")
        return compute(), None

    if not have_lock:
        deadline = time.monotonic() + WAIT_FOR_OTHER_S
        while time.monotonic() < deadline:
            time.sleep(WAIT_STEP_S)
            try:
                stored = cache.get(key)
            except Exception:  # noqa: BLE001
                break
            if stored is not None:
                return _NOT_COMPUTED, stored
        # The other process is slow or gone: compute ourselves rather than fail or wait longer.

    value = compute()
    encoded = _encode(value)
    try:
        cache.set(key, encoded, timeout=ttl)
        if have_lock and cache.get(lock_key) == token:
            cache.delete(lock_key)
    except Exception as exc:  # noqa: BLE001
        logger.warning("cache unavailable storing %s: %s", namespace, exc)
        _count(namespace, "errors")
    return value, encoded


# --- throttle counters --------------------------------------------------------------------------------------


def rate_hit(scope: str, ident: str, limit: int, window_s: int) -> float | None:
    """Count one request in the current fixed window; None if allowed, else seconds until the next window.

    The count is an atomic increment in the shared cache, so the limit holds across processes. When the
    cache is unreachable the request is allowed (and a warning logged): a throttle must not take the API
    down with it.
    """
    now = time.time()
    window = int(now // window_s)
    key = f"throttle:{scope}:{ident}:{window}"
    try:
        # Increment first: in a busy window the key exists, and this is the one round trip.
        try:
            count = cache.incr(key)
        except ValueError:  # the window's first request (or its key just expired)
            count = 1 if cache.add(key, 1, timeout=window_s + 1) else cache.incr(key)
    except Exception as exc:  # noqa: BLE001
        logger.warning("cache unavailable for throttle %s, allowing: %s", scope, exc)
        return None
    if count <= limit:
        return None
    return max((window + 1) * window_s - now, 0.001)


@dataclass(frozen=True)
class RoundTrip:
    """What read_round_trip read: the current versions, the throttle's verdict (None: allowed, else
    seconds until the next window, as rate_hit answers) and the counter it bumped, and the entry's JSON
    text as cached_json answers it (None when it is not stored under the current versions)."""

    versions: dict[str, int]
    throttle_wait: float | None
    throttle_key: str | None
    entry_text: str | None


def _redis_client():
    """The redis-py client behind the cache, or None when the cache is not django-redis."""
    backend = caches["default"]  # `cache` is a proxy to it
    if not type(backend).__module__.startswith("django_redis"):
        return None
    return backend.client.get_client(write=True)


def read_round_trip(
    *,
    throttle: tuple[str, str, int, int] | None,
    namespace: str,
    key_parts: Iterable | None,
    also: tuple[str, ...] = (),
    key_digest: str | None = None,
) -> RoundTrip | None:
    """One Redis round trip (a pipeline) for a cached read: MGET of every namespace version; with
    `throttle` = (scope, ident, limit, window_s) one request counted in the window (SET NX with the
    window's expiry, then INCR: the key, value and expiry rate_hit keeps); and the entry cached_json
    stored for `key_parts` (None: no entry) under the versions this process saw last, answered only
    when those are still the current ones. `key_digest`: entry_digest(key_parts), when the caller kept it
    (only without `also`, whose versions are part of the digest).

    The versions read become the request's (as namespace_version would have read them). None when the
    cache is not Redis; a connection error is raised to the caller, which falls back to the usual path.
    """
    client = _redis_client()
    if client is None:
        return None
    names = (namespace, *also)
    guess = {name: _last_seen_versions.get(name) for name in names}
    entry = None
    if key_parts is not None and None not in guess.values():
        parts = entry_key_parts(key_parts, {name: guess[name] for name in also})
        entry = cache.make_key(_entry_key(namespace, guess[namespace], parts, None if also else key_digest))
    now = time.time()
    pipe = client.pipeline(transaction=False)
    pipe.mget([cache.make_key(_version_key(ns)) for ns in NAMESPACES])
    counter = None
    if throttle is not None:
        scope, ident, limit, window_s = throttle
        window = int(now // window_s)
        counter = cache.make_key(f"throttle:{scope}:{ident}:{window}")
        pipe.set(counter, 0, ex=window_s + 1, nx=True)
        pipe.incr(counter)
    if entry is not None:
        pipe.get(entry)
    results = pipe.execute()
    versions = {ns: int(v) for ns, v in zip(NAMESPACES, results[0], strict=True) if v is not None}
    _last_seen_versions.update(versions)
    memo = _request_versions.get()
    if memo is not None:
        memo.update(versions)
    wait = None
    if throttle is not None and results[2] > limit:
        wait = max((window + 1) * window_s - now, 0.001)
    text = None
    if entry is not None and all(versions.get(name) == guess[name] for name in names):
        stored = results[-1]
        text = None if stored is None else cache.client.decode(stored)
        if text is not None:
            _count(namespace, "hits")
    return RoundTrip(versions, wait, counter, text)


def throttle_uncount(counter: str) -> None:
    """Take back the request read_round_trip counted (by its RoundTrip.throttle_key) for a caller the
    usual path then refuses before its throttle (a key revoked meanwhile), so the count is rate_hit's."""
    client = _redis_client()
    if client is not None:
        client.decr(counter)


def clear_local_counters() -> None:
    """Forget this process's unflushed counters (tests that assert on exact counts)."""
    with _pending_lock:
        _pending.clear()


# --- introspection for operators (python manage.py cache_stats) ------------------------------------------


def backend_report(*, scan_limit: int = 200_000) -> dict:
    """Entry counts per namespace (current version and older ones) and Redis memory.

    Counting walks this deployment's keys with SCAN (never KEYS: it does not block Redis), stopping after
    `scan_limit` keys; on the local-memory cache only the statistics are available.
    """
    from django.conf import settings

    report: dict = {"backend": cache.__class__.__name__, "namespaces": {}, "memory": None, "scanned": 0}
    if not getattr(settings, "REDIS_URL", None):
        return report
    from django_redis import get_redis_connection

    client = get_redis_connection("default")
    prefix = f"{settings.CACHE_KEY_PREFIX}:"
    versions = {}
    for ns in NAMESPACES:
        try:
            versions[ns] = namespace_version(ns)
        except Exception:  # noqa: BLE001
            versions[ns] = None
    counts = {ns: {"current": 0, "stale": 0} for ns in NAMESPACES}
    scanned = 0
    for raw in client.scan_iter(match=f"{prefix}*:c:*", count=1000):
        scanned += 1
        if scanned > scan_limit:
            report["truncated"] = True
            break
        parts = raw.decode().split(":c:", 1)[1].split(":")
        if len(parts) >= 2 and parts[0] in counts:
            which = "current" if str(versions.get(parts[0])) == parts[1] else "stale"
            counts[parts[0]][which] += 1
    info = client.info("memory")
    report.update(
        namespaces=counts,
        scanned=min(scanned, scan_limit),
        memory={k: info.get(k) for k in ("used_memory_human", "used_memory_peak_human", "maxmemory_policy")},
    )
    return report
