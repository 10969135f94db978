"""Writes of the capacity app. Every write of Assignment.weekly_hours goes through here, so the
AssignmentWeekHours fact table is rewritten in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import transaction

from capacity.models import Assignment, AssignmentWeekHours
from capacity.weeks import parse_week_key


def clean_hours(value) -> Decimal:
    """Negative, blank or unreadable hours count as 0 (legacy spreadsheets hold all three)."""
    if value is None or value == "":
        return Decimal(0)
    try:
        hours = Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)
    return hours if hours.is_finite() and hours > 0 else Decimal(0)


def week_hours_rows(assignment: Assignment) -> list[AssignmentWeekHours]:
    """The fact rows of one assignment: keys mapped to Mondays, hours summed per Monday, zeros dropped."""
    per_week: dict = {}
    for key, raw in (assignment.weekly_hours or {}).items():
        try:
            monday = parse_week_key(key)
        except ValueError:
            continue
        per_week[monday] = per_week.get(monday, Decimal(0)) + clean_hours(raw)
    person = assignment.person
    department_id = person.department_id if person else assignment.project.department_id
    return [
        AssignmentWeekHours(
            assignment=assignment,
            person_id=assignment.person_id,
            role_id=assignment.role_id,
            department_id=department_id,
            week_start=monday,
            hours=hours,
        )
        for monday, hours in sorted(per_week.items())
        if hours > 0
    ]


@transaction.atomic
def week_hours_sync(*, assignments: Iterable[Assignment]) -> int:
    """Rewrite the fact rows of these assignments; returns the number of rows written."""
    assignments = list(assignments)
    AssignmentWeekHours.objects.filter(assignment__in=[a.pk for a in assignments]).delete()
    rows = [row for assignment in assignments for row in week_hours_rows(assignment)]
    AssignmentWeekHours.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
