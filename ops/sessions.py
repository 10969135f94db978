"""Django's session middleware, made safe for the idle clock (SESSION_SAVE_EVERY_REQUEST): saving the
session after every request must not turn a database outage's 503 into a 500."""

from __future__ import annotations

from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import DatabaseError, InterfaceError

from ops.unavailable import database_unavailable, database_unavailable_response, log_database_unavailable


class SessionMiddleware(DjangoSessionMiddleware):
    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except (DatabaseError, InterfaceError) as exc:
            if not database_unavailable(exc):
                raise
            log_database_unavailable(exc, request.path)
            return database_unavailable_response(request)
