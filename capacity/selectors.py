"""Reads of the capacity app."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from capacity.models import Department


def unit_list_with_counts() -> QuerySet[Department]:
    return (
        Department.objects.filter(kind=Department.Kind.UNIT)
        .select_related("parent")
        .annotate(active_people=Count("people", filter=Q(people__active=True)))
        .order_by("parent__name", "name")
    )
