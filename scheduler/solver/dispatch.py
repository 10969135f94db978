"""The one entry point the Django app calls: ``solve(problem, ...) -> Solution``."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from .domain import Problem, Roster, Solution
from .result import Cancel, ProgressFn
from .select import Choice, choose_engine


def solve(
    problem: Problem,
    *,
    engine: str = "auto",
    time_limit: float = 30.0,
    workers: int = 2,
    progress: ProgressFn = None,
    cancel: Cancel = None,
    hint: Roster | None = None,
    seed: int = 0,
    fill_days: Sequence[int] | None = None,
) -> Solution:
    """Solve `problem` with `engine` ("auto", "cpsat", "milp" or "assign") within `time_limit` seconds.

    `progress` receives `Progress(elapsed, objective, bound, phase)`; `cancel` (callable or threading.Event)
    stops the search and returns the best roster so far. `hint` (default: the problem's reference roster)
    warm-starts the search. `fill_days` (assign engine, or auto with one day) fills open shifts on those days
    only, keeping the rest of the hint/reference roster.

    The result is never a bare "infeasible": unmet cover minimums come back as `violations` on the closest
    roster, with `shortfalls` explaining who could not fill them and why; contracts that cannot hold at all
    come back with `blocking_rules` per person.
    """
    choice: Choice | None = None
    if engine == "auto":
        choice = choose_engine(
            problem,
            time_limit=time_limit,
            workers=workers,
            fill_days=len(fill_days) if fill_days is not None else None,
        )
        engine, time_limit, workers = choice.engine, choice.time_limit, choice.workers
    if engine == "cpsat":
        from .cpsat import solve_cpsat

        solution = solve_cpsat(
            problem,
            time_limit=time_limit,
            workers=workers,
            seed=seed,
            progress=progress,
            cancel=cancel,
            hint=hint,
        )
    elif engine == "milp":
        from .milp import solve_milp

        solution = solve_milp(
            problem, time_limit=time_limit, workers=workers, progress=progress, cancel=cancel, hint=hint
        )
    elif engine == "assign":
        from .assign import solve_assign

        solution = solve_assign(problem, roster=hint, days=fill_days, progress=progress)
    else:
        raise ValueError(f"unknown engine {engine!r}")
    if solution.violations and solution.objective is not None:
        from .explain import explain_shortfalls

        solution = dataclasses.replace(solution, shortfalls=explain_shortfalls(problem, solution.roster))
    if choice is not None:
        solution = dataclasses.replace(solution, message=f"{choice.reason}. {solution.message}".strip())
    return solution
