"""Scoped throttles counted in the shared cache (Redis in production), so limits hold across processes.

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], each overridable by THROTTLE_<SCOPE> in the
environment; a refused request answers 429 with Retry-After (set by DRF from `wait()`)."""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle as DrfScopedRateThrottle

from ops.cache import rate_hit

# On a Django request: ((scope, ident), wait) of a throttle hit counted before DRF saw the request
COUNTED_ATTRIBUTE = "_crewplan_counted_throttle"


class ScopedRateThrottle(DrfScopedRateThrottle):
    """DRF's scoped throttle with an atomic fixed-window counter instead of a read-modify-write list."""

    def get_rate(self):
        # Read the rates per request, not once at import, so settings overrides (and tests) take effect.
        rates = api_settings.DEFAULT_THROTTLE_RATES
        if self.scope not in rates:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(f"No throttle rate set for scope {self.scope!r}")
        return rates[self.scope]

    def allow_request(self, request, view):
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        ident = (
            f"user:{request.user.pk}"
            if request.user and request.user.is_authenticated
            else (f"ip:{self.get_ident(request)}")
        )
        counted = getattr(getattr(request, "_request", request), COUNTED_ATTRIBUTE, None)
        if counted is not None and counted[0] == (self.scope, ident):
            # api/capacity/aggregates/cached_reads.py counted this request and handed it over: count it once
            self._wait = counted[1]
        else:
            self._wait = rate_hit(self.scope, ident, self.num_requests, int(self.duration))
        return self._wait is None

    def wait(self):
        return getattr(self, "_wait", None)
