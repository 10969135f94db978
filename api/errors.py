"""The one error contract: every 4xx body is {"message": ..., "extra": {...}}."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from api.parsers import body_too_large
from ops.errors import ApplicationError
from ops.integrity import conflict
from ops.unavailable import MESSAGE, RETRY_AFTER_S, database_unavailable, log_database_unavailable


def _django_validation_extra(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {
            "fields": {field: [m for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
        }
    return {"errors": exc.messages}


def exception_handler(exc, context):
    if database_unavailable(exc):  # a restart or failover, not a bug: 503, and the client may retry
        log_database_unavailable(exc, context["request"].path if context.get("request") else "")
        response = Response({"message": MESSAGE, "extra": {"retryable": True}}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_S)
        return response
    if isinstance(exc, ApplicationError):
        response = Response({"message": exc.message, "extra": exc.extra}, status=exc.status)
        if exc.status == 429 and "retry_after_seconds" in (exc.extra or {}):
            response["Retry-After"] = str(exc.extra["retry_after_seconds"])
        return response
    if isinstance(exc, IntegrityError):  # a service that did not name the conflict: still no database text
        exc = conflict(exc)
        return Response({"message": exc.message, "extra": exc.extra}, status=exc.status)
    if isinstance(exc, RequestDataTooBig):
        exc = body_too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return Response({"message": exc.message, "extra": exc.extra}, status=exc.status)
    if isinstance(exc, SuspiciousOperation):
        return Response({"message": "Bad request", "extra": {}}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        return Response(
            {"message": "Validation error", "extra": _django_validation_extra(exc)},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        extra = {"fields": detail} if isinstance(detail, dict) else {"errors": detail}
        response.data = {"message": "Validation error", "extra": extra}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        extra = {}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            extra["retry_after_seconds"] = int(exc.wait + 0.999)
        response.data = {"message": str(detail), "extra": extra}
    return response


@csrf_exempt  # a 404 for any method: there is nothing here for CSRF to protect
def api_not_found(request, *args, **kwargs):
    """Every /api/ path that matches no endpoint (an unknown path, or an id that is not a positive
    integer) answers 404 in the contract, not Django's HTML page."""
    return JsonResponse({"message": "Not found.", "extra": {"path": request.path}}, status=404)
