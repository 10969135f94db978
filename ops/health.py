"""/healthz says the process answers; /readyz checks the database, the cache and the broker."""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from ops.db_routing import replica_reads_enabled, replica_status

logger = logging.getLogger(__name__)


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    probe = f"readyz:{uuid.uuid4().hex}"
    cache.set(probe, 1, timeout=5)
    if cache.get(probe) != 1:
        raise RuntimeError("cache did not return what was written")
    cache.delete(probe)


def _check_broker() -> None:
    from django.conf import settings

    from ops.celery import app

    with app.connection_for_write(url=settings.CELERY_BROKER_URL, connect_timeout=1) as conn:
        conn.ensure_connection(max_retries=1, timeout=1)
        client = getattr(conn.default_channel, "client", None)
        if client is not None:  # Redis connects lazily: make it answer
            client.ping()


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


def _failure(exc: BaseException) -> str:
    # the library names the failing service: "redis.ConnectionError", "psycopg.OperationalError"
    cause = exc.__cause__ if exc.__cause__ is not None else exc
    return f"failed: {type(cause).__module__.split('.')[0]}.{type(cause).__name__}"


def _replica_outcome() -> str | None:
    """The read replica, reported but not fatal: while it is down the dashboards read the primary."""
    if not replica_reads_enabled():
        return None
    try:
        return replica_status()
    except Exception as exc:  # a replica that fails is reported, never a 500
        logger.warning("readiness check replica failed: %s", exc)
        return f"{_failure(exc)}; reads use the primary"


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # any failure of a dependency means "not ready", never a 500
            logger.warning("readiness check %s failed: %s", name, exc)
            results[name] = _failure(exc)
    failed = [name for name, outcome in results.items() if outcome != "ok"]
    replica = _replica_outcome()
    if replica is not None:
        results["replica"] = replica
    if failed:
        return JsonResponse(
            {"status": "unavailable", "message": f"Not ready: {', '.join(failed)}", "checks": results},
            status=503,
        )
    if replica is not None and not replica.startswith("ok"):
        message = "The read replica is down; reads use the primary"
        return JsonResponse({"status": "degraded", "message": message, "checks": results})
    return JsonResponse({"status": "ok", "checks": results})
