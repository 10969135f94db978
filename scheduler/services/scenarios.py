"""What-if scenarios of a roster: try one (a solve job on the `solve` queue), solve it on a worker into the
scenario's own record, compare it with its base, adopt it as the roster's next version.

Trying and solving a scenario never writes to the base roster: its cells, version and revision stay as
they were (the job is not the roster's job, and the result is the scenario's row). Only adopting writes
to a roster.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from datetime import date, timedelta

from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from capacity.models import Department
from ops import audit
from ops.cache import bump
from ops.errors import ApplicationError
from ops.jobs import job_claim, job_fail, job_mark_cancelled, job_start, job_succeed
from ops.models import Job
from scheduler.models import Roster, RosterAssignment, RosterDayOff, RosterEvent, RosterScenario
from scheduler.problem_builder import build_problem
from scheduler.roster_diff import roster_diff_cells
from scheduler.rule_weights import solver_weights
from scheduler.scenario_changes import (
    NEW_PERSON_PREFIX,
    scenario_changes_check,
    scenario_changes_parse,
    scenario_problem,
)
from scheduler.scenario_figures import roster_figures
from scheduler.selectors import shift_types_for_unit
from scheduler.services.rosters import (
    ROSTER_AUDIT_FIELDS,
    SCENARIO_JOB_KIND,
    _admit_solves,
    audit_roster,
    roster_new_version,
    solve_options,
)
from scheduler.services.solving import (
    _broken_rules,
    _CancelProbe,
    _explain,
    _renew_connection,
    _report_progress,
)
from scheduler.solver import domain as sd
from scheduler.solver.evaluate import evaluate
from scheduler.solver.options import AUTO, DEFAULT_TIME_LIMIT_S, SolveOptions

logger = logging.getLogger(__name__)
SCENARIO_TASK = "scheduler.tasks.roster_scenario_solve"
MAX_SCENARIOS_PER_ROSTER = 50


SCENARIO_AUDIT_FIELDS = ("base", "base_revision", "changes", "job")


@transaction.atomic
def scenario_create(
    *, roster: Roster, changes: dict, time_limit: float = DEFAULT_TIME_LIMIT_S, user=None
) -> RosterScenario:
    """Check the changes, record the scenario and start its solve job (enqueued on commit)."""
    parsed = scenario_changes_parse(changes)
    options = solve_options(engine=AUTO, time_limit=time_limit)
    Department.objects.select_for_update().filter(
        pk=roster.department_id
    ).first()  # one unit's solves in turn
    base = Roster.objects.get(pk=roster.pk)  # read, never written here
    scenario_changes_check(parsed, roster=base)
    if RosterScenario.objects.filter(base=base).count() >= MAX_SCENARIOS_PER_ROSTER:
        raise ApplicationError(
            f"A roster keeps at most {MAX_SCENARIOS_PER_ROSTER} scenarios",
            extra={"limit": MAX_SCENARIOS_PER_ROSTER},
            status=409,
        )
    _admit_solves(department_id=base.department_id, user=user, options=[options])
    scenario = RosterScenario.objects.create(
        base=base, base_revision=base.revision, changes=changes, created_by=user
    )
    scenario.job = job_start(
        kind=SCENARIO_JOB_KIND,
        task=SCENARIO_TASK,
        params={"scenario_id": scenario.pk, "base_roster_id": base.pk, **options.to_dict()},
        requested_by=user,
        department_id=base.department_id,
    )
    scenario.save(update_fields=["job"])
    with audit.acting_as(user) if user is not None else nullcontext():
        audit.record(
            action="scenario_create",
            obj=scenario,
            department_id=base.department_id,
            before={},
            after=audit.snapshot(scenario, SCENARIO_AUDIT_FIELDS),
        )
    return scenario


def _cells(solution_roster: sd.Roster, start: date) -> list[list]:
    return [
        [person, (start + timedelta(days=day)).isoformat(), shift]
        for person, row in sorted(solution_roster.items())
        for day, shift in enumerate(row)
        if shift is not None
    ]


def scenario_solve_run(*, job_id: int) -> str:
    """The scenario's solve on a worker: claim, build the changed Problem, solve, keep the result on the
    scenario. Safe to run twice (a redelivery solves again and replaces the result)."""
    from scheduler.solver import solve  # imports OR-Tools: only the solve worker pays for it

    if not job_claim(job_id=job_id, reclaim_running=True):
        return "not claimed"
    job = Job.objects.get(id=job_id)
    options = SolveOptions.from_dict(job.params)
    scenario = RosterScenario.objects.select_related("base__department").get(pk=job.params["scenario_id"])
    try:
        built, names = scenario_problem(scenario.base, scenario_changes_parse(scenario.changes))
        cancel = _CancelProbe(job_id)

        def progress(p: sd.Progress) -> None:
            try:
                _report_progress(job_id, p, float(options.time_limit))
            except DatabaseError as exc:  # best effort: a lost connection must not stop the solve
                logger.warning("scenario job %s: progress not recorded: %s", job_id, exc)
                _renew_connection()

        solution = solve(built.problem, options, progress=progress, cancel=cancel)
        _renew_connection()
        figures = roster_figures(built.problem, solution.roster)
        result = {
            "engine": solution.engine,
            "status": solution.status,
            "message": solution.message,
            "stopped_early": cancel.cancelled,
            "cells": _cells(solution.roster, scenario.base.start_date),
            "people": names,
            "figures": figures,
        }
        RosterScenario.objects.filter(pk=scenario.pk).update(result=result)
    except (OperationalError, InterfaceError):
        _renew_connection()
        raise  # the task retries on a new connection
    except Exception as exc:  # bad data or a bug: the job says so
        logger.exception("scenario job %s failed", job_id)
        job_fail(job_id=job_id, error=f"{exc.__class__.__name__}: {exc}")
        return "failed"
    summary = {
        "scenario_id": scenario.pk,
        "engine": solution.engine,
        "status": solution.status,
        "objective": figures["objective"],
        "hard_violations": figures["hard_violations"],
    }
    if cancel.cancelled:
        job_mark_cancelled(job_id=job_id, result=summary, message="stopped early; best scenario kept")
        return "cancelled"
    job_succeed(job_id=job_id, result=summary, message=solution.message or "scenario solved")
    return "succeeded"


def _grid(roster: Roster, problem: sd.Problem) -> dict[str, tuple[str | None, ...]]:
    """The roster's cells as the solver's roster over `problem`'s people."""
    grid = {p.id: [None] * problem.num_days for p in problem.staff}
    rows = RosterAssignment.objects.filter(roster=roster).values_list("person_id", "date", "shift_type__code")
    for person_id, day, code in rows:
        if str(person_id) in grid and code in {s.id for s in problem.shift_types}:
            grid[str(person_id)][(day - roster.start_date).days] = code
    return {pid: tuple(row) for pid, row in grid.items()}


def roster_base_figures(*, roster: Roster) -> tuple[dict, dict[str, str]]:
    """The roster's own figures on its own inputs, and its people's names by id."""
    built = build_problem(roster, weights=solver_weights(unit=roster.department), for_solver=False)
    return roster_figures(built.problem, _grid(roster, built.problem)), {
        pid: p.name for pid, p in built.people.items()
    }


def _scenario_cells(scenario: RosterScenario) -> dict[tuple[str, str], str]:
    return {(person, day): shift for person, day, shift in scenario.result.get("cells", [])}


def scenario_comparison(*, roster: Roster) -> dict:
    """The base and each scenario side by side: figures, job state, and the cells each changes."""
    base_figures, names = roster_base_figures(roster=roster)
    base_cells = {
        (str(pid), day.isoformat()): code
        for pid, day, code in RosterAssignment.objects.filter(roster=roster).values_list(
            "person_id", "date", "shift_type__code"
        )
    }
    scenarios = []
    for scenario in RosterScenario.objects.filter(base=roster).select_related("job").order_by("id"):
        solved = bool(scenario.result)
        people = {**names, **scenario.result.get("people", {})}
        scenarios.append(
            {
                "id": scenario.pk,
                "changes": scenario.changes,
                "base_revision": scenario.base_revision,
                "created_at": scenario.created_at.isoformat(),
                "job": scenario.job_id,
                "job_status": scenario.job.status if scenario.job else None,
                "solved": solved,
                "engine": scenario.result.get("engine"),
                "status": scenario.result.get("status"),
                "figures": scenario.result.get("figures"),
                "differences": roster_diff_cells(base_cells, _scenario_cells(scenario), people)
                if solved
                else [],
                "adopted_as": scenario.adopted_as_id,
            }
        )
    return {
        "roster": roster.pk,
        "revision": roster.revision,
        "version": roster.version,
        "base": base_figures,
        "scenarios": scenarios,
    }


@transaction.atomic
def scenario_adopt(*, scenario: RosterScenario, user=None) -> Roster:
    """Make the scenario's cells the roster's next state: a new version of a published roster, or the
    next revision of an unpublished one. Only the cells are adopted; the changed inputs (cover, budgets,
    contracts, weights) stay the scenario's until set on the unit itself."""
    scenario = RosterScenario.objects.select_for_update().get(pk=scenario.pk)
    base = Roster.objects.select_for_update().get(pk=scenario.base_id)
    if not scenario.result:
        raise ApplicationError("The scenario is not solved yet", extra={"job": scenario.job_id}, status=409)
    if scenario.adopted_as_id is not None:
        raise ApplicationError(
            "The scenario was adopted already", extra={"roster": scenario.adopted_as_id}, status=409
        )
    if base.revision != scenario.base_revision or base.status == Roster.Status.SOLVING:
        raise ApplicationError(
            "The roster changed since the scenario was tried; try it again",
            extra={"revision": base.revision, "scenario_revision": scenario.base_revision},
            status=409,
        )
    unit_people = set(base.department.people.values_list("pk", flat=True))
    cells = scenario.result["cells"]
    outsiders = sorted(
        {p for p, _, _ in cells if p.startswith(NEW_PERSON_PREFIX) or int(p) not in unit_people}
    )
    if outsiders:
        names = scenario.result.get("people", {})
        raise ApplicationError(
            "The scenario rosters people who are not in the unit (new hires or people of other units); "
            "add them to the unit first",
            extra={"people": {p: names.get(p, p) for p in outsiders}},
            status=409,
        )
    target = roster_new_version(roster=base, user=user) if base.status == Roster.Status.PUBLISHED else base
    before = audit.snapshot(target, ROSTER_AUDIT_FIELDS)
    _write_cells(target, cells)
    target = Roster.objects.get(pk=target.pk)
    built = build_problem(target, weights=solver_weights(unit=target.department), for_solver=False)
    evaluation = evaluate(built.problem, _grid(target, built.problem))
    by_rule: dict[str, int] = {}
    for term in evaluation.penalties:
        by_rule[term.rule] = by_rule.get(term.rule, 0) + term.amount
    target.statistics = {
        "engine": scenario.result.get("engine", ""),
        "status": scenario.result.get("status", ""),
        "message": f"adopted from scenario {scenario.pk}",
        "objective": evaluation.objective,
        "hard_violations": len(evaluation.violations),
        "hard_rules_broken": _broken_rules(evaluation.violations),
        "breaks_hard_rules": bool(evaluation.violations),
        "penalties_by_rule": by_rule,
        "penalties": _explain(built, list(evaluation.penalties), target.start_date),
        "violations": _explain(built, list(evaluation.violations), target.start_date),
        "adopted_from_scenario": scenario.pk,
    }
    target.objective = evaluation.objective
    target.status = Roster.Status.SOLVED
    target.revision += 1
    target.save(update_fields=["statistics", "objective", "status", "revision", "updated_at"])
    RosterEvent.objects.create(
        roster=target,
        action=RosterEvent.Action.EDIT,
        actor=user,
        details={"adopted_scenario": scenario.pk, "from_roster": base.pk, "changes": scenario.changes},
    )
    scenario.adopted_as = target
    scenario.adopted_at = timezone.now()
    scenario.save(update_fields=["adopted_as", "adopted_at"])
    audit_roster("scenario_adopt", target, before, user=user)
    bump("roster")
    return target


def _write_cells(roster: Roster, cells: list[list]) -> None:
    """The scenario's cells in place of the roster's unlocked ones (locked cells were the scenario's pins)."""
    locked = set(RosterAssignment.objects.filter(roster=roster, pinned=True).values_list("person_id", "date"))
    locked |= set(RosterDayOff.objects.filter(roster=roster).values_list("person_id", "date"))
    codes = {s.code: s for s in shift_types_for_unit(roster.department)}
    RosterAssignment.objects.filter(roster=roster, pinned=False).delete()
    RosterAssignment.objects.bulk_create(
        [
            RosterAssignment(roster=roster, person_id=int(p), date=date.fromisoformat(d), shift_type=codes[s])
            for p, d, s in cells
            if (int(p), date.fromisoformat(d)) not in locked
        ],
        batch_size=2000,
    )
