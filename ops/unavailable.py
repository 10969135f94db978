"""A database that cannot be reached answers 503 (with Retry-After), never a 500 with a traceback.

psycopg reports a lost or refused connection (a restart, a failover, too many clients) as
OperationalError or InterfaceError; Django's connection handling reconnects on the next request
(CONN_HEALTH_CHECKS), so the web processes recover by themselves. Query errors (ProgrammingError,
IntegrityError, DataError) are bugs and stay 500s.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger("crewplan.requests")
RETRY_AFTER_S = 5
MESSAGE = "The database is unavailable; try again shortly."


def database_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, (OperationalError, InterfaceError))


def log_database_unavailable(exc: BaseException, path: str) -> None:
    first_line = (str(exc).strip().splitlines() or [""])[0]
    logger.warning("database unavailable path=%s error=%s: %s", path, exc.__class__.__name__, first_line)


def database_unavailable_response(request) -> HttpResponse:
    """The web's 503: JSON in the API's {"message", "extra"} contract under /api/, a short page elsewhere."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"message": MESSAGE, "extra": {"retryable": True}}, status=503)
    else:
        response = HttpResponse(
            f"<!doctype html><title>Service unavailable</title><h1>Service unavailable</h1><p>{MESSAGE}</p>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response
