"""django-csp's middleware, with the policy built once instead of on every response.

Why: django-csp 4.0 rebuilds both headers (the policy and the report-only one) from the settings for every
response: two `dataclasses.asdict` and two `build_policy`, 56 us a request on this machine (measured
8 December), about 5% of a cached API read. Where nothing of the request or the response changes the
policy (no nonce asked for, no `csp_update`/`csp_replace`/`csp_exempt` decorator), the headers are a
function of the settings alone: they are built once per process (again after a settings change, which
only tests make) and set exactly as django-csp sets them. Anything else goes through django-csp itself.
`ops/tests/test_content_security.py` compares the two, response for response.
"""

from __future__ import annotations

import http.client
from functools import lru_cache

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt",
    "_csp_exempt_ro",
)
_DEBUG_PAGES = (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND)


@lru_cache(maxsize=1)
def _settings_headers() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(header, policy, excluded path prefixes) for each header the settings ask for."""
    headers = []
    for header, setting, report_only in (
        (HEADER, "CONTENT_SECURITY_POLICY", False),
        (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
    ):
        policy = build_policy(report_only=report_only)
        if policy:
            config = getattr(settings, setting, None) or {}
            headers.append((header, policy, tuple(config.get("EXCLUDE_URL_PREFIXES", None) or ())))
    return tuple(headers)


@receiver(setting_changed)
def _forget_headers(*, setting: str, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _settings_headers.cache_clear()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in _PER_RESPONSE
        ):
            return super().process_response(request, response)
        if response.status_code in _DEBUG_PAGES and settings.DEBUG:
            return response
        for header, policy, excluded in _settings_headers():
            if header not in response and not request.path_info.startswith(excluded):
                response[header] = policy
        # as django-csp does: a nonce asked for after the header is written is an error, not a silent gap
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
