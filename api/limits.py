"""Request limits shared by every endpoint: 413 naming the limit, 400 for unknown query parameters."""

from __future__ import annotations

from collections.abc import Iterable

from ops.errors import ApplicationError

PAGINATION_PARAMS = frozenset({"page", "page_size"})


def reject_unknown_query_params(request, allowed: Iterable[str]) -> None:
    """400 when the query string names a parameter the endpoint does not know (a typo must not be ignored)."""
    allowed = set(allowed)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ApplicationError(
            f"Unknown query parameter(s): {', '.join(unknown)}",
            extra={"unknown": unknown, "allowed": sorted(allowed)},
        )


def require_at_most(name: str, received: int, limit: int) -> None:
    """413 when a request asks for more than `limit` (rows, weeks, items), naming the limit."""
    if received > limit:
        raise ApplicationError(
            f"{name} may be at most {limit}",
            extra={"limit": limit, "received": received, "parameter": name},
            status=413,
        )
