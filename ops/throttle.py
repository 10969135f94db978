"""The API's scoped rates, for callers outside DRF (the pages' forms): the same rate, the same counter.

A page that starts a solve or a retrain counts in the same window as the API (`throttle:<scope>:user:<id>`
in ops.cache), so a planner cannot go around the API's limit by posting the form instead."""

from __future__ import annotations

from django.conf import settings

from ops.cache import rate_hit

PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'30/min' -> (30, 60), as DRF reads it (the period's first letter)."""
    count, _, period = rate.partition("/")
    return int(count), PERIOD_SECONDS[period[0]]


def user_rate_wait(scope: str, user) -> float | None:
    """Count one request of `user` in `scope`; None when allowed, else seconds until the next window."""
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get(scope)
    if rate is None:
        return None
    limit, window = parse_rate(rate)
    return rate_hit(scope, f"user:{user.pk}", limit, window)
