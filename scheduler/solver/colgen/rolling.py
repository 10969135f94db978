"""Rolling horizon for long rosters: a first roster, then people and windows of days re-solved in place.

Past `ROLLING_DAYS` days one master over the whole horizon converges too slowly for the limit (Instance20,
26 weeks: the LP had not converged in 60 s and the roster ended at 4.3 times the best known), while four
weeks is the size where the column generation is at its best (Instance10 and 12: proven within the
minute). So:

1. A first roster. Up to `WHOLE_CELLS` cells, the column generation over the whole horizon for
   `CONSTRUCT_SHARE` of the limit: every person's totals then hold exactly and the LP spreads the work
   over the weeks (measured on Instance20, 60 s: 40% of the limit there ended 5500-6500, 15-25% ended
   9500-10100; a window cannot move work past its own totals, so the spread the first roster gets is
   kept). Otherwise (past `WHOLE_CELLS`: 52 weeks) CP-SAT's window-by-
   window construction, which makes up minimum totals over the whole horizon at its end; should one still
   be short, the windows make the shortfall up before anything else (`replan.merit`).
   Building the first roster window by window with column generation was tried: on Instance20 a share of
   each total per window fell behind around leave until a later window had no row for someone, and on
   Instance22 one window took 47 s.
2. Until the deadline, sweeps of two kinds (`_improve`), each taking at most `SWEEP_SHARE` of the time
   left, the next one of the kind whose last sweep lowered the objective faster:
   - people: each person re-planned over the whole horizon against the others' cover (`replan.py`), which
     moves work between distant weeks (no window can: its totals are exact). Rows of equal merit are taken
     too, ties between them broken at random: a person's shift moved from an exactly covered day to an
     under-covered one changes nothing alone, but opens a gain for someone else next (one person at a time
     otherwise stops where only a chain of two helps). Measured 6 December, 60 s, seeds 0-2 alternately,
     load 1.1-3.1: Instance22 35785, 35678, 34910 against 36890, 36027, 36098 without; Instance20 5465 and
     5164 against 5643 and 5430; Instance24 142707 against 144391 (seed 0).
   - windows of `WINDOW_LENGTHS` days (7 first, longer as a length stops paying) re-solved with everything
     outside them fixed (a pinned tail of `TAIL_DAYS` keeps runs crossing the window's end legal, and the
     totals are exact), hinted with the current rows, by the column generation (and with 2 workers its
     CP-SAT polish); the rows are taken when the referee scores the window lower. Each sweep starts its
     windows at another offset, so no boundary stays one.
   The search ends early once `QUIET_SWEEPS` sweeps of the longest windows in a row improved nothing.

The objective of a window is exact for day-local soft rules (cover, requests: all the benchmark has);
horizon-wide soft rules (fairness spreads, overtime) are approximated per window, as in CP-SAT's rolling
horizon. The final `Solution` is scored on the whole problem.
"""

from __future__ import annotations

import logging
import math
import random
import time

from .. import replan
from ..cpsat.run import no_roster
from ..domain import FEASIBLE, Problem, Roster, Solution
from ..incumbent import IncumbentPool
from ..replan import PersonReplanner
from ..result import Tracker, make_solution

log = logging.getLogger(__name__)

ROLLING_DAYS = 120  # horizons longer than this are solved window by window
# window lengths in days, shortest first: on Instance22 (a year) 7-day windows ended at 48k-58k, 14-day
# at 50k-86k and 28-day at 104k-146k in 60 s, while on Instance20 28 days did best (7,054 against 8,967 at 14
# and 10,162 at 7); starting short and lengthening when a length stops paying ended 5,364 and 40,392 there
WINDOW_LENGTHS = (7, 14, 28)
ESCALATE_BELOW = 0.02  # a sweep of windows lowering the objective by less than this share: longer windows
TAIL_DAYS = 7
OFFSETS = 4  # window starts a sweep may use: 0, 1/2, 1/4 and 3/4 of a window into it
SWEEP_STARTS = (0, 2, 1, 3)  # in quarters of a window, one per sweep in turn
QUIET_SWEEPS = OFFSETS
# of the time left, the most one sweep may take (Instance24, before its totals were priced: 0.3 s a person,
# 50 s for its 150 people; 217k at 60 s with 0.5, 222k with 0.3; now 23-28 s a sweep). A sweep cut short
# goes on with other people or windows next time: each sweep takes them in a new random order
SWEEP_SHARE = 0.5
CONSTRUCT_SHARE = 0.4  # of the time limit for the first roster over the whole horizon
# up to this many cells (staff x days x shift types) the whole horizon is priced (Instance20, 54,600: one
# round 3 s on a quiet machine, 9 s at load 10, where a budget on it had sent it to the construction by
# windows and a roster short of minimum totals); above, it is not priced at all: on Instance22
# (182,000) pricing found no row for 6 of 10 people even with a beam of 4,000 (the minimum totals over a
# year), and on Instance24 (1.7 M) finding out that one round takes too long cost 8-18 s
WHOLE_CELLS = 100_000
MIN_WINDOW_SECONDS = 1.0
# a window re-solves at most this many cells (people x days x shift types) at once: the people of a
# larger one are re-solved in random groups, the others' shifts counted as external cover (Instance24:
# one window of all 150 people and 32 shift types took 40 s against a budget of 3)
WINDOW_CELLS = 20_000
CHECK_SHARE = 0.08  # of the time limit kept for scoring the final roster on the whole problem


def solve_rolling(
    problem: Problem,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    tracker: Tracker,
    incumbents: IncumbentPool | None,
) -> Solution:
    deadline = tracker.start + time_limit * (1 - CHECK_SHARE)
    roster = _construct(problem, deadline=deadline, time_limit=time_limit, seed=seed, tracker=tracker)
    if roster is None:
        return no_roster(problem, "rolling horizon: no roster found within the time limit", engine="colgen")
    merit = replan.merit(problem, roster)
    _offer(merit, roster, tracker, incumbents, "colgen:rolling-construct")
    roster, passes, taken = _improve(
        problem,
        roster,
        merit,
        deadline=deadline,
        workers=workers,
        seed=seed,
        tracker=tracker,
        pool=incumbents,
    )
    return make_solution(
        problem,
        roster,
        status=FEASIBLE,
        bound=None,
        engine="colgen",
        tracker=tracker,
        build=0.0,
        message=f"rolling horizon: {passes} windows re-solved, {taken} improved",
    )


def _windows(num_days: int, days: int, offset: int) -> list[tuple[int, int]]:
    """Windows of `days` from `offset` (and one before it); a short last one is merged into the one before."""
    starts = [0] + list(range(offset or days, num_days, days))
    windows = [(s, min(e, num_days)) for s, e in zip(starts, starts[1:] + [num_days], strict=True)]
    if len(windows) > 1 and windows[-1][1] - windows[-1][0] < days // 2:
        windows[-2:] = [(windows[-2][0], windows[-1][1])]
    return windows


def _construct(problem: Problem, *, deadline: float, time_limit: float, seed: int, tracker: Tracker):
    from ..cpsat.rolling import construct_by_window
    from .engine import ColumnGeneration
    from .model import build_model
    from .solve import solve_seeded

    if problem.size > WHOLE_CELLS:
        return construct_by_window(
            problem, deadline=deadline, seed=seed, tracker=Tracker(cancel=tracker.cancel)
        )
    model = build_model(problem)
    cg = ColumnGeneration(model, seed=seed)
    seeded = cg.seed_pool()
    log.debug("colgen rolling: whole-horizon round %.1fs (%s)", cg.round_seconds, seeded)
    if seeded:
        solution = solve_seeded(
            problem,
            model,
            cg,
            tracker,  # its rosters are reported as they come: the first within seconds
            time_limit=CONSTRUCT_SHARE * time_limit,
            workers=1,
            seed=seed,
            hint=problem.reference,
            incumbents=None,
            polish=False,
        )
        if _usable(solution):
            return solution.roster
    return construct_by_window(problem, deadline=deadline, seed=seed, tracker=Tracker(cancel=tracker.cancel))


def _solve_window(sub: Problem, rows: Roster, *, time_limit: float, workers: int, seed: int, cancel):
    """The column generation (polished by CP-SAT with 2 workers) on the window `sub`, hinted with the
    current `rows`. A person with no row (a first roster short of their minimum total by more than the
    window can make up) gets the largest minimum they have a row for (`_largest_minimum`); the caller's
    merit still counts what is left short. None when someone still has no row."""
    import dataclasses

    from .engine import ColumnGeneration
    from .model import build_model
    from .solve import solve_seeded

    tracker = Tracker(cancel=cancel)
    for attempt in range(2):
        model = build_model(sub)
        cg = ColumnGeneration(model, seed=seed)
        # the seed columns of everyone (no budget: a window is small), and who has none
        stuck = [pricer.pm for pricer in cg.pricers if not cg.seed_person(pricer)]
        if not stuck:
            break
        if attempt:
            return None
        lowered = {pm.person.id: _largest_minimum(model, pm, rows[pm.person.id], cg.beam) for pm in stuck}
        sub = dataclasses.replace(
            sub,
            staff=tuple(
                dataclasses.replace(
                    p, contract=dataclasses.replace(p.contract, min_total_minutes=lowered[p.id])
                )
                if p.id in lowered
                else p
                for p in sub.staff
            ),
        )
    return solve_seeded(
        sub,
        model,
        cg,
        tracker,
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        hint=rows,
        incumbents=None,
        polish=workers >= 2,
    )


def _largest_minimum(model, pm, row: tuple[str | None, ...], beam: int) -> int:
    """The largest minimum total (in steps of the shift lengths' common divisor, from what `row` works,
    which keeps every other rule) for which pricing finds the person a row: the window then makes up as
    much of a shortfall as it can (the column generation alone minimises cost, which rarely adds a
    shift that the cover does not ask for)."""
    import dataclasses

    from .kernel import KernelPricer

    lengths = {s.id: s.length_minutes for s in model.problem.shift_types}
    worked = sum(lengths[s] for s in row if s is not None)
    step = math.gcd(*lengths.values())
    contract = pm.person.contract

    def fits(minimum: int) -> bool:
        person = dataclasses.replace(
            pm.person, contract=dataclasses.replace(contract, min_total_minutes=minimum)
        )
        pricer = KernelPricer(model, dataclasses.replace(pm, person=person))
        return bool(pricer.price(pm.cost, 0.0, beam=beam)[0])

    low, high = 0, max((contract.min_total_minutes - worked) // step, 0)  # low fits (the current row)
    while low < high:
        mid = (low + high + 1) // 2
        if fits(worked + mid * step):
            low = mid
        else:
            high = mid - 1
    return worked + low * step


def _offer(merit, roster, tracker: Tracker, pool: IncumbentPool | None, source: str) -> None:
    """Report and share a roster that breaks no hard rule (one that does is still repaired by the windows:
    CP-SAT's construction leaves a minimum total short here and there on Instance22)."""
    broken, short, objective = merit
    if broken or short:
        return
    tracker.report(objective, None, source)
    if pool is not None:
        pool.offer(roster, objective, source)


def _usable(solution: Solution | None) -> bool:
    """A window's roster that keeps every person's hard rules (cover may fall short)."""
    from .solve import keeps_person_rules

    return solution is not None and solution.objective is not None and keeps_person_rules(solution.violations)


def _improve(problem, roster, merit, *, deadline, workers, seed, tracker, pool):
    """Sweeps of two kinds: every person re-planned over the whole horizon (`replan.PersonReplanner`) and
    windows of days re-solved (`_Sweeps`, lengthening through `WINDOW_LENGTHS` as a length stops paying),
    each cut at `SWEEP_SHARE` of the time left. The next sweep is of the kind whose last sweep lowered the
    objective faster (people first). A kind that found nothing is tried again once the other has changed
    the roster. Ends when `QUIET_SWEEPS` sweeps of the longest windows in a row improved nothing and the
    people sweep found nothing either."""
    current = {p: tuple(row) for p, row in roster.items()}
    state = _Sweeps(problem, seed)
    rates = {"people": math.inf, "windows": math.inf}  # objective lowered per second by the last sweep
    passes = taken = sweep = 0
    quiet = 0  # sweeps in a row of the longest windows that improved nothing
    while (
        not tracker.cancelled() and deadline - time.monotonic() > MIN_WINDOW_SECONDS and quiet < QUIET_SWEEPS
    ):
        kind = "people" if rates["people"] >= rates["windows"] and rates["people"] else "windows"
        began, before = time.monotonic(), merit
        until = min(deadline, began + SWEEP_SHARE * (deadline - began))
        if kind == "people":
            # sideways moves: ties fall randomly and a row of equal merit is taken (below)
            moved = PersonReplanner(problem, current, sideways=random.Random(seed + sweep)).sweep(
                seed=seed + sweep, deadline=until, cancelled=tracker.cancelled
            )
            if moved:
                merit = replan.merit(problem, current)
                _offer(merit, current, tracker, pool, "colgen:rolling-people")
        else:
            current, merit, solved, moved = state.windows(
                current,
                merit,
                deadline=until,
                workers=workers,
                tracker=tracker,
                pool=pool,
                seed=seed + passes,
            )
            passes += solved
        taken, sweep = taken + moved, sweep + 1
        gain = before[2] - merit[2] if before[:2] == merit[:2] else math.inf  # a minimum made up: go on
        rates[kind] = max(gain, 0.0) / max(time.monotonic() - began, 1e-3)
        log.debug("colgen rolling: %s sweep, %d taken, %.1f a second", kind, moved, rates[kind])
        other = "windows" if kind == "people" else "people"
        if merit < before and not rates[other]:  # sideways moves alone do not call the other kind back
            rates[other] = math.inf
        if kind == "windows":
            # longer windows keep the rate the shorter ones earned: on Instance24, where a people sweep
            # lowers the objective 9 times faster than 7-day windows, trying each length at once cost
            # 8 s of a minute for 6 windows
            state.lengthen(before, merit)
            quiet = quiet + 1 if not moved and state.at_longest() else 0
    return current, passes, taken


class _Sweeps:
    """The window sweeps of `_improve`: their length, offsets and groups of people."""

    def __init__(self, problem: Problem, seed: int) -> None:
        from ..cpsat.horizon import days_off

        self.problem = problem
        self.off = days_off(problem)
        self.rng = random.Random(seed)
        self.people = [p.id for p in problem.staff]
        self.level = 0  # index into WINDOW_LENGTHS
        self.count = 0  # sweeps at this length
        self.seen = 0  # the pool version last looked at

    @property
    def days(self) -> int:
        return WINDOW_LENGTHS[self.level]

    def at_longest(self) -> bool:
        return self.level == len(WINDOW_LENGTHS) - 1

    def lengthen(self, before, after) -> bool:
        """Lengthen the windows when the sweep just made lowered the objective by less than
        `ESCALATE_BELOW` of it (and made up no minimum total); True when it did."""
        self.count += 1
        gain = before[2] - after[2]
        if after[:2] == before[:2] and gain < ESCALATE_BELOW * max(before[2], 1.0) and not self.at_longest():
            self.level, self.count = self.level + 1, 0
            return True
        return False

    def windows(self, current, merit, *, deadline, workers, tracker, pool, seed):
        """One sweep of windows; returns (rows, merit, windows solved, windows taken)."""
        from ..cpsat.horizon import only_people, window

        problem, days = self.problem, self.days
        group = max(1, min(len(self.people), WINDOW_CELLS // ((days + TAIL_DAYS) * len(problem.shift_types))))
        offset = days * SWEEP_STARTS[self.count % OFFSETS] // OFFSETS
        windows = _windows(problem.num_days, days, offset or days)
        self.rng.shuffle(windows)  # a sweep cut short at its deadline leaves other windows out each time
        solved = taken = 0
        for start, end in windows:
            left = deadline - time.monotonic()
            if tracker.cancelled() or left < MIN_WINDOW_SECONDS:
                break
            if pool is not None:  # another engine of a portfolio found a better roster: continue from it
                other = pool.newer_than(self.seen)
                if other is not None:
                    self.seen = other.version
                    if (0.0, 0.0, other.objective) < merit:
                        current, merit = dict(other.roster), (0.0, 0.0, other.objective)
            sub, free = window(problem, start, end, current, future="fixed", tail=TAIL_DAYS, off=self.off)
            old = {p: row[start : start + sub.num_days] for p, row in current.items()}
            if group < len(self.people):  # the others' shifts count as external cover
                sub = only_people(sub, set(self.rng.sample(self.people, group)), old)
                old = {p: old[p] for p in (q.id for q in sub.staff)}
            before = replan.merit(sub, old)  # the window's totals are exact: its merit moves the whole one
            budget = min(left, max(left / max(len(windows) - solved, 1), MIN_WINDOW_SECONDS))
            solution = _solve_window(
                sub, old, time_limit=budget, workers=workers, seed=seed + solved, cancel=tracker.cancel
            )
            solved += 1
            if not _usable(solution):
                continue
            after = replan.merit(sub, solution.roster)
            log.debug("colgen rolling: days %d-%d: %s -> %s", start, end, before, after)
            if not after < before:
                continue
            for person, row in solution.roster.items():
                whole = list(current[person])
                whole[start : start + free] = row[:free]
                current[person] = tuple(whole)
            merit = tuple(m - b + a for m, b, a in zip(merit, before, after, strict=True))
            taken += 1
            _offer(merit, current, tracker, pool, "colgen:rolling")
        return current, merit, solved, taken
