"""Per request: one log line (method, path, status, duration, user id — no other personal data), the
latency histogram, and for slow requests a warning with the query count, at most once a minute per path.
A view that loses the database answers 503 (ops.unavailable), not a 500 with a traceback."""

from __future__ import annotations

import logging
import time

from django.db import connection
from django.utils.functional import SimpleLazyObject, empty

from ops.cache import request_scope as cache_request_scope
from ops.metrics import REQUEST_SECONDS
from ops.unavailable import database_unavailable, database_unavailable_response, log_database_unavailable

logger = logging.getLogger("crewplan.requests")
SLOW_REQUEST_S = 0.5
SLOW_LOG_INTERVAL_S = 60.0
_last_slow_log: dict[str, float] = {}


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _user_id(request) -> int | None:
    # Only a user the request already loaded: a log line must not query the session (nor fail when the
    # database has just gone away).
    user = request.__dict__.get("user")
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None
    return user.pk if user.is_authenticated else None


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        queries = _QueryCounter()
        with connection.execute_wrapper(queries), cache_request_scope():
            response = self.get_response(request)
        elapsed = time.monotonic() - started
        user_id = _user_id(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match and match.view_name else "unmatched"
        REQUEST_SECONDS.labels(view, request.method, str(response.status_code)).observe(elapsed)
        logger.info(
            "method=%s path=%s status=%s duration_ms=%.1f user_id=%s",
            request.method,
            request.path,
            response.status_code,
            elapsed * 1000,
            user_id,
        )
        if elapsed > SLOW_REQUEST_S:
            now = time.monotonic()
            if now - _last_slow_log.get(view, -SLOW_LOG_INTERVAL_S) >= SLOW_LOG_INTERVAL_S:
                _last_slow_log[view] = now
                logger.warning(
                    "slow request view=%s path=%s duration_ms=%.1f queries=%d",
                    view,
                    request.path,
                    elapsed * 1000,
                    queries.count,
                )
        return response

    def process_exception(self, request, exception):
        if database_unavailable(exception):
            log_database_unavailable(exception, request.path)
            return database_unavailable_response(request)
        return None
