"""Which units a signed-in user sees and where they may write, read through api.scoping (the one place
that knows the department grants). Pages use these; they hold no rule of their own."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from api.scoping import READ_ROLES, WRITE_ROLES, department_roles
from capacity.models import Department


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
        unit.can_plan = unit.role in WRITE_ROLES
    return units


def can_plan_anywhere(user) -> bool:
    return any(role in WRITE_ROLES for role in department_roles(user).values())


def unit_for(user, unit_id: int, *, write: bool = False) -> Department:
    """The unit when the user may read it (404 otherwise, never revealing it exists) and, with write,
    plan in it (403 otherwise)."""
    role = department_roles(user).get(int(unit_id))
    if role not in READ_ROLES:
        raise Http404("No such unit")
    unit = (
        Department.objects.filter(id=unit_id, kind=Department.Kind.UNIT)
        .select_related("parent__parent")
        .first()
    )
    if unit is None:
        raise Http404("No such unit")
    if write and role not in WRITE_ROLES:
        raise PermissionDenied("Your role in this unit is read-only")
    unit.role = role
    unit.can_plan = role in WRITE_ROLES
    return unit
