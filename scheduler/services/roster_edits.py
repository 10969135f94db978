"""Planner edits of a roster version: set, clear, move, swap, change many cells at once, release a lock,
undo. Every edit is one transaction, checked against the hard rules first (all or nothing, with an error
per cell), recorded in the version's edit history, and locked by default so a re-solve keeps it.

A version counts published states (`Roster.version`); every change of a version, edits and solves, moves
its `revision`, which is what If-Match names.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q

from capacity.models import Person
from ops.cache import bump
from ops.errors import ApplicationError
from scheduler.models import Roster, RosterAssignment, RosterDayOff, RosterEdit, RosterEvent
from scheduler.problem_builder import BuiltProblem, booked_elsewhere, build_problem, lock_shared_people
from scheduler.rule_text import ABSENCE_WORDS, describe, local_day
from scheduler.services.rosters import audit_roster
from scheduler.solver import domain as sd
from scheduler.solver.evaluate import evaluate

OVERRIDE_PERMISSION = "scheduler.override_hard_rules"
MAX_CELLS_PER_EDIT = 500


@dataclass(frozen=True)
class CellChange:
    person_id: int
    day: date
    shift: str | None  # a shift code, or None for a day off
    locked: bool = True


def can_override(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm(OVERRIDE_PERMISSION))


def _editable(roster: Roster, expected_revision: int | None) -> Roster:
    roster = Roster.objects.select_for_update().select_related("department").get(pk=roster.pk)
    if expected_revision is not None and roster.revision != expected_revision:
        raise ApplicationError(
            "The roster changed since you read it; reload it and make the change again",
            extra={"revision": roster.revision},
            status=412,
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
    return roster


def roster_codes(roster: Roster, built: BuiltProblem) -> dict[str, list[str | None]]:
    """Person id (str) -> the shift code of each day (None: off), as the solver's referee reads a roster."""
    problem = built.problem
    grid: dict[str, list[str | None]] = {p.id: [None] * problem.num_days for p in problem.staff}
    code_by_pk = {s.pk: code for code, s in built.shift_types.items()}
    for person_id, day, shift_pk in RosterAssignment.objects.filter(roster=roster).values_list(
        "person_id", "date", "shift_type_id"
    ):
        if str(person_id) in grid and shift_pk in code_by_pk:
            grid[str(person_id)][(day - roster.start_date).days] = code_by_pk[shift_pk]
    return grid


def _key(v: sd.Penalty) -> tuple:
    return (v.rule, v.person, v.day, v.shift, v.detail)


def breach_counts(problem: sd.Problem, grid: dict) -> Counter:
    """The hard-rule breaches of a roster, counted by what identifies them."""
    return Counter(_key(v) for v in evaluate(problem, {k: tuple(v) for k, v in grid.items()}).violations)


def introduced_breaches(
    problem: sd.Problem, before: dict, after: dict, *, had: Counter | None = None
) -> list[sd.Penalty]:
    """The hard-rule breaches `after` has that `before` did not (a roster already broken stays editable).
    `had`: `breach_counts(problem, before)`, when the caller checks many changes of one roster."""
    had = breach_counts(problem, before) if had is None else had
    now = evaluate(problem, {k: tuple(v) for k, v in after.items()}).violations
    remaining = Counter(_key(v) for v in now) - had
    introduced = []
    for v in now:
        if remaining[_key(v)] > 0:
            remaining[_key(v)] -= 1
            introduced.append(v)
    return introduced


def without_pins_on(problem: sd.Problem, cells: set[tuple[str, int]]) -> sd.Problem:
    """A planner changing a locked cell replaces the lock: its pin does not refuse the change."""
    return dataclasses.replace(problem, pins=tuple(p for p in problem.pins if (p.person, p.day) not in cells))


def explain_breaches(breaches, built: BuiltProblem, grid, language=None) -> list[dict]:
    names = {pid: person.name for pid, person in built.people.items()}
    start = built.problem.start_date
    explained = []
    for v in breaches:
        day = date.fromordinal(start.toordinal() + v.day) if v.day is not None else None
        explained.append(
            {
                **describe(v, problem=built.problem, names=names, grid=grid, language=language),
                "person": int(v.person) if v.person and v.person.isdigit() else None,
                "person_name": names.get(v.person or "", ""),
                "date": day.isoformat() if day else None,
                "shift": v.shift,
                "detail": v.detail,
            }
        )
    return explained


def _cell_errors(roster: Roster, built: BuiltProblem, changes: list[CellChange]) -> list[dict]:
    errors, seen = [], set()
    for c in changes:
        message = None
        if not roster.start_date <= c.day <= roster.end_date:
            message = "The day is outside the roster"
        elif str(c.person_id) not in built.people:
            message = (
                "The person is not rostered here in this period (another unit, inactive or not hired yet)"
            )
        elif c.shift is not None and c.shift not in built.shift_types:
            message = f"Unknown shift {c.shift!r} for this unit"
        elif (c.person_id, c.day) in seen:
            message = "The same cell appears twice in one edit"
        seen.add((c.person_id, c.day))
        if message:
            errors.append({"person": c.person_id, "date": c.day.isoformat(), "message": message})
    return errors


OFF = {"shift": None, "locked": False, "override": "", "rules": []}


def _cells_q(cells) -> Q:
    q = Q(pk__in=[])
    for person_id, day in cells:
        q |= Q(person_id=person_id, date=day)
    return q


def _states(roster: Roster, cells: list[tuple[int, date]]) -> dict[tuple[int, date], dict]:
    """Each cell's state now: its shift, lock and override. Two queries for any number of cells."""
    states = {key: dict(OFF) for key in cells}
    where = _cells_q(cells)
    for a in RosterAssignment.objects.filter(where, roster=roster).select_related("shift_type"):
        states[(a.person_id, a.date)] = {
            "shift": a.shift_type.code,
            "locked": a.pinned,
            "override": a.override_reason,
            "rules": a.overridden_rules,
        }
    for off in RosterDayOff.objects.filter(where, roster=roster):
        states[(off.person_id, off.date)] = {
            "shift": None,
            "locked": True,
            "override": off.override_reason,
            "rules": off.overridden_rules,
        }
    return states


def _write(roster: Roster, built: BuiltProblem, states: dict[tuple[int, date], dict]) -> None:
    """Put each cell in its state: a shift (locked or not), a locked day off, or a plain day off."""
    where = _cells_q(states)
    RosterAssignment.objects.filter(where, roster=roster).delete()
    RosterDayOff.objects.filter(where, roster=roster).delete()
    shifts, days_off = [], []
    for (person_id, day), state in states.items():
        reason = state.get("override") or ""
        rules = list(state.get("rules") or []) if reason else []
        if state["shift"] is not None:
            shifts.append(
                RosterAssignment(
                    roster=roster,
                    person_id=person_id,
                    date=day,
                    shift_type=built.shift_types[state["shift"]],
                    pinned=state["locked"],
                    override_reason=reason,
                    overridden_rules=rules,
                )
            )
        elif state["locked"]:
            days_off.append(
                RosterDayOff(
                    roster=roster,
                    person_id=person_id,
                    date=day,
                    override_reason=reason,
                    overridden_rules=rules,
                )
            )
    RosterAssignment.objects.bulk_create(shifts)
    RosterDayOff.objects.bulk_create(days_off)


def _record(roster: Roster, *, action: str, user, cells: list[dict], reason="", rules=()) -> RosterEdit:
    roster.revision += 1
    roster.save(update_fields=["revision", "updated_at"])
    edit = RosterEdit.objects.create(
        roster=roster,
        action=action,
        actor=user,
        cells=cells,
        override_reason=reason,
        overridden_rules=sorted(rules),
    )
    RosterEvent.objects.create(
        roster=roster,
        action=RosterEvent.Action.EDIT,
        actor=user,
        details={"edit": edit.id, "action": action, "cells": len(cells), "override_reason": reason},
    )
    # the trail keys each cell "person date", so its entry reads as the grid's before and after
    audit_roster(
        "roster_undo" if action == RosterEdit.Action.UNDO else "roster_cells_change",
        roster,
        {"revision": roster.revision - 1, **{f"{c['person']} {c['date']}": c["before"] for c in cells}},
        user=user,
        after={"revision": roster.revision, **{f"{c['person']} {c['date']}": c["after"] for c in cells}},
    )
    bump("roster")
    return edit


@transaction.atomic
def roster_cells_change(
    *,
    roster: Roster,
    changes: list[CellChange],
    action: str = RosterEdit.Action.SET,
    user=None,
    expected_revision: int | None = None,
    override_reason: str = "",
    language: str | None = None,
    cell_limit: int | None = MAX_CELLS_PER_EDIT,
) -> RosterEdit:
    """Change cells together, or none of them. A change that would break a hard rule the roster did not
    already break is refused (422) with the rule in plain words, unless a user allowed to override gives a
    reason: then the cells are kept as locks, with the reason and the rules they break recorded."""
    if not changes:
        raise ApplicationError("No cells to change", extra={"fields": {"cells": []}})
    if cell_limit is not None and len(changes) > cell_limit:  # a whole adopted roster sets no limit
        raise ApplicationError(
            f"At most {cell_limit} cells in one edit", extra={"limit": cell_limit}, status=413
        )
    override_reason = (override_reason or "").strip()
    roster = _editable(roster, expected_revision)
    # people shared with other units are locked before their other bookings are read (the problem's
    # "booked_elsewhere" days), so a concurrent edit or solve there cannot book the same day unseen
    lock_shared_people(person_ids={c.person_id for c in changes}, unit_id=roster.department_id)
    built = build_problem(roster, for_solver=False)
    errors = _cell_errors(roster, built, changes)
    if errors:
        raise ApplicationError(
            f"{len(errors)} of {len(changes)} cell(s) cannot be changed; nothing was saved",
            extra={"cells": errors},
        )
    index = {c: (c.day - roster.start_date).days for c in changes}
    problem = without_pins_on(built.problem, {(str(c.person_id), index[c]) for c in changes})
    before = roster_codes(roster, built)
    after = {k: list(v) for k, v in before.items()}
    for c in changes:
        after[str(c.person_id)][index[c]] = c.shift
    breaches = introduced_breaches(problem, before, after)
    rules = {v.rule for v in breaches}
    if breaches and not override_reason:
        explained = explain_breaches(breaches, built, after, language)
        more = f" (and {len(explained) - 1} more)" if len(explained) > 1 else ""
        raise ApplicationError(
            explained[0]["text"] + more,
            extra={
                "violations": explained,
                "cells": _per_cell(explained, changes),
                "can_override": can_override(user),
            },
            status=422,
        )
    if breaches and not can_override(user):
        raise ApplicationError(
            "Keeping a change that breaks a hard rule needs the override permission",
            extra={"rules": sorted(rules), "permission": OVERRIDE_PERMISSION},
            status=403,
        )
    reason = override_reason if breaches else ""
    before_states = _states(roster, [(c.person_id, c.day) for c in changes])
    after_states = {
        (c.person_id, c.day): {
            "shift": c.shift,
            "locked": c.locked or bool(reason),
            "override": reason,
            "rules": sorted(rules) if reason else [],
        }
        for c in changes
    }
    _write(roster, built, after_states)
    cells = [
        {"person": p, "date": d.isoformat(), "before": before_states[(p, d)], "after": after}
        for (p, d), after in after_states.items()
    ]
    return _record(roster, action=action, user=user, cells=cells, reason=reason, rules=rules)


def _per_cell(explained: list[dict], changes: list[CellChange]) -> list[dict]:
    """Each breach attributed to a changed cell: the same person and day, else the person's first change."""
    result = []
    for v in explained:
        same_day = [c for c in changes if c.person_id == v["person"] and c.day.isoformat() == v["date"]]
        person = [c for c in changes if c.person_id == v["person"]]
        cell = (same_day or person or changes[:1])[0]
        result.append({"person": cell.person_id, "date": cell.day.isoformat(), "message": v["text"]})
    return result


@transaction.atomic
def roster_undo(*, roster: Roster, user=None, expected_revision: int | None = None) -> RosterEdit:
    """Undo the latest edit of this version not yet undone: each of its cells goes back to its state before
    (that state was the roster's, so no rule is checked again). Edits made before the latest solve cannot
    be undone: the solve has rewritten the cells around them."""
    roster = _editable(roster, expected_revision)
    last = (
        roster.edits.filter(undone_by__isnull=True)
        .exclude(action=RosterEdit.Action.UNDO)
        .order_by("-at", "-id")
        .first()
    )
    if last is None:
        raise ApplicationError("Nothing to undo in this version", extra={"roster": roster.pk}, status=409)
    solved_since = roster.events.filter(action=RosterEvent.Action.SOLVED, at__gt=last.at).exists()
    if solved_since:
        raise ApplicationError(
            "The roster was solved again after the last edit; that edit can no longer be undone",
            extra={"edit": last.pk},
            status=409,
        )
    restore = {(cell["person"], date.fromisoformat(cell["date"])): cell["before"] for cell in last.cells}
    _refuse_double_booking(roster, restore)
    built = build_problem(roster, for_solver=False)
    current = _states(roster, list(restore))
    _write(roster, built, restore)
    cells = [
        {"person": p, "date": d.isoformat(), "before": current[(p, d)], "after": state}
        for (p, d), state in restore.items()
    ]
    undo = _record(roster, action=RosterEdit.Action.UNDO, user=user, cells=cells)
    last.undone_by = undo
    last.save(update_fields=["undone_by"])
    return undo


def _refuse_double_booking(roster: Roster, restore: dict[tuple[int, date], dict]) -> None:
    """An undo puts back shifts without checking rules (they were the roster's), but a shared person may
    have been booked in another unit since: then the undo is refused, in the words of the rule."""
    people = {person_id for (person_id, _day), state in restore.items() if state["shift"] is not None}
    shared = lock_shared_people(person_ids=people, unit_id=roster.department_id)
    taken = booked_elsewhere(person_ids=shared, roster=roster, start=roster.start_date, end=roster.end_date)
    clashes = sorted(k for k, state in restore.items() if state["shift"] is not None and k in taken)
    if not clashes:
        return
    names = dict(Person.objects.filter(id__in={p for p, _ in clashes}).values_list("id", "name"))
    cells = [
        {
            "person": p,
            "date": d.isoformat(),
            "message": f"{names[p]} {ABSENCE_WORDS['booked_elsewhere']} on {local_day(d)}",
        }
        for p, d in clashes
    ]
    more = f" (and {len(cells) - 1} more)" if len(cells) > 1 else ""
    raise ApplicationError(
        f"Undo would book someone twice: {cells[0]['message']}{more}", extra={"cells": cells}, status=422
    )


def edit_summary(edit: RosterEdit, language: str | None = None) -> str:
    """One line for the history: "Undo: 2 cells (Mon 7 Dec …)"."""
    days = sorted({c["date"] for c in edit.cells})
    first = local_day(date.fromisoformat(days[0]), language) if days else ""
    label = {
        "set": "Set",
        "move": "Moved",
        "swap": "Swapped",
        "bulk": "Changed",
        "release": "Released",
        "undo": "Undid",
    }
    plural = "s" if len(edit.cells) != 1 else ""
    return f"{label.get(edit.action, edit.action)} {len(edit.cells)} cell{plural} from {first}"
