"""Reads of the capacity app. The aggregates live in capacity.aggregates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Lower

from capacity.models import Assignment, Department


def unit_list_with_counts() -> QuerySet[Department]:
    return (
        Department.objects.filter(kind=Department.Kind.UNIT)
        .select_related("parent")
        .annotate(active_people=Count("people", filter=Q(people__active=True)))
        .order_by("parent__name", "name")
    )


def department_subtree_ids(*, department_ids: Iterable[int], include_children: bool = True) -> set[int]:
    """These departments and, with include_children, every department below them. One query."""
    roots = set(department_ids)
    if not include_children or not roots:
        return set(Department.objects.filter(id__in=roots).values_list("id", flat=True))
    children: dict[int | None, list[int]] = defaultdict(list)
    known: set[int] = set()
    for dept_id, parent_id in Department.objects.values_list("id", "parent_id"):
        children[parent_id].append(dept_id)
        known.add(dept_id)
    found: set[int] = set()
    stack = [d for d in roots if d in known]
    while stack:
        dept_id = stack.pop()
        if dept_id in found:
            continue
        found.add(dept_id)
        stack.extend(children.get(dept_id, ()))
    return found


def assignment_list(*, department_ids: Iterable[int] | None = None) -> QuerySet[Assignment]:
    """Assignments sorted in the database by client then project name, ignoring case, blank clients
    last. Scoped like the fact table: by the person's department, or the project's for open ones."""
    assignments = Assignment.objects.select_related("person", "project", "role")
    if department_ids is not None:
        ids = list(department_ids)
        assignments = assignments.filter(
            Q(person__department_id__in=ids) | Q(person__isnull=True, project__department_id__in=ids)
        )
    return assignments.annotate(
        blank_client=Case(
            When(project__client="", then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    ).order_by("blank_client", Lower("project__client"), Lower("project__name"), "id")
