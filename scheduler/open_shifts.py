"""Open shifts of a unit: every shift below its minimum or preferred cover in the unit's current rosters
(draft, solved and published versions running in a two-week window, by default today and the next 13
days: the weeks the dashboard counts), each with the people who could take it, ranked.

A read. The ranking is a planner's order: people off that day whose own hard rules allow the shift (leave,
rest, consecutive days, certifications: the same referee as an edit, scheduler.services.roster_edits), the
qualified ones for a skill's cover first, then those it keeps within their contracted hours, then the
cheapest, then the one with the fewest shifts so far (fairness), then by name. Assigning one goes through
the edit service like any grid edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from capacity.models import Department
from scheduler.cell_options import _alone
from scheduler.models import Roster
from scheduler.problem_builder import COST_UNITS_PER_CURRENCY, BuiltProblem, build_problem
from scheduler.services.roster_edits import breach_counts, introduced_breaches, roster_codes
from scheduler.solver import domain as sd

# Two weeks at a time: what a planner still fills by hand, and what keeps the page's hard-rule checks
# (one per candidate) within its time budget on a unit of 25 people with nothing assigned yet.
WINDOW_DAYS = 14
CANDIDATES_SHOWN = 5
# People checked against the hard rules per open shift, in rank order: the check is the expensive part
# and the first few allowed ones are all the page shows.
CANDIDATES_CHECKED = 8
EDITABLE = (Roster.Status.DRAFT, Roster.Status.SOLVED)


@dataclass(frozen=True)
class _Person:
    id: str
    name: str
    worked_minutes: int
    contract_minutes: int | None
    shifts: int


def current_rosters(*, unit: Department, today: date) -> list[Roster]:
    """The unit's rosters that run on any day of the window, newest version first (a solve in progress
    has no roster to fill yet)."""
    return list(
        Roster.objects.filter(
            department=unit,
            end_date__gte=today,
            start_date__lte=today + timedelta(days=WINDOW_DAYS - 1),
            status__in=[*EDITABLE, Roster.Status.PUBLISHED],
        )
        .select_related("department__parent__parent")
        .order_by("start_date", "-version", "-id")
    )


def open_shifts(*, unit: Department, today: date, shown: int = CANDIDATES_SHOWN) -> list[dict]:
    """Per roster running in the window from `today`: its open shifts in the window, each with its
    ranked candidates."""
    last = today + timedelta(days=WINDOW_DAYS - 1)
    return [
        _roster_open_shifts(roster, today, last, shown) for roster in current_rosters(unit=unit, today=today)
    ]


def _roster_open_shifts(roster: Roster, today: date, last: date, shown: int) -> dict:
    built = build_problem(roster, for_solver=False)
    problem = built.problem
    grid = roster_codes(roster, built)
    shifts = {s.id: s for s in problem.shift_types}
    people = _people(built, grid, shifts)
    absent = {(a.person, a.day) for a in problem.absences}
    staff = {p.id: p for p in problem.staff}
    first_day = max(0, (today - roster.start_date).days)
    last_day = (last - roster.start_date).days
    alone: dict[str, tuple] = {}

    def own_rules(pid: str) -> tuple:
        """A person's own problem and the breaches their row already has: once per person, not per shift."""
        if pid not in alone:
            problem_alone = _alone(problem, pid)
            alone[pid] = (problem_alone, breach_counts(problem_alone, {pid: grid[pid]}))
        return alone[pid]

    rows = []
    for cover in sorted(problem.cover, key=lambda c: (c.day, c.shift, c.skill or "")):
        if not first_day <= cover.day <= last_day:
            continue
        day = problem.start_date + timedelta(days=cover.day)
        on_shift = [
            pid
            for pid, row in grid.items()
            if row[cover.day] == cover.shift
            and (cover.skill is None or staff[pid].has_skill(cover.skill, day))
        ]
        assigned = len(on_shift) + problem.external_cover.get((cover.day, cover.shift, cover.skill), 0)
        wanted = max(cover.minimum, cover.preferred)
        if assigned >= wanted:
            continue
        rows.append(
            {
                "date": day,
                "shift": cover.shift,
                "shift_name": built.shift_types[cover.shift].name,
                "skill": cover.skill,
                "minimum": cover.minimum,
                "preferred": cover.preferred,
                "assigned": assigned,
                "below": "minimum" if assigned < cover.minimum else "preferred",
                "missing": wanted - assigned,
                "candidates": _candidates(
                    built, grid, people, absent, own_rules, shifts[cover.shift], cover, day, shown
                ),
            }
        )
    return {
        "roster": roster,
        "editable": roster.status in EDITABLE,
        "open_shifts": rows,
        "below_minimum": sum(r["missing"] for r in rows if r["below"] == "minimum"),
        "below_preferred": sum(r["missing"] for r in rows if r["below"] == "preferred"),
    }


def _people(built: BuiltProblem, grid, shifts) -> dict[str, _Person]:
    result = {}
    for p in built.problem.staff:
        row = grid[p.id]
        worked = sum(shifts[code].length_minutes for code in row if code is not None)
        result[p.id] = _Person(
            id=p.id,
            name=built.people[p.id].name,
            worked_minutes=worked,
            contract_minutes=p.contract.contract_minutes,
            shifts=sum(1 for code in row if code is not None),
        )
    return result


def _candidates(
    built, grid, people, absent, own_rules, shift: sd.ShiftType, cover: sd.Cover, day: date, shown: int
):
    ranked = []
    for p in built.problem.staff:
        if grid[p.id][cover.day] is not None or (p.id, cover.day) in absent:
            continue  # working that day already, or on leave: not available
        qualified = all(p.has_skill(s, day) for s in shift.required_skills) and (
            cover.skill is None or p.has_skill(cover.skill, day)
        )
        if shift.required_skills and not qualified:
            continue
        info = people[p.id]
        after = info.worked_minutes + shift.length_minutes
        within = info.contract_minutes is None or after <= info.contract_minutes
        over_hours = 0 if within else -(-(after - max(info.contract_minutes, info.worked_minutes)) // 60)
        # in currency: the solver's cost units per hour over COST_UNITS_PER_CURRENCY
        cost = (
            p.hourly_rate * shift.length_minutes / 60 + p.overtime_premium * over_hours
        ) / COST_UNITS_PER_CURRENCY
        cost = round(cost, 2)
        ranked.append(
            ((not qualified, not within, cost, info.shifts, info.name, p.id), p, info, within, cost)
        )
    ranked.sort(key=lambda item: item[0])
    chosen = []
    for _key, p, info, within, cost in ranked[:CANDIDATES_CHECKED]:
        alone, had = own_rules(p.id)
        before = {p.id: grid[p.id]}
        after = {p.id: list(grid[p.id])}
        after[p.id][cover.day] = cover.shift
        if introduced_breaches(alone, before, after, had=had):
            continue
        chosen.append(
            {
                "person": int(p.id),
                "name": info.name,
                "qualified": cover.skill is None or p.has_skill(cover.skill, day),
                "within_contract": within,
                "hours": round(info.worked_minutes / 60, 1),
                "hours_after": round((info.worked_minutes + shift.length_minutes) / 60, 1),
                "contract_hours": round(info.contract_minutes / 60, 1)
                if info.contract_minutes is not None
                else None,
                "cost": cost,
                "shifts": info.shifts,
            }
        )
        if len(chosen) >= shown:
            break
    return chosen
