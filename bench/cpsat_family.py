"""Why the CP-SAT search loses to a plain model on large 4-week instances: both, side by side, on 4-week
windows of the long shared instances (the same family as the issue's 120-person, 18-shift-type instance).

    .venv/bin/python -m bench.cpsat_family --time-limit 60 --workers 2 [--mode product|plain|...]

A window of days [s, s+28) keeps that window's cover, requests and days off and gets its share of the
horizon's totals (`scheduler/solver/cpsat/horizon.py`). `plain` is the full model from the rules solved by
CP-SAT with its default portfolio, no hint, no LNS of ours, no construction.
"""

from __future__ import annotations

import argparse
import logging
import os
import time

from ortools.sat.python import cp_model

from scheduler.solver.cpsat.horizon import window
from scheduler.solver.cpsat.solve import build_model, solve_cpsat
from scheduler.solver.evaluate import evaluate
from scheduler.solver.formats.curtois import read_curtois

SOURCES = {"Instance20": 0, "Instance22": 84, "Instance24": 0, "Instance24b": 168}
DIR = "/work/shared/benchmarks/curtois"


def plain(problem, *, time_limit, workers):
    started = time.monotonic()
    ctx = build_model(problem)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit - (time.monotonic() - started)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 0
    first = []

    class First(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self):
            first.append((time.monotonic() - started, self.objective_value))

    status = solver.solve(ctx.model, First())
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, None, None
    return ctx.roster(solver.boolean_value), first[0][0], first[-1][0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--mode", action="append")
    parser.add_argument("--only", action="append")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(relativeCreated)7.0f %(name)s %(message)s")
    modes = args.mode or ["product", "plain"]
    print(f"load {os.getloadavg()}", flush=True)
    for name, start in SOURCES.items():
        if args.only and name not in args.only:
            continue
        problem = read_curtois(f"{DIR}/{name.rstrip('b')}.txt")
        sub, _ = window(problem, start, start + 28)
        for mode in modes:
            began = time.monotonic()
            if mode == "plain":
                roster, t_first, t_best = plain(sub, time_limit=args.time_limit, workers=args.workers)
            else:
                solution = solve_cpsat(sub, time_limit=args.time_limit, workers=args.workers)
                roster = solution.roster if solution.objective is not None else None
                t_first, t_best = solution.timings.first_feasible, solution.timings.best
            value = evaluate(sub, roster).objective if roster else None
            print(
                f"{sub.name:<22} {len(sub.staff)}x{sub.num_days}x{len(sub.shift_types)} {mode:<8} "
                f"obj={value} t_first={t_first and round(t_first, 1)} t_best={t_best and round(t_best, 1)} "
                f"wall={time.monotonic() - began:.0f}s load={os.getloadavg()[0]:.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
