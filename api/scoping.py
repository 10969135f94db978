"""Department scoping in the API: the request's roles looked up once, objects outside the caller's
departments answered 404 (so ids cannot be probed), a role too weak answered 403 (DRF's PermissionDenied).
Which roles a user holds is capacity/access.py's to say."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import Http404
from rest_framework.exceptions import PermissionDenied

# Role resolution is the capacity domain's (capacity/access.py); re-exported for the API's modules.
from capacity.access import (  # noqa: F401
    ADMIN_ROLES,
    READ_ROLES,
    WRITE_ROLES,
    accessible_department_ids,
    department_ids_with_role,
    department_roles,
    scope_queryset,
    writable_department_ids,
)


def request_department_roles(request) -> dict[int, str]:
    """department_roles for the request's user, looked up once per request (permission and view share it)."""
    http_request = getattr(request, "_request", request)
    memo = getattr(http_request, "_crewplan_department_roles", None)
    if memo is None or memo[0] != request.user.pk:
        memo = (request.user.pk, department_roles(request.user))
        http_request._crewplan_department_roles = memo
    return memo[1]


def get_scoped_or_404(queryset: QuerySet, user, department_field: str = "department_id", **lookup) -> Model:
    """The object, if it exists and lies in the user's departments; otherwise 404 (never 403)."""
    obj = scope_queryset(queryset, user, department_field).filter(**lookup).first()
    if obj is None:
        raise Http404("Not found")
    return obj


def require_department_role(
    user, department_id: int | None, roles: frozenset[str] = WRITE_ROLES, *, held: dict | None = None
) -> None:
    """404 when the department is not visible to the user, 403 when visible but the role does not allow it."""
    held = department_roles(user) if held is None else held
    if department_id not in held:
        raise Http404("Not found")
    if held[department_id] not in roles:
        raise PermissionDenied(
            f"Your role on this department does not allow this ({', '.join(sorted(roles))})"
        )
