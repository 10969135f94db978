"""Input that no view can use is refused at the door, in the error contract: JSON {"message", "extra"}
under /api/, a short page with the message elsewhere.

- A NUL byte in the query string or a form field: PostgreSQL cannot store or even compare one in text
  ("A string literal cannot contain NUL"), so a filter like ?status=%00 would fail inside the query.
- Django's own refusals (SuspiciousOperation: a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields)
  reach `bad_request`, the root handler400, which answers 413 for a body too big.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape

NUL = "\x00"


def error_response(request, message: str, *, status: int = 400, extra: dict | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"message": message, "extra": extra or {}}, status=status)
    return HttpResponse(
        f"<!doctype html><title>Request refused</title><h1>Request refused</h1><p>{escape(message)}</p>"
        '<p><a href="/">Back to the start page</a></p>',
        status=status,
        content_type="text/html; charset=utf-8",
    )


def _nul_fields(request) -> list[str]:
    names = []
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or NUL in query:  # the only ways into a parsed field: most requests skip parsing
        names = [name for name, values in request.GET.lists() if NUL in name or any(NUL in v for v in values)]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        names += [
            name for name, values in request.POST.lists() if NUL in name or any(NUL in v for v in values)
        ]
    return sorted(set(names))


class RejectNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            fields = _nul_fields(request)
        except (RequestDataTooBig, TooManyFieldsSent) as exc:
            return bad_request(request, exc)
        if fields:
            return error_response(
                request,
                "Text may not contain NUL bytes",
                extra={"fields": {f.replace(NUL, "\\0"): ["NUL byte"] for f in fields}},
            )
        return self.get_response(request)


def bad_request(request, exception=None):
    """handler400: Django's refusals in the contract, 413 when the body is over the limit."""
    if isinstance(exception, RequestDataTooBig):
        from django.conf import settings

        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return error_response(
            request, f"The request body may be at most {limit} bytes", status=413, extra={"limit": limit}
        )
    if isinstance(exception, TooManyFieldsSent):
        return error_response(request, "Too many fields in the request", status=413)
    # Only BadRequest carries a message written for the user; other refusals stay generic.
    return error_response(request, str(exception) if isinstance(exception, BadRequest) else "Bad request")
