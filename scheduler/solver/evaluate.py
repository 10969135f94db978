"""The referee: recompute every hard violation and the objective of a roster, from the Problem alone.

Written separately and plainly (loops over the roster, maximal runs), sharing only `domain.py` with the
engines, so a modelling slip in `rules/` shows up as a disagreement in tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .domain import Penalty, Problem, Roster, Solution


@dataclass(frozen=True)
class Evaluation:
    objective: int
    violations: tuple[Penalty, ...]
    penalties: tuple[Penalty, ...]

    @property
    def feasible(self) -> bool:
        return not self.violations

    def violated_rules(self) -> set[str]:
        return {v.rule for v in self.violations}


def evaluate_solution(problem: Problem, solution: Solution) -> Evaluation:
    return evaluate(problem, solution.roster)


def _runs(values: list[bool]) -> list[tuple[int, int, bool]]:
    """Maximal runs (start, end inclusive, value)."""
    runs = []
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            runs.append((start, i - 1, values[start]))
            start = i
    return runs


def evaluate(problem: Problem, roster: Roster) -> Evaluation:  # noqa: C901 - a checklist, read top to bottom
    shifts = {s.id: s for s in problem.shift_types}
    n = problem.num_days
    bad: list[Penalty] = []
    pen: list[Penalty] = []
    weekends = problem.weekends()
    weeks = problem.weeks()

    absent = {(a.person, a.day): a.kind for a in problem.absences}
    for person in problem.staff:
        c = person.contract
        row = list(roster[person.id])
        if len(row) != n:
            bad.append(Penalty("roster_length", 1, person.id, detail=f"{len(row)} days"))
            continue
        for day, s in enumerate(row):
            if s is None:
                continue
            if s not in shifts:
                bad.append(Penalty("unknown_shift", 1, person.id, day, s))
                continue
            if (person.id, day) in absent:
                bad.append(Penalty("days_off", 1, person.id, day, s, absent[(person.id, day)]))
            for skill in sorted(shifts[s].required_skills):
                expiry = person.skills.get(skill, "missing")
                if expiry == "missing" or (expiry is not None and problem.date(day) > expiry):
                    bad.append(Penalty("skills_and_certifications", 1, person.id, day, s, skill))
                    break
            if c.max_shifts_per_type.get(s) == 0:
                bad.append(Penalty("shift_types_in_contract", 1, person.id, day, s))

        history = list(problem.history.get(person.id, ()))
        full = history + row
        off = len(history)
        # successions, including from the last history day into day 0
        rest = c.min_rest_minutes
        for i in range(max(off - 1, 0), len(full) - 1):
            a, b = full[i], full[i + 1]
            if a is None or b is None:
                continue
            if (a, b) in problem.forbidden_successions:
                bad.append(Penalty("forbidden_successions", 1, person.id, i + 1 - off, b))
            if (
                rest
                and shifts[b].start_minute + 1440 - (shifts[a].start_minute + shifts[a].length_minutes) < rest
            ):
                bad.append(Penalty("min_rest_between_shifts", 1, person.id, i + 1 - off, b))
        # counts and minutes
        for s, limit in c.max_shifts_per_type.items():
            count = sum(1 for x in row if x == s)
            if limit > 0 and count > limit:
                bad.append(Penalty("max_shifts_per_type", count - limit, person.id, shift=s))
        minutes = sum(shifts[x].length_minutes for x in row if x is not None)
        if c.max_total_minutes is not None and minutes > c.max_total_minutes:
            bad.append(Penalty("max_total_minutes", 1, person.id, detail=str(minutes)))
        if c.min_total_minutes and minutes < c.min_total_minutes:
            bad.append(Penalty("min_total_minutes", 1, person.id, detail=str(minutes)))
        for days, complete in weeks:
            week_minutes = sum(shifts[row[d]].length_minutes for d in days if row[d] is not None)
            if c.max_weekly_minutes is not None and week_minutes > c.max_weekly_minutes:
                bad.append(Penalty("max_weekly_minutes", 1, person.id, days[0]))
            if c.min_weekly_minutes and complete and week_minutes < c.min_weekly_minutes:
                bad.append(Penalty("min_weekly_minutes", 1, person.id, days[0]))
        worked_weekends = sum(1 for days in weekends if any(row[d] is not None for d in days))
        if c.max_weekends is not None and worked_weekends > c.max_weekends:
            bad.append(Penalty("max_weekends", worked_weekends - c.max_weekends, person.id))
        # runs over history + horizon
        working = [x is not None for x in full]
        nights = [x is not None and shifts[x].night for x in full]
        last = len(full) - 1
        for a, b, value in _runs(working):
            length = b - a + 1
            if (
                value
                and c.max_consecutive_shifts is not None
                and length > c.max_consecutive_shifts
                and b >= off
            ):
                bad.append(Penalty("max_consecutive_shifts", 1, person.id, max(a - off, 0)))
            exempt = a == 0 or b == last or b + 1 < off
            if exempt:
                continue
            if value and c.min_consecutive_shifts and length < c.min_consecutive_shifts:
                bad.append(Penalty("min_consecutive_shifts", 1, person.id, max(a - off, 0)))
            if not value and c.min_consecutive_days_off and length < c.min_consecutive_days_off:
                bad.append(Penalty("min_consecutive_days_off", 1, person.id, max(a - off, 0)))
        if c.max_consecutive_nights is not None:
            for a, b, value in _runs(nights):
                if value and b - a + 1 > c.max_consecutive_nights and b >= off:
                    bad.append(Penalty("max_consecutive_nights", 1, person.id, max(a - off, 0)))
        # person-level soft costs
        if person.hourly_rate:
            for day, x in enumerate(row):
                if x is not None:
                    pen.append(
                        Penalty(
                            "labour_cost",
                            person.hourly_rate * shifts[x].length_minutes // 60,
                            person.id,
                            day,
                            x,
                        )
                    )
        if person.overtime_premium and c.contract_minutes is not None and minutes > c.contract_minutes:
            hours = math.ceil((minutes - c.contract_minutes) / 60)
            pen.append(Penalty("overtime_cost", person.overtime_premium * hours, person.id))
        if problem.reference is not None and problem.weights.change and person.id in problem.reference:
            for day, (before, now) in enumerate(zip(problem.reference[person.id], row, strict=True)):
                if before != now:
                    pen.append(Penalty("change_from_reference", problem.weights.change, person.id, day))

    for pin in problem.pins:
        if roster[pin.person][pin.day] != pin.shift:
            bad.append(Penalty("pinned_assignments", 1, pin.person, pin.day, pin.shift))

    for r in problem.requests:
        actual = roster[r.person][r.day]
        hit = actual is not None if r.shift is None else actual == r.shift
        if hit != r.on:
            rule = "shift_on_requests" if r.on else "shift_off_requests"
            pen.append(Penalty(rule, r.weight, r.person, r.day, r.shift))

    for cv in problem.cover:
        date = problem.date(cv.day)
        x = problem.external_cover.get((cv.day, cv.shift, cv.skill), 0)
        for person in problem.staff:
            if roster[person.id][cv.day] == cv.shift and (
                cv.skill is None or person.has_skill(cv.skill, date)
            ):
                x += 1
        if x < cv.minimum:
            bad.append(Penalty("cover_minimum", cv.minimum - x, day=cv.day, shift=cv.shift))
        if x < cv.preferred and cv.weight_under:
            pen.append(
                Penalty(
                    "cover_under_preferred", (cv.preferred - x) * cv.weight_under, day=cv.day, shift=cv.shift
                )
            )
        if x > cv.preferred and cv.weight_over:
            pen.append(
                Penalty(
                    "cover_over_preferred", (x - cv.preferred) * cv.weight_over, day=cv.day, shift=cv.shift
                )
            )
        risk = cv.risk_penalty(x, problem.weights.cover_shortfall_risk)
        if risk:
            pen.append(Penalty("cover_shortfall_risk", risk, day=cv.day, shift=cv.shift))

    if problem.weights.labour_budget_over:
        pen.extend(_budget_over(problem, roster))

    groups: dict[str, list] = {}
    for person in problem.staff:
        groups.setdefault(person.contract.id, []).append(person)
    w = problem.weights
    for cid, members in groups.items():
        if len(members) < 2:
            continue
        measures = {
            "fairness_nights": (
                w.fairness_nights,
                [sum(1 for x in roster[p.id] if x and shifts[x].night) for p in members],
            ),
            "fairness_weekends": (
                w.fairness_weekends,
                [sum(1 for days in weekends if any(roster[p.id][d] for d in days)) for p in members],
            ),
            "fairness_minutes": (
                w.fairness_minutes,
                [sum(shifts[x].length_minutes for x in roster[p.id] if x) for p in members],
            ),
        }
        for rule, (weight, values) in measures.items():
            spread = max(values) - min(values)
            if weight and spread:
                pen.append(Penalty(rule, weight * spread, f"group:{cid}"))

    return Evaluation(sum(p.amount for p in pen), tuple(bad), tuple(pen))


def _budget_over(problem: Problem, roster: Roster) -> list[Penalty]:
    """Each week's minutes and cost (the labour_cost of its shifts) against its budget."""
    shifts = {s.id: s for s in problem.shift_types}
    weight = problem.weights.labour_budget_over
    found = []
    for budget in problem.budgets:
        minutes = cost = 0
        for person in problem.staff:
            for day in budget.days:
                shift = roster[person.id][day]
                if shift is not None:
                    minutes += shifts[shift].length_minutes
                    cost += person.hourly_rate * shifts[shift].length_minutes // 60
        first = budget.days[0]
        if budget.minutes is not None and minutes > budget.minutes:
            hours = math.ceil((minutes - budget.minutes) / 60)
            found.append(Penalty("labour_budget_over", weight * hours, day=first, detail="hours"))
        if budget.cost is not None and cost > budget.cost:
            found.append(
                Penalty("labour_budget_over", weight * (cost - budget.cost), day=first, detail="cost")
            )
    return found
