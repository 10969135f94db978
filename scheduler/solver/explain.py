"""Explanations: why a cover minimum is short, and which rules make a person's contract impossible."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pulp

from .context import roster_check
from .domain import Problem, Roster, Shortfall
from .rules import HARD_RULES, SCOPE, build_rules, forbidden_cells


def _person_problem(problem: Problem, person_id: str) -> Problem:
    return dataclasses.replace(
        problem,
        staff=tuple(p for p in problem.staff if p.id == person_id),
        cover=(),
        external_cover={},
        requests=(),
        absences=tuple(a for a in problem.absences if a.person == person_id),
        pins=tuple(p for p in problem.pins if p.person == person_id),
        reference=None,
    )


def _feasible(problem: Problem, skip: set[str]) -> bool:
    """Whether one person's hard rules (minus `skip`) can all hold: a feasibility MILP of that person alone,
    built here on the shared model context so the explanation depends on no search engine."""
    from .milp import PulpContext, available_solvers

    ctx = PulpContext(problem)
    build_rules(ctx, soft=False, scopes=("person",), skip=skip)
    ctx.lp.setObjective(pulp.lpSum([]))
    if available_solvers()[0] == "HiGHS":
        backend = pulp.HiGHS(msg=False, timeLimit=2.0, random_seed=0)
    else:
        backend = pulp.PULP_CBC_CMD(msg=False, timeLimit=2.0, threads=1)
    ctx.lp.solve(backend)
    return ctx.lp.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)


def blocking_rules(problem: Problem) -> dict[str, tuple[str, ...]]:
    """Per person whose own rules cannot all hold: the hard rules whose removal alone makes them hold."""
    person_rules = [name for name, scope in SCOPE.items() if scope == "person" and name in HARD_RULES]
    result: dict[str, tuple[str, ...]] = {}
    for person in problem.staff:
        alone = _person_problem(problem, person.id)
        if _feasible(alone, set()):
            continue
        culprits = tuple(rule for rule in person_rules if _feasible(alone, {rule}))
        result[person.id] = culprits or ("several rules together",)
    return result


def explain_shortfalls(problem: Problem, roster: Roster) -> tuple[Shortfall, ...]:
    """For each unmet cover minimum: how many people are eligible, and what blocks each of the others.

    A person is blocked by a cell rule (leave, skills, contract shift types), by already working another shift
    that day, or by the hard rules that adding this shift would newly break (max minutes, rest, sequences...).
    """
    cells = forbidden_cells(problem)
    shortfalls = []
    for cover in problem.cover:
        if cover.minimum <= 0:
            continue
        date = problem.date(cover.day)
        count = problem.external_cover.get((cover.day, cover.shift, cover.skill), 0)
        count += sum(
            1
            for p in problem.staff
            if roster[p.id][cover.day] == cover.shift
            and (cover.skill is None or p.has_skill(cover.skill, date))
        )
        if count >= cover.minimum:
            continue
        reasons: Counter[str] = Counter()
        blocked: dict[str, tuple[str, ...]] = {}
        for person in problem.staff:
            current = roster[person.id][cover.day]
            if current == cover.shift:
                continue
            if cover.skill is not None and not person.has_skill(cover.skill, date):
                rules: tuple[str, ...] = ("lacks skill " + cover.skill,)
            elif (person.id, cover.day, None) in cells:
                rules = (cells[(person.id, cover.day, None)],)
            elif (person.id, cover.day, cover.shift) in cells:
                rules = (cells[(person.id, cover.day, cover.shift)],)
            elif current is not None:
                rules = (f"works {current} that day",)
            else:
                before = {
                    b.rule
                    for b in roster_check(
                        problem, roster, staff=[person], include_soft=False, cells=cells, scopes=("person",)
                    ).broken
                }
                row = list(roster[person.id])
                row[cover.day] = cover.shift
                trial = {**roster, person.id: tuple(row)}
                after = {
                    b.rule
                    for b in roster_check(
                        problem, trial, staff=[person], include_soft=False, cells=cells, scopes=("person",)
                    ).broken
                }
                rules = tuple(sorted(after - before - {"cover_minimum"})) or ("eligible",)
            for rule in rules:
                reasons[rule] += 1
            blocked[person.id] = rules
        shortfalls.append(
            Shortfall(
                day=cover.day,
                shift=cover.shift,
                skill=cover.skill,
                missing=cover.minimum - count,
                reasons=dict(reasons),
                blocked_people=blocked,
            )
        )
    return tuple(shortfalls)
