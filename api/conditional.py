"""Conditional requests on top of Django's own machinery (django.utils.cache).

Reads: `conditional_read` sets ETag, Last-Modified and `Cache-Control: private, max-age=N`, and answers
304 to a matching If-None-Match / If-Modified-Since (If-None-Match wins when both are sent, per RFC 9110).
Writes: `require_if_match` answers 428 when the precondition is missing and 412 when it is stale.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from rest_framework.response import Response

from ops.errors import ApplicationError
from ops.etags import etag_for, strong_tags, version_etag, version_in_header  # noqa: F401 - re-exported

DEFAULT_MAX_AGE_S = 30


def conditional_read(
    request,
    payload,
    *,
    etag: str | None = None,
    last_modified: datetime | None = None,
    max_age: int = DEFAULT_MAX_AGE_S,
    response_factory: Callable = Response,
    personal: bool = False,
):
    """The response for a read: 304 when the client's copy is current, else the payload, with validators.

    `personal`: the payload is about people (a person, their leave, a grant): `private, no-store`, so no
    browser keeps it on disk; the ETag still serves If-Match and If-None-Match."""
    etag = etag or etag_for(payload)
    last_modified_ts = int(last_modified.timestamp()) if last_modified is not None else None
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified_ts)
    response = not_modified if not_modified is not None else response_factory(payload)
    response["ETag"] = etag
    if last_modified_ts is not None:
        response["Last-Modified"] = http_date(last_modified_ts)
    if personal:
        patch_cache_control(response, private=True, no_store=True)
    else:
        patch_cache_control(response, private=True, max_age=max_age)
    if not_modified is not None and not_modified.status_code == 412:
        # If-Match / If-Unmodified-Since on a read: keep the one error contract.
        raise ApplicationError("Precondition failed", extra={"etag": etag}, status=412)
    return response


def require_if_match(request, current_etag: str, *, required: bool = True) -> None:
    """Refuse a write whose If-Match does not name the current version (412), or lacks one (428)."""
    header = request.headers.get("If-Match")
    if not header:
        if required:
            raise ApplicationError(
                "This write needs an If-Match header with the ETag you read",
                extra={"header": "If-Match", "etag": current_etag},
                status=428,
            )
        return
    tags = strong_tags(header)
    if "*" in tags:
        if required:  # "*" matches any version: where a write must name the one it read, it names none
            raise ApplicationError(
                "This write needs If-Match with the ETag you read; * names no version",
                extra={"header": "If-Match", "etag": current_etag},
                status=428,
            )
        return
    if current_etag not in tags:
        raise ApplicationError(
            "The resource changed since you read it; read it again and retry",
            extra={"header": "If-Match", "etag": current_etag},
            status=412,
        )


def etag_version(request, kind: str, pk: int) -> int | None:
    """The version named by If-Match for a versioned object, or None when absent or not one of ours."""
    return version_in_header(request.headers.get("If-Match"), kind, pk)
