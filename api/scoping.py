"""Department scoping: which departments a user may read, and where they may write.

A grant on a department with include_children covers its whole subtree. The result per user is cached
in the "access" namespace (bumped whenever a grant or the department tree changes) and computed directly
when the cache is down. Objects outside the caller's departments answer 404, so ids cannot be probed.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Model, QuerySet
from django.http import Http404

from capacity.models import Department
from ops import cache as ops_cache

ACCESS_TTL_S = 300
READ_ROLES = frozenset({"admin", "planner", "manager", "viewer"})
WRITE_ROLES = frozenset({"admin", "planner"})
ADMIN_ROLES = frozenset({"admin"})
_RANK = {"viewer": 0, "manager": 1, "planner": 2, "admin": 3}


def _compute_roles(user_id: int, is_superuser: bool) -> dict[str, str]:
    from api.models import AccessGrant

    tree = list(Department.objects.values_list("id", "parent_id"))
    if is_superuser:
        return {str(dept_id): "admin" for dept_id, _ in tree}
    children: dict[int | None, list[int]] = defaultdict(list)
    for dept_id, parent_id in tree:
        children[parent_id].append(dept_id)
    roles: dict[str, str] = {}

    def grant(dept_id: int, role: str) -> None:
        key = str(dept_id)
        if key not in roles or _RANK[role] > _RANK[roles[key]]:
            roles[key] = role

    grants = AccessGrant.objects.filter(user_id=user_id).values_list(
        "department_id", "role", "include_children"
    )
    for dept_id, role, include_children in grants:
        grant(dept_id, role)
        if include_children:
            stack = list(children.get(dept_id, ()))
            while stack:
                child = stack.pop()
                grant(child, role)
                stack.extend(children.get(child, ()))
    return roles


def department_roles(user) -> dict[int, str]:
    """Department id -> the strongest role the user holds there (directly or inherited)."""
    if user is None or not user.is_authenticated:
        return {}
    roles = ops_cache.cached(
        "access",
        ("department_roles", user.pk, bool(user.is_superuser)),
        ACCESS_TTL_S,
        lambda: _compute_roles(user.pk, user.is_superuser),
    )
    return {int(dept_id): role for dept_id, role in roles.items()}


def request_department_roles(request) -> dict[int, str]:
    """department_roles for the request's user, looked up once per request (permission and view share it)."""
    http_request = getattr(request, "_request", request)
    memo = getattr(http_request, "_crewplan_department_roles", None)
    if memo is None or memo[0] != request.user.pk:
        memo = (request.user.pk, department_roles(request.user))
        http_request._crewplan_department_roles = memo
    return memo[1]


def accessible_department_ids(user) -> set[int]:
    """Every department the user may read."""
    return set(department_roles(user))


def department_ids_with_role(user, roles: frozenset[str]) -> set[int]:
    return {dept_id for dept_id, role in department_roles(user).items() if role in roles}


def writable_department_ids(user) -> set[int]:
    return department_ids_with_role(user, WRITE_ROLES)


def scope_queryset(queryset: QuerySet, user, department_field: str = "department_id") -> QuerySet:
    """Only the rows of the user's departments; `department_field` is the lookup path to a department id."""
    if getattr(user, "is_superuser", False):
        return queryset
    return queryset.filter(**{f"{department_field}__in": accessible_department_ids(user)})


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
    from rest_framework.exceptions import PermissionDenied

    held = department_roles(user) if held is None else held
    if department_id not in held:
        raise Http404("Not found")
    if held[department_id] not in roles:
        raise PermissionDenied(
            f"Your role on this department does not allow this ({', '.join(sorted(roles))})"
        )
