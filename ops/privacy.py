"""Responses are not stored by browsers or proxies unless a view chose its own caching: pages, exports
(CSV, iCalendar), people and jobs hold personal data, and a shared computer's back button or disk cache
must not show them to the next user. Conditional reads (ETag, `private, max-age`) set their own header
and keep it."""

from __future__ import annotations

from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
