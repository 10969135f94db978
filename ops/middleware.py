"""One log line per request: method, path, status, duration and the user id (no other personal data)."""

from __future__ import annotations

import logging
import time

logger = logging.getLogger("crewplan.requests")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        logger.info(
            "method=%s path=%s status=%s duration_ms=%.1f user_id=%s",
            request.method,
            request.path,
            response.status_code,
            (time.monotonic() - started) * 1000,
            user_id,
        )
        return response
