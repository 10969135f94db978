"""The one domain error. The API's exception handler turns it into {"message", "extra"} with a 4xx."""

from __future__ import annotations


class ApplicationError(Exception):
    """A request the domain refuses: bad input, a conflict, a missing precondition.

    `status` is the HTTP status the API answers with (400 unless a more precise one fits: 404, 409,
    412, 413, 428, 503).
    """

    def __init__(self, message: str, *, extra: dict | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        self.status = status
