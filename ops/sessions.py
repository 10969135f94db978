"""Django's session middleware with an idle clock: a signed-in session ends SESSION_COOKIE_AGE after its
last request (and, with SESSION_EXPIRE_AT_BROWSER_CLOSE, when the browser closes).

Django's own way, SESSION_SAVE_EVERY_REQUEST, writes the session row on every request; here a request
renews the session only when the last renewal is TOUCH_INTERVAL_S old, so the clock is exact to a minute
and a busy page costs no write. Saving must not turn a database outage's 503 into a 500 either."""

from __future__ import annotations

import time

from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import DatabaseError, InterfaceError

from ops.unavailable import database_unavailable, database_unavailable_response, log_database_unavailable

TOUCH_INTERVAL_S = 60
LAST_SEEN_KEY = "ops.last_seen"


class SessionMiddleware(DjangoSessionMiddleware):
    def process_response(self, request, response):
        try:
            _touch(getattr(request, "session", None))
            return super().process_response(request, response)
        except (DatabaseError, InterfaceError) as exc:
            if not database_unavailable(exc):
                raise
            log_database_unavailable(exc, request.path)
            return database_unavailable_response(request)


def _touch(session) -> None:
    """Mark a session in use as modified once a minute, so saving it moves its expiry on."""
    if session is None or not session.accessed or session.is_empty():
        return
    now = int(time.time())
    if now - int(session.get(LAST_SEEN_KEY, 0)) >= TOUCH_INTERVAL_S:
        session[LAST_SEEN_KEY] = now
