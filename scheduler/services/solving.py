"""The body of a solve job: claim, build the Problem, solve with progress and cancellation, write once.

Safe to run twice: a redelivered message (the worker died mid-solve) re-claims the job and re-solves,
and the write replaces the roster's unpinned assignments in one transaction, so there is one result.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from datetime import timedelta

from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)

from ops import audit
from ops.cache import bump
from ops.jobs import (
    job_cancel_requested,
    job_claim,
    job_fail,
    job_mark_cancelled,
    job_report_progress,
    job_succeed,
)
from ops.metrics import SOLVER_GAP, SOLVER_OBJECTIVE, SOLVER_SECONDS
from ops.models import Job
from scheduler.models import Roster, RosterAssignment, RosterDayOff, RosterEvent
from scheduler.problem_builder import BuiltProblem, booked_elsewhere, build_problem, lock_shared_people
from scheduler.rule_weights import solver_weights
from scheduler.services.rosters import COMPARE_JOB_KIND, RESOLVE_JOB_KIND, ROSTER_AUDIT_FIELDS, audit_roster
from scheduler.solve_words import STOP_REASON_TEXT, progress_words, summary_words
from scheduler.solver import domain as sd
from scheduler.solver.evaluate import evaluate
from scheduler.solver.options import DEFAULT_WORKERS, SolveOptions

logger = logging.getLogger(__name__)
CANCEL_POLL_S = 0.5
CHANGE_WEIGHT = 20  # per changed cell in a re-solve: enough to keep a roster stable, below a cover gap
MAX_EXPLAINED_TERMS = 3000


class _CancelProbe:
    """Ask the database whether the job was cancelled, at most twice a second."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.checked_at = 0.0
        self.cancelled = False

    def __call__(self) -> bool:
        now = time.monotonic()
        if not self.cancelled and now - self.checked_at >= CANCEL_POLL_S:
            self.checked_at = now
            try:
                self.cancelled = job_cancel_requested(job_id=self.job_id)
            except DatabaseError as exc:  # the solver's callback must never raise; ask again next time
                logger.warning("solve job %s: cancellation check failed: %s", self.job_id, exc)
                _renew_connection()
        return self.cancelled


def _renew_connection() -> None:
    """Drop a connection that broke (a database restart) so the next query opens a new one. Never inside a
    transaction: there the caller's transaction owns the connection."""
    if not connection.in_atomic_block:
        close_old_connections()


def _report_progress(job_id: int, p: sd.Progress, time_limit: float) -> None:
    gap = _gap(p.objective, p.bound)
    job_report_progress(
        job_id=job_id,
        progress=min(99, int(100 * p.elapsed / time_limit)),
        message=p.phase or "solving",
        result={
            "elapsed": round(p.elapsed, 2),
            "objective": p.objective,
            "bound": p.bound,
            "gap": gap,
            "hard_violations": p.hard_violations,
            "below_preferred": p.below_preferred,
            "plain": progress_words(
                objective=p.objective,
                gap=gap,
                hard_violations=p.hard_violations,
                below_preferred=p.below_preferred,
            ),
        },
    )


def _gap(objective, bound) -> float | None:
    if objective is None or bound is None:
        return None
    if objective == 0:
        return 0.0
    return max(0.0, (objective - bound) / abs(objective))


def roster_solve_run(*, job_id: int, workers: int = DEFAULT_WORKERS) -> str:
    from scheduler.solver import solve  # imports OR-Tools: only the solve worker pays for it

    if not job_claim(job_id=job_id, reclaim_running=True):
        return "not claimed"  # finished, cancelled before start, or another worker has it
    job = Job.objects.get(id=job_id)
    options = dataclasses.replace(SolveOptions.from_dict(job.params), workers=workers)
    resolve = job.kind == RESOLVE_JOB_KIND
    roster = Roster.objects.select_related("department__parent__parent").get(id=job.params["roster_id"])
    try:
        weights = solver_weights(unit=roster.department, change=CHANGE_WEIGHT if resolve else 0)
        built = build_problem(roster, weights=weights, use_reference=resolve)

        def progress(p: sd.Progress) -> None:
            try:
                _report_progress(job_id, p, float(options.time_limit))
            except DatabaseError as exc:  # progress is best effort: a lost connection must not stop the solve
                logger.warning("solve job %s: progress not recorded: %s", job_id, exc)
                _renew_connection()

        cancel = _CancelProbe(job_id)
        solution = solve(built.problem, options, progress=progress, cancel=cancel)
        _renew_connection()  # the write below needs a live connection even if the database restarted
        stopped_early = cancel.cancelled
        if job.kind == COMPARE_JOB_KIND:
            compared = _compare_summary(built, solution)
            job_succeed(job_id=job_id, result=compared, message=_verdict(compared, f"{solution.engine} done"))
            return "succeeded"
        summary = _write_solution(
            job_id=job_id,
            roster=roster,
            built=built,
            solution=solution,
            stopped_early=stopped_early,
            resolve=resolve,
        )
    except (OperationalError, InterfaceError):
        # The database went away mid-solve (a restart, a failover): the task retries on a new connection
        # and, being idempotent, re-claims the running job and solves again.
        _renew_connection()
        raise
    except Exception as exc:  # a bug or bad data: the job says so, and the roster is not left "solving"
        logger.exception("solve job %s failed", job_id)
        job_fail(  # the roster leaves "solving" with it (ops.jobs.job_ended)
            job_id=job_id, error=f"{exc.__class__.__name__}: {exc}"
        )
        return "failed"
    SOLVER_SECONDS.labels(solution.engine).observe(solution.timings.solve)
    if solution.objective is not None:
        SOLVER_OBJECTIVE.labels(solution.engine).set(solution.objective)
    if (gap := _gap(solution.objective, solution.bound)) is not None:
        SOLVER_GAP.labels(solution.engine).set(gap)
    if stopped_early:
        job_mark_cancelled(job_id=job_id, result=summary, message="stopped early; best roster kept")
        return "cancelled"
    job_succeed(job_id=job_id, result=summary, message=_verdict(summary, solution.message or "solved"))
    return "succeeded"


def _broken_rules(violations) -> dict[str, int]:
    counts: dict[str, int] = {}
    for term in violations:
        counts[term.rule] = counts.get(term.rule, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _verdict(summary: dict, clean_message: str) -> str:
    """The job's message says what the referee (evaluate) found, not what the engine claimed: a roster
    that breaks hard rules is never reported like a clean one."""
    if not summary["hard_violations"]:
        return clean_message
    rules = ", ".join(f"{rule} ×{n}" for rule, n in summary["hard_rules_broken"].items())
    n = summary["hard_violations"]
    return f"{summary['engine']} roster breaks {n} hard rule{'s' if n != 1 else ''}: {rules}"


def _stop_fields(solution: sd.Solution, evaluation) -> dict:
    return {
        "stop_reason": solution.stop_reason or None,
        "stop_reason_text": STOP_REASON_TEXT.get(solution.stop_reason, ""),
        "below_preferred": sum(1 for t in evaluation.penalties if t.rule == "cover_under_preferred"),
    }


def _compare_summary(built: BuiltProblem, solution: sd.Solution) -> dict:
    evaluation = evaluate(built.problem, solution.roster)
    summary = {
        "engine": solution.engine,
        "status": solution.status,
        "objective": evaluation.objective,
        "hard_violations": len(evaluation.violations),
        "hard_rules_broken": _broken_rules(evaluation.violations),
        "breaks_hard_rules": bool(evaluation.violations),
        "bound": solution.bound,
        "gap": _gap(evaluation.objective, solution.bound),
        "first_feasible_s": solution.timings.first_feasible,
        "best_s": solution.timings.best,
        "solve_s": solution.timings.solve,
        "message": solution.message,
        **_stop_fields(solution, evaluation),
        # the compared roster itself, so a planner can open it and adopt it as a new version
        "start_date": built.problem.start_date.isoformat(),
        "roster": {person: list(row) for person, row in solution.roster.items()},
    }
    return {**summary, "plain": summary_words(summary)}


def _explain(built: BuiltProblem, terms, start) -> list[dict]:
    return [
        {
            "rule": t.rule,
            "amount": t.amount,
            "person": int(t.person) if t.person is not None and t.person.isdigit() else t.person,
            "date": (start + timedelta(days=t.day)).isoformat() if t.day is not None else None,
            "shift": t.shift,
            "detail": t.detail,
        }
        for t in terms[:MAX_EXPLAINED_TERMS]
    ]


def _shortfalls(built: BuiltProblem, solution: sd.Solution, start) -> list[dict]:
    result = []
    for s in solution.shortfalls:
        result.append(
            {
                "date": (start + timedelta(days=s.day)).isoformat(),
                "shift": s.shift,
                "skill": s.skill,
                "missing": s.missing,
                "reasons": dict(s.reasons),
                "blocked_people": {
                    built.people[p].name if p in built.people else p: list(rules)
                    for p, rules in dict(s.blocked_people).items()
                },
            }
        )
    return result


@transaction.atomic
def _write_solution(
    *, job_id, roster, built: BuiltProblem, solution: sd.Solution, stopped_early: bool, resolve: bool
) -> dict:
    roster = Roster.objects.select_for_update().get(id=roster.id)
    if roster.job_id != job_id:
        raise RuntimeError(f"roster {roster.id} is now solved by job {roster.job_id}; this result is dropped")
    problem = built.problem
    start = roster.start_date
    evaluation = evaluate(problem, solution.roster)
    before = {(a.person_id, a.date): a.shift_type_id for a in RosterAssignment.objects.filter(roster=roster)}
    pinned = set(RosterAssignment.objects.filter(roster=roster, pinned=True).values_list("person_id", "date"))
    pinned |= set(RosterDayOff.objects.filter(roster=roster).values_list("person_id", "date"))
    RosterAssignment.objects.filter(roster=roster, pinned=False).delete()
    # Another unit may have booked a shared person since this problem was built (its solve or an edit
    # committed meanwhile): under the people's locks, such cells are left off here rather than
    # double-booked, and the summary counts them.
    solved = [(int(p), start + timedelta(days=day), code) for p, day, code in solution.assignments()]
    shared = lock_shared_people(person_ids={p for p, _, _ in solved}, unit_id=roster.department_id)
    taken = booked_elsewhere(person_ids=shared, roster=roster, start=start, end=roster.end_date)
    rows, dropped = [], 0
    for person_id, day, shift_code in solved:
        key = (person_id, day)
        if key in pinned:
            continue
        if key in taken:
            dropped += 1
            continue
        rows.append(
            RosterAssignment(
                roster=roster, person_id=key[0], date=key[1], shift_type=built.shift_types[shift_code]
            )
        )
    RosterAssignment.objects.bulk_create(rows, batch_size=2000)
    after = {(r.person_id, r.date): r.shift_type_id for r in rows} | {
        k: before[k] for k in pinned if k in before
    }
    changed = sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))
    changes = len(changed)
    code_of = {s.pk: code for code, s in built.shift_types.items()}

    gap = _gap(solution.objective, solution.bound)
    summary = {
        "roster_id": roster.id,
        "engine": solution.engine,
        "engine_reason": solution.engine_reason,
        "time_limit": solution.time_limit,
        "workers": solution.workers,
        "status": solution.status,
        "message": solution.message,
        "objective": evaluation.objective,
        "bound": solution.bound,
        "gap": gap,
        "stopped_early": stopped_early,
        "changes": changes if resolve else None,
        "hard_violations": len(evaluation.violations),
        "hard_rules_broken": _broken_rules(evaluation.violations),
        "breaks_hard_rules": bool(evaluation.violations),
        "first_feasible_s": solution.timings.first_feasible,
        "best_s": solution.timings.best,
        "solve_s": solution.timings.solve,
        "assignments": len(after),
        "left_off_booked_elsewhere": dropped,
        **_stop_fields(solution, evaluation),
    }
    summary["plain"] = summary_words(summary)
    by_rule: dict[str, int] = {}
    for term in evaluation.penalties:
        by_rule[term.rule] = by_rule.get(term.rule, 0) + term.amount
    roster.statistics = {
        **summary,
        "penalties_by_rule": by_rule,
        # what this re-solve changed, so the grid can highlight it (a first solve changes nothing)
        "changed_cells": [
            {"person": p, "date": d.isoformat(), "before": code_of.get(before.get((p, d)))}
            for p, d in changed
        ]
        if resolve
        else [],
        "penalties": _explain(built, list(evaluation.penalties), start),
        "violations": _explain(built, list(evaluation.violations), start),
        "shortfalls": _shortfalls(built, solution, start),
        "blocking_rules": {k: list(v) for k, v in dict(solution.blocking_rules).items()},
    }
    before_fields = audit.snapshot(roster, ROSTER_AUDIT_FIELDS)
    roster.objective = evaluation.objective
    roster.bound = solution.bound
    roster.engine = solution.engine
    roster.status = Roster.Status.SOLVED
    roster.revision += 1
    roster.save(
        update_fields=["statistics", "objective", "bound", "engine", "status", "revision", "updated_at"]
    )
    RosterEvent.objects.create(roster=roster, action=RosterEvent.Action.SOLVED, details=summary)
    requested_by = Job.objects.filter(pk=job_id).select_related("requested_by").first()
    audit_roster(
        "roster_solution_write",
        roster,
        {**before_fields, "assignments": len(before)},
        user=requested_by.requested_by if requested_by else None,
        after={**audit.snapshot(roster, ROSTER_AUDIT_FIELDS), "assignments": len(after), "changes": changes},
    )
    bump("roster")
    return summary
