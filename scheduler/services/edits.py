"""Planner edits of a roster: change, clear or pin one cell, checked against the hard rules first."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.db import transaction

from capacity.models import Person
from ops.cache import bump
from ops.errors import ApplicationError
from scheduler.models import Roster, RosterAssignment, RosterEvent, ShiftType
from scheduler.problem_builder import build_problem
from scheduler.solver.evaluate import evaluate


def _roster_grid_codes(roster: Roster, built) -> dict[str, list[str | None]]:
    problem = built.problem
    grid = {p.id: [None] * problem.num_days for p in problem.staff}
    code_by_pk = {s.pk: code for code, s in built.shift_types.items()}
    for person_id, day, shift_pk in RosterAssignment.objects.filter(roster=roster).values_list(
        "person_id", "date", "shift_type_id"
    ):
        if str(person_id) in grid and shift_pk in code_by_pk:
            grid[str(person_id)][(day - roster.start_date).days] = code_by_pk[shift_pk]
    return grid


def _hard_rule_key(v) -> tuple:
    return (v.rule, v.person, v.day, v.shift, v.detail)


def _violations(built, grid: dict[str, list[str | None]]):
    return evaluate(built.problem, {k: tuple(v) for k, v in grid.items()}).violations


def _explain_violation(v, roster: Roster, built) -> dict:
    person = built.people.get(v.person) if v.person else None
    return {
        "rule": v.rule,
        "person": person.pk if person else v.person,
        "person_name": person.name if person else (v.person or ""),
        "date": date.fromordinal(roster.start_date.toordinal() + v.day).isoformat()
        if v.day is not None
        else None,
        "shift": v.shift,
        "detail": v.detail,
    }


@transaction.atomic
def roster_assignment_set(
    *,
    roster: Roster,
    person: Person,
    day: date,
    shift_type: ShiftType | None,
    pinned: bool = False,
    user=None,
    expected_version: int | None = None,
) -> RosterAssignment | None:
    """Set one cell (a shift, or None for a day off). Refused, naming rule, person and day, when it would
    break a hard rule that the roster did not already break."""
    roster = Roster.objects.select_for_update().select_related("department").get(pk=roster.pk)
    if expected_version is not None and roster.version != expected_version:
        raise ApplicationError(
            "The roster changed since you read it", extra={"version": roster.version}, status=412
        )
    if roster.status in (Roster.Status.PUBLISHED, Roster.Status.SOLVING):
        raise ApplicationError(
            f"A {roster.status} roster cannot be edited"
            + (
                "; create a new version"
                if roster.status == Roster.Status.PUBLISHED
                else "; wait for the solve"
            ),
            extra={"status": roster.status},
            status=409,
        )
    if not roster.start_date <= day <= roster.end_date:
        raise ApplicationError("The day is outside the roster", extra={"fields": {"date": str(day)}})
    if person.department_id != roster.department_id:
        raise ApplicationError(
            "The person does not belong to this unit", extra={"fields": {"person": person.pk}}
        )
    built = build_problem(roster)
    if shift_type is not None and shift_type.code not in built.shift_types:
        raise ApplicationError(
            "Unknown shift type for this unit", extra={"fields": {"shift_type": shift_type.pk}}
        )
    if str(person.pk) not in built.people:
        raise ApplicationError(
            "The person is not rostered in this period (inactive or not yet hired)",
            extra={"fields": {"person": person.pk}},
        )

    grid = _roster_grid_codes(roster, built)
    before = Counter(_hard_rule_key(v) for v in _violations(built, grid))
    grid[str(person.pk)][(day - roster.start_date).days] = shift_type.code if shift_type else None
    after = _violations(built, grid)
    introduced = Counter(_hard_rule_key(v) for v in after) - before
    new = [v for v in after if v and _hard_rule_key(v) in introduced]
    if new:
        explained = [_explain_violation(v, roster, built) for v in new]
        first = explained[0]
        raise ApplicationError(
            f"Breaks {first['rule']} for {first['person_name']} on {first['date'] or 'the period'}",
            extra={"violations": explained},
            status=422,
        )

    RosterAssignment.objects.filter(roster=roster, person=person, date=day).delete()
    cell = None
    if shift_type is not None:
        cell = RosterAssignment.objects.create(
            roster=roster, person=person, date=day, shift_type=shift_type, pinned=pinned
        )
    roster.version += 1
    roster.save(update_fields=["version", "updated_at"])
    RosterEvent.objects.create(
        roster=roster,
        action=RosterEvent.Action.EDIT,
        actor=user,
        details={
            "person": person.pk,
            "date": day.isoformat(),
            "shift": shift_type.code if shift_type else None,
            "pinned": pinned,
        },
    )
    bump("roster")
    return cell
