"""Re-plan one person at a time over the whole horizon, against the cover everyone else gives.

A long roster improved only by windows of days keeps each person's work inside each window: the totals are
exact there. When the first roster put too little work in some weeks (Instance20: under-cover at 100 a slot,
10,200 of an 11,544 roster, nearly all in days 98-154) no window can move a shift there from a week that is
over-covered. Re-planning a person over the whole horizon can: the dynamic programme of `construct.py` plans
their row against the others' cover (with the scoring, measured 3 December after the totals were priced:
a sweep of Instance22's 50 people 2.4-4.5 s, of Instance24's 150 people 23-28 s), and the row is taken
when it keeps the person's hard rules and lowers the objective. Measured on that roster: three sweeps over
the 50 people took it from 11,544 to 7,090 in 2.1 s; the column generation re-solving one person over the
whole horizon found one such move in 5 s.

The move is scored on the person alone (the others' shifts as external cover), which is exact for the
day-local soft rules; when the problem has rules across people (fairness spreads, labour budgets) it is
scored on the whole roster instead.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from .construct import dp_row, person_gain
from .cpsat.construct import count_cover
from .cpsat.horizon import only_people
from .domain import Problem
from .evaluate import evaluate
from .rules import forbidden_cells


def merit(problem: Problem, roster) -> tuple[float, float, float]:
    """(hard rules broken other than minimum totals, minutes short of minimum totals, objective): lower is
    better, in that order, so a change that makes up part of a shortfall counts as progress."""
    result = evaluate(problem, roster)
    broken = sum(v.amount for v in result.violations if v.rule != "min_total_minutes")
    short = sum(minutes_short(problem, person, roster[person.id]) for person in problem.staff)
    return float(broken), float(short), float(result.objective)


def minutes_short(problem: Problem, person, row) -> int:
    """How far `row` leaves `person` below their minimum total (0 without one)."""
    minimum = person.contract.min_total_minutes or 0
    return max(minimum - sum(problem.shift(s).length_minutes for s in row if s is not None), 0)


def across_people(problem: Problem) -> bool:
    """Whether a soft rule of `problem` compares people or sums over them (then one person's merit is not
    the change of the whole objective)."""
    w = problem.weights
    return bool(
        w.fairness_nights
        or w.fairness_weekends
        or w.fairness_minutes
        or (w.labour_budget_over and problem.budgets)
    )


def _worth(gain: dict, row) -> float:
    return sum(gain.get((d, s), 0.0) for d, s in enumerate(row) if s is not None)


class PersonReplanner:
    """Holds the cover everyone gives, so each re-plan costs one person's work, not everyone's.

    With `sideways` (a random.Random) the programme breaks ties between rows at random and a row of equal
    merit is taken too (a plateau move): the search then drifts across rows that cost the same instead of
    stopping at the first, which lets a later person's re-plan gain from the change."""

    def __init__(self, problem: Problem, roster: dict, *, sideways: random.Random | None = None) -> None:
        self.problem = problem
        self.sideways = sideways
        self.roster = roster  # person id -> row, changed in place
        self.cells = forbidden_cells(problem)
        self.shift_ids = [s.id for s in problem.shift_types]
        self.cover: dict = dict(problem.external_cover)
        for person in problem.staff:
            count_cover(problem, person, roster[person.id], self.cover)
        self.whole = across_people(problem)

    def replan(self, person, accept: Callable[[tuple, tuple, tuple], bool] | None = None) -> bool:
        """Re-plan `person`; True when the new row was taken. `accept(old_row, new_row, (before, after))`
        may refuse a row the merit prefers (the default takes a row whose merit is lower)."""
        problem, old = self.problem, self.roster[person.id]
        others = dict(self.cover)
        count_cover(problem, person, old, others, sign=-1)
        allowed = [
            [
                s
                for s in self.shift_ids
                if (person.id, d, s) not in self.cells and (person.id, d, None) not in self.cells
            ]
            for d in range(problem.num_days)
        ]
        alone = only_people(problem, {person.id}, self.roster, external=others)
        row = dp_row(alone, alone.staff[0], dict(others), allowed, self.cells, noise=self.sideways)
        if row is None or tuple(row) == tuple(old):
            return False
        row = tuple(row)
        if accept is None and not self.whole and not minutes_short(problem, person, old):
            # the programme's own value of a row is the change in cover and requests it makes: a row
            # worth no more than the old one cannot lower those, and is refused before the referee
            # scores both (two evaluations, 0.13 s of a 0.3 s re-plan on Instance24). A row short of
            # its minimum total is still scored: making the shortfall up counts before the objective
            gain = person_gain(alone, alone.staff[0], others, allowed)
            if _worth(gain, row) < _worth(gain, old) or (
                self.sideways is None and _worth(gain, row) == _worth(gain, old)
            ):
                return False
        if self.whole:
            before = merit(problem, self.roster)
            after = merit(problem, {**self.roster, person.id: row})
        else:
            before, after = merit(alone, {person.id: old}), merit(alone, {person.id: row})
        better = after < before or (self.sideways is not None and after == before)
        if not (accept(old, row, (before, after)) if accept is not None else better):
            return False
        self.roster[person.id] = row
        count_cover(problem, person, row, others)
        self.cover = others
        return True

    def sweep(self, *, seed: int, deadline: float, cancelled: Callable[[], bool]) -> int:
        """Every person once, in a random order; how many rows were taken."""
        staff = list(self.problem.staff)
        random.Random(seed).shuffle(staff)
        taken = 0
        for person in staff:
            if cancelled() or time.monotonic() > deadline:
                break
            taken += self.replan(person)
        return taken
