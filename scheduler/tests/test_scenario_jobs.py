"""A what-if scenario end to end on a real Celery worker (Redis broker, PostgreSQL): the base roster is
solved by the worker, then a scenario of it; the base's cells, version and revision are untouched."""

from __future__ import annotations

import pytest

from conftest import wait_for
from ops.models import Job
from scheduler.models import Roster, RosterAssignment, RosterEvent, RosterScenario
from scheduler.problem_builder import build_problem
from scheduler.services.rosters import roster_generate
from scheduler.services.scenarios import scenario_adopt, scenario_create
from scheduler.solver.evaluate import evaluate
from scheduler.tests.scenario_setup import scenario_ward

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _finished(job_id):
    job = Job.objects.get(id=job_id)
    return job if job.is_finished else None


def _cells(roster):
    return sorted(
        RosterAssignment.objects.filter(roster=roster).values_list(
            "person_id", "date", "shift_type_id", "pinned"
        )
    )


def test_a_scenario_solved_by_the_worker_changes_nothing_in_its_base(celery_worker_process):
    # given a roster of a unit on fixed dates, solved by the worker
    ward = scenario_ward()
    roster = roster_generate(
        unit=ward.unit, start_date=ward.start, end_date=ward.end, engine="cpsat", time_limit=5
    )
    job = wait_for(lambda: _finished(roster.job_id), timeout=90)
    assert job.status == Job.Status.SUCCEEDED, job.error
    roster.refresh_from_db()
    # the base's own problem, rebuilt after its solve, is still feasible (nothing in it moves with the date)
    built = build_problem(roster)
    assert evaluate(built.problem, _grid(roster, built)).violations == ()
    before = (
        _cells(roster),
        roster.version,
        roster.revision,
        roster.status,
        roster.updated_at,
        roster.job_id,
    )
    events = RosterEvent.objects.filter(roster=roster).count()

    # when a scenario leaves a person out, raises the cover and charges the budget, solved by the worker
    scenario = scenario_create(
        roster=roster,
        changes={
            "remove_people": [ward.people[0].pk],
            "cover_scale": 1.5,
            "budget": {"hours": 120},
            "rule_weights": {"labour_budget_over": 5},
            "work_rules": {str(ward.rules.pk): {"max_consecutive_work_days": 5}},
        },
        time_limit=5,
    )
    job = wait_for(lambda: _finished(scenario.job_id), timeout=90)

    # then the job succeeded on the solve queue, the scenario holds its own roster and figures...
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.kind == "roster.scenario" and job.result["scenario_id"] == scenario.pk
    scenario.refresh_from_db()
    assert scenario.result["cells"] and scenario.result["figures"]["hard_violations"] == 0
    assert all(int(p) != ward.people[0].pk for p, _, _ in scenario.result["cells"])
    assert "labour_budget_over" in scenario.result["figures"]["penalties_by_rule"]
    # ...and the base roster is exactly as it was: cells, version, revision, status, job, events
    roster.refresh_from_db()
    assert (
        _cells(roster),
        roster.version,
        roster.revision,
        roster.status,
        roster.updated_at,
        roster.job_id,
    ) == before
    assert RosterEvent.objects.filter(roster=roster).count() == events

    # when the scenario is adopted, the roster's next revision holds its cells
    adopted = scenario_adopt(scenario=scenario)
    assert adopted.pk == roster.pk and adopted.revision == roster.revision + 1
    held = {
        (str(p), d.isoformat(), s)
        for p, d, s in RosterAssignment.objects.filter(roster=roster).values_list(
            "person_id", "date", "shift_type__code"
        )
    }
    assert held == {tuple(c) for c in scenario.result["cells"]}
    assert RosterScenario.objects.get(pk=scenario.pk).adopted_as_id == roster.pk


def _grid(roster: Roster, built):
    problem = built.problem
    grid = {p.id: [None] * problem.num_days for p in problem.staff}
    for a in RosterAssignment.objects.filter(roster=roster).select_related("shift_type"):
        grid[str(a.person_id)][(a.date - roster.start_date).days] = a.shift_type.code
    return {k: tuple(v) for k, v in grid.items()}
