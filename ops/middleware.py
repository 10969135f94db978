"""Per request: one log line (method, path, status, duration, user id — no other personal data), the
latency histogram, and for slow requests a warning with the query count, at most once a minute per path."""

from __future__ import annotations

import logging
import time

from django.db import connection

from ops.metrics import REQUEST_SECONDS

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


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        queries = _QueryCounter()
        with connection.execute_wrapper(queries):
            response = self.get_response(request)
        elapsed = time.monotonic() - started
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
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
