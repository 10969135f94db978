"""Department access: which departments a user may read, and where they may write.

A grant on a department with include_children covers its whole subtree. The result per user is cached
in the "access" namespace (bumped whenever a grant or the department tree changes) and computed directly
when the cache is down. Both faces read it: api/scoping.py (DRF permissions, 404/403 on objects) and
web/access.py (the pages).
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import QuerySet

from capacity.models import AccessGrant, Department
from ops import audit
from ops import cache as ops_cache
from ops.errors import ApplicationError

ACCESS_TTL_S = 300
READ_ROLES = frozenset({"admin", "planner", "manager", "viewer"})
WRITE_ROLES = frozenset({"admin", "planner"})
ADMIN_ROLES = frozenset({"admin"})
_RANK = {"viewer": 0, "manager": 1, "planner": 2, "admin": 3}


def _compute_roles(user_id: int, is_superuser: bool) -> dict[str, str]:
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


def accessible_department_ids(user) -> set[int]:
    """Every department the user may read."""
    return set(department_roles(user))


def department_ids_with_role(user, roles: frozenset[str]) -> set[int]:
    return {dept_id for dept_id, role in department_roles(user).items() if role in roles}


def writable_department_ids(user) -> set[int]:
    return department_ids_with_role(user, WRITE_ROLES)


def organisation_ids() -> set[int]:
    return set(Department.objects.filter(parent__isnull=True).values_list("id", flat=True))


def may_edit_shared_catalogues(user, roles: dict[int, str] | None = None) -> bool:
    """Roles, skills and work rules are shared by every site of the organisation (a work rule is the
    contract other sites' staff work under), so writing them needs the admin role on the organisation
    itself (on each organisation, while the catalogues are shared by all), not on one site or unit."""
    if getattr(user, "is_superuser", False):
        return True
    roles = department_roles(user) if roles is None else roles
    owners = organisation_ids()
    return bool(owners) and all(roles.get(owner) in ADMIN_ROLES for owner in owners)


def scope_queryset(queryset: QuerySet, user, department_field: str = "department_id") -> QuerySet:
    """Only the rows of the user's departments; `department_field` is the lookup path to a department id."""
    if getattr(user, "is_superuser", False):
        return queryset
    return queryset.filter(**{f"{department_field}__in": accessible_department_ids(user)})


@transaction.atomic
def access_grant_set(
    *, user, department: Department, role: str, include_children: bool = True
) -> AccessGrant:
    """Grant (or change) a user's role on a department."""
    if role not in AccessGrant.Role.values:
        raise ApplicationError(f"Unknown role {role!r}", extra={"fields": {"role": AccessGrant.Role.values}})
    stored = AccessGrant.objects.select_for_update().filter(user=user, department=department).first()
    before = audit.snapshot(stored)
    grant, _ = AccessGrant.objects.update_or_create(
        user=user, department=department, defaults={"role": role, "include_children": include_children}
    )
    audit.record(action="access_grant_set", obj=grant, before=before, after=audit.snapshot(grant))
    ops_cache.bump("access")
    return grant


@transaction.atomic
def access_grant_delete(*, grant: AccessGrant) -> None:
    audit.record(action="access_grant_delete", obj=grant, before=audit.snapshot(grant))
    grant.delete()
    ops_cache.bump("access")
