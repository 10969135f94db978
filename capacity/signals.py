"""Bump the "access" namespace whenever a grant or the department tree changes.

Services bump explicitly too (and must, for bulk writes that send no signals); these receivers catch
the writes that go through the ORM one row at a time elsewhere (admin, factories, the demo loader)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from capacity.models import AccessGrant, Department
from ops.cache import bump


@receiver([post_save, post_delete], sender=AccessGrant, dispatch_uid="capacity_access_grant_changed")
def access_grant_changed(**kwargs) -> None:
    bump("access")


@receiver([post_save, post_delete], sender=Department, dispatch_uid="capacity_department_tree_changed")
def department_tree_changed(**kwargs) -> None:
    bump("access")
