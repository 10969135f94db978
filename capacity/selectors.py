"""Reads of the capacity app. The aggregates live in capacity.aggregates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Lower

from capacity.models import Assignment, AssignmentWeekHours, Department, Person, RoleWeekHours


def people_rostered_in(*, unit_id: int) -> QuerySet[Person]:
    """Everyone a unit's roster may hold: its own people and those who may also be rostered there
    (`Person.other_units`). One query wherever it is used."""
    return Person.objects.filter(Q(department_id=unit_id) | Q(other_units__id=unit_id)).distinct()


def units_sharing_people(*, unit_ids: Iterable[int]) -> list[list[int]]:
    """The units grouped into connected components: two units are in one group when someone may be
    rostered in both (their home and an other unit, or two other units), directly or through a chain of
    such people. Each group and the list are sorted; a unit that shares nobody is a group of its own."""
    units = sorted(set(unit_ids))
    parent = {u: u for u in units}

    def root(u: int) -> int:
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    homes = dict(
        Person.objects.filter(other_units__id__in=units, active=True)
        .values_list("id", "department_id")
        .distinct()
    )
    also = Person.other_units.through.objects.filter(person_id__in=list(homes), department_id__in=units)
    places: dict[int, set[int]] = defaultdict(set)
    for person_id, unit_id in also.values_list("person_id", "department_id"):
        places[person_id].add(unit_id)
    for person_id, home in homes.items():
        linked = sorted(places[person_id] | ({home} if home in parent else set()))
        for other in linked[1:]:
            parent[root(other)] = root(linked[0])
    groups: dict[int, list[int]] = defaultdict(list)
    for u in units:
        groups[root(u)].append(u)
    return sorted(groups.values())


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


ROLLUP_TOLERANCE = Decimal("0.005")  # SQLite adds decimals as floats; anything under a cent is not drift


def role_week_hours_drift(
    *, department_ids: Iterable[int] | None = None
) -> tuple[list[tuple[int, int, date, Decimal, Decimal]], Decimal, Decimal]:
    """Where the RoleWeekHours rollup differs from a GROUP BY of the fact table: ([(department id, role id,
    Monday, rollup hours, fact hours)], rollup total, fact total), of these departments or all. One
    statement, so one snapshot: a concurrent writer cannot show up as drift."""
    rollup = connection.ops.quote_name(RoleWeekHours._meta.db_table)
    facts = connection.ops.quote_name(AssignmentWeekHours._meta.db_table)
    where, params = "", []
    if department_ids is not None:
        department_ids = sorted(set(department_ids)) or [0]
        where = f"WHERE department_id IN ({', '.join(['%s'] * len(department_ids))})"
        params = department_ids * 2
    sql = f"""
        SELECT department_id, role_id, week_start, SUM(rollup_hours), SUM(fact_hours)
          FROM (SELECT department_id, role_id, week_start, hours AS rollup_hours, 0 AS fact_hours
                  FROM {rollup} {where}
                 UNION ALL
                SELECT department_id, role_id, week_start, 0, hours FROM {facts} {where}) AS both_sides
         GROUP BY department_id, role_id, week_start
         ORDER BY department_id, role_id, week_start
    """
    drifted = []
    rollup_total = fact_total = Decimal(0)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for department_id, role_id, week, in_rollup, in_facts in cursor.fetchall():
            in_rollup, in_facts = _decimal(in_rollup), _decimal(in_facts)
            rollup_total += in_rollup
            fact_total += in_facts
            if abs(in_rollup - in_facts) >= ROLLUP_TOLERANCE:
                week = week if isinstance(week, date) else date.fromisoformat(str(week))
                drifted.append((department_id, role_id, week, in_rollup, in_facts))
    return drifted, rollup_total, fact_total


def _decimal(value) -> Decimal:
    return round(Decimal(str(value or 0)), 2)
