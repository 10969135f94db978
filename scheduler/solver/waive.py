"""When some people's own contract rules cannot all hold, roster everyone else anyway.

Why: one person whose rules contradict each other (a weekly minimum above what their other rules allow, a
pinned shift their rest rules forbid) made the whole problem infeasible, and the unit's roster came back
empty. A planner wants the roster, with the contradiction named. `explain.blocking_rules` already finds,
per such person, the rules whose removal alone makes theirs hold; here the problem is loosened for those
people only: a minimum among those rules is waived (a minimum of work is a promise the roster can fall
short of; a maximum, rest or a pinned shift is a limit it must not break), and a person with no such
minimum to waive is left out of the roster. The referee still scores the roster on the original problem,
so what was waived comes back as broken hard rules, and `blocking_rules` says why.
"""

from __future__ import annotations

import dataclasses

from .domain import Absence, Problem

# Waived first to last, the first one among a person's blocking rules: each alone lets their rules hold.
WAIVABLE_MINIMUMS = ("min_weekly_minutes", "min_total_minutes", "min_consecutive_shifts")
LEFT_OUT = "left out"  # what `waived` says of a person the roster leaves out
RULES_CONFLICT = "rules_conflict"  # the absence kind of a person left out


def waive_blocking_rules(
    problem: Problem, blocking: dict[str, tuple[str, ...]]
) -> tuple[Problem, dict[str, str]]:
    """(the loosened problem, person id -> the rule waived or LEFT_OUT)."""
    staff, waived = [], {}
    for person in problem.staff:
        rules = blocking.get(person.id)
        if not rules:
            staff.append(person)
            continue
        rule = next((name for name in WAIVABLE_MINIMUMS if name in rules), None)
        if rule is None:
            waived[person.id] = LEFT_OUT
            staff.append(person)
            continue
        contract = dataclasses.replace(
            person.contract, id=f"{person.contract.id}-without-{rule}", **{rule: None}
        )
        staff.append(dataclasses.replace(person, contract=contract))
        waived[person.id] = rule
    left_out = {p for p, rule in waived.items() if rule == LEFT_OUT}
    away = {(a.person, a.day) for a in problem.absences}
    absences = problem.absences + tuple(
        Absence(person=p, day=d, kind=RULES_CONFLICT)
        for p in sorted(left_out)
        for d in range(problem.num_days)
        if (p, d) not in away
    )
    loosened = dataclasses.replace(
        problem,
        staff=tuple(staff),
        absences=absences,
        pins=tuple(pin for pin in problem.pins if pin.person not in left_out),
    )
    return loosened, waived


def describe(waived: dict[str, str]) -> str:
    parts = [
        f"person {p} left out" if rule == LEFT_OUT else f"{rule} of person {p} waived"
        for p, rule in sorted(waived.items())
    ]
    return "; ".join(parts)
