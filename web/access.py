"""The pages' one door to department access: which units a signed-in user sees and where they may plan,
read through capacity.access (the one place that knows the department grants). Pages use these and hold
no role rule of their own: a department the user cannot read answers 404 (never revealing it exists),
one they may read but not plan in answers 403 to a write."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from capacity.access import READ_ROLES, WRITE_ROLES, department_roles, writable_department_ids
from capacity.models import Department


def can_plan(role: str | None) -> bool:
    """Whether a role may write (generate, edit, publish, retrain) in its department."""
    return role in WRITE_ROLES


def roles_by_department(user) -> dict[int, str]:
    """Department id -> the user's strongest role there, for pages listing objects of many departments."""
    return department_roles(user)


def plannable_department_ids(user) -> set[int]:
    return writable_department_ids(user)


def can_plan_anywhere(user) -> bool:
    return any(can_plan(role) for role in department_roles(user).values())


def department_role(user, department_id: int, *, write: bool = False, missing: str = "Not found") -> str:
    """The user's role on a department: 404 (with `missing`) when they cannot read it and, with write,
    403 when they may not plan in it."""
    role = department_roles(user).get(int(department_id))
    if role not in READ_ROLES:
        raise Http404(missing)
    if write and not can_plan(role):
        raise PermissionDenied("Your role in this unit is read-only")
    return role


def visible_units(user) -> list[Department]:
    """The units the user may read, each with `.role` (their strongest role there), ordered by site."""
    roles = department_roles(user)
    units = list(
        Department.objects.filter(kind=Department.Kind.UNIT, id__in=list(roles))
        .select_related("parent__parent")
        .order_by("parent__name", "name")
    )
    for unit in units:
        unit.role = roles[unit.id]
        unit.can_plan = can_plan(unit.role)
    return units


def unit_for(user, unit_id: int, *, write: bool = False) -> Department:
    """The unit when the user may read it (404 otherwise, never revealing it exists) and, with write,
    plan in it (403 otherwise)."""
    role = department_role(user, unit_id, missing="No such unit")
    unit = (
        Department.objects.filter(id=unit_id, kind=Department.Kind.UNIT)
        .select_related("parent__parent")
        .first()
    )
    if unit is None:
        raise Http404("No such unit")
    if write and not can_plan(role):
        raise PermissionDenied("Your role in this unit is read-only")
    unit.role = role
    unit.can_plan = can_plan(role)
    return unit
