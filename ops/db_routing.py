"""Read replicas: dashboards' and reports' reads go to DATABASE_REPLICA_URL, everything else to the primary.

A read goes to the replica only when all of these hold, and to the primary otherwise:

- the request's view is one of REPLICA_READ_VIEWS (dashboards and reports; the middleware marks it);
- the model is not one whose staleness matters for access or polling (users, sessions, keys, grants, jobs);
- no transaction is open on the primary (a read inside one must see that transaction's writes);
- this client wrote nothing in the last REPLICA_PIN_SECONDS (a cookie) nor earlier in this request;
- the replica answers and has replayed the primary's WAL up to where it stood when the request first read
  (waiting up to REPLICA_MAX_WAIT_MS). Without this, a reader whose cache missed just after another user's
  write would compute the aggregate from the lagging replica and store the pre-write figures under the
  cache version that the write had just bumped.

A replica that does not answer is skipped for REPLICA_RETRY_SECONDS; /readyz reports it (ops.health).
Outside a request (Celery tasks, management commands) every read goes to the primary.
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass
from fnmatch import fnmatchcase

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

REPLICA_DB_ALIAS = "replica"
PIN_COOKIE = "crewplan_primary_pin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
PRIMARY_ONLY_APPS = frozenset({"auth", "sessions", "authtoken", "contenttypes", "admin", "api", "ops"})
PRIMARY_ONLY_MODELS = frozenset({"accessgrant", "apikey"})  # wherever the access models live


@dataclass
class _RequestRouting:
    pinned: bool
    replica_view: bool = False
    wrote: bool = False
    alias: str | None = None  # decided at the request's first replica-eligible read


_request_routing: ContextVar[_RequestRouting | None] = ContextVar("crewplan_request_routing", default=None)
_replica_down_until = 0.0


def replica_reads_enabled() -> bool:
    return bool(getattr(settings, "DATABASE_REPLICA_READS", False)) and REPLICA_DB_ALIAS in settings.DATABASES


def _mark_replica_down(exc: BaseException) -> None:
    global _replica_down_until
    _replica_down_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS
    logger.warning("replica unavailable, reading from the primary: %s: %s", type(exc).__name__, exc)


def replica_caught_up() -> bool:
    """True when the replica answers and has replayed everything the primary had written at this moment."""
    if time.monotonic() < _replica_down_until:
        return False
    replica = connections[REPLICA_DB_ALIAS]
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            (primary_lsn,) = cursor.fetchone()
        replica.close_if_health_check_failed()
        deadline = time.monotonic() + settings.REPLICA_MAX_WAIT_MS / 1000
        with replica.cursor() as cursor:
            while True:
                cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [primary_lsn])
                if cursor.fetchone()[0]:
                    return True
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.005)
    except (OperationalError, InterfaceError) as exc:
        _mark_replica_down(exc)
        replica.close()
        return False


def replica_status() -> str:
    """For /readyz: "ok (lag N ms)" or raises what the replica raised."""
    with connections[REPLICA_DB_ALIAS].cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(),"
            " COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) * 1000, 0)"
        )
        in_recovery, lag_ms = cursor.fetchone()
    if not in_recovery:
        raise RuntimeError("DATABASE_REPLICA_URL names a server that is not a standby")
    return f"ok (last replayed transaction {float(lag_ms):.0f} ms ago)"


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        state = _request_routing.get()
        if state is None or not state.replica_view or state.pinned or state.wrote:
            return DEFAULT_DB_ALIAS
        meta = model._meta
        if meta.app_label in PRIMARY_ONLY_APPS or meta.model_name in PRIMARY_ONLY_MODELS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if state.alias is None:
            state.alias = REPLICA_DB_ALIAS if replica_caught_up() else DEFAULT_DB_ALIAS
        return state.alias

    def db_for_write(self, model, **hints):
        state = _request_routing.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _pinned(request) -> bool:
    try:
        until = int(request.COOKIES.get(PIN_COOKIE, "0"))
    except ValueError:
        return False
    now = time.time()
    return now < until <= now + settings.REPLICA_PIN_SECONDS  # a forged far-future pin is ignored


class ReplicaRoutingMiddleware:
    """Marks dashboard and report requests for the router, and pins a client that wrote to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_reads_enabled():
            return self.get_response(request)
        state = _RequestRouting(pinned=_pinned(request))
        token = _request_routing.set(state)
        try:
            response = self.get_response(request)
        finally:
            _request_routing.reset(token)
        wrote = state.wrote or (request.method not in SAFE_METHODS and response.status_code < 400)
        if wrote and settings.REPLICA_PIN_SECONDS > 0:
            response.set_cookie(
                PIN_COOKIE,
                str(int(time.time()) + settings.REPLICA_PIN_SECONDS),
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        state = _request_routing.get()
        match = getattr(request, "resolver_match", None)
        if state is not None and match is not None:
            name = match.url_name or ""
            state.replica_view = any(fnmatchcase(name, pattern) for pattern in settings.REPLICA_READ_VIEWS)
        return None
