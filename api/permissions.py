"""DRF permissions: the caller's role must allow the method, and an API key's scopes must too.

Object-level department checks live in api.scoping (404 outside the caller's departments).
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.scoping import (
    ADMIN_ROLES,
    READ_ROLES,
    WRITE_ROLES,
    accessible_department_ids,
    department_ids_with_role,
    department_roles,
    get_scoped_or_404,
    request_department_roles,
    require_department_role,
    scope_queryset,
    writable_department_ids,
)
from capacity.access import may_edit_shared_catalogues

__all__ = [
    "ADMIN_ROLES",
    "READ_ROLES",
    "WRITE_ROLES",
    "SharedCatalogueAdminPermission",
    "AuthenticatedWithKeyScope",
    "RolePermission",
    "accessible_department_ids",
    "department_ids_with_role",
    "department_roles",
    "get_scoped_or_404",
    "request_department_roles",
    "require_department_role",
    "scope_queryset",
    "writable_department_ids",
]


def _key_allows(request) -> bool:
    from api.models import ApiKey

    key = request.auth
    if not isinstance(key, ApiKey):
        return True
    needed = "read" if request.method in SAFE_METHODS else "write"
    return needed in key.scopes


class RolePermission(BasePermission):
    """Authenticated; reads need any role somewhere (viewer, manager, planner, admin), writes need planner
    or admin somewhere. Which department a request touches is checked by the view through api.scoping."""

    message = "Your role does not allow this"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if not _key_allows(request):
            self.message = "This API key does not have the scope for this method"
            return False
        if user.is_superuser:
            return True
        roles = set(request_department_roles(request).values())
        wanted = READ_ROLES if request.method in SAFE_METHODS else WRITE_ROLES
        return bool(roles & wanted)


class SharedCatalogueAdminPermission(RolePermission):
    """The shared catalogues (roles, skills, work rules): reads need any role; writes need admin on the
    catalogues' owner, the organisation (capacity.access.may_edit_shared_catalogues)."""

    message = "Editing the shared catalogues needs the admin role on the organisation"

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in SAFE_METHODS:
            return True
        return may_edit_shared_catalogues(request.user, request_department_roles(request))


class AuthenticatedWithKeyScope(BasePermission):
    """The default: authenticated, and an API key only does what its scopes allow."""

    message = "Authentication required, with a key scope that allows this method"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated) and _key_allows(request)
