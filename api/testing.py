"""Test helpers other apps' API tests import: users with department grants, and authenticated clients."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from capacity.access import access_grant_set
from capacity.models import Department

_counter = iter(range(1, 10**9))


def make_user(
    role: str = "planner",
    departments: Iterable[Department] = (),
    include_children: bool = True,
    *,
    username: str | None = None,
    is_superuser: bool = False,
):
    """A user holding `role` on each of `departments` (inherited by their subtrees when include_children)."""
    user_model = get_user_model()
    username = username or f"user{next(_counter)}-{role}"
    if is_superuser:
        user = user_model.objects.create_superuser(username=username, password="pw", email="")
    else:
        user = user_model.objects.create_user(username=username, password="pw")
    for department in departments:
        access_grant_set(user=user, department=department, role=role, include_children=include_children)
    return user


def api_client(user=None) -> APIClient:
    """An APIClient authenticated as `user` (anonymous when None)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client
