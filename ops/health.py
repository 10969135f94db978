"""/healthz says the process answers; /readyz checks the database, the cache and the broker."""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

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
            # the library names the failing service: "redis.ConnectionError", "psycopg.OperationalError"
            cause = exc.__cause__ if exc.__cause__ is not None else exc
            results[name] = f"failed: {type(cause).__module__.split('.')[0]}.{type(cause).__name__}"
    failed = [name for name, outcome in results.items() if outcome != "ok"]
    if failed:
        return JsonResponse(
            {"status": "unavailable", "message": f"Not ready: {', '.join(failed)}", "checks": results},
            status=503,
        )
    return JsonResponse({"status": "ok", "checks": results})
