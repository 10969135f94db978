"""Every service that writes leaves an audit entry with before and after, in its own transaction.

The writing services are found, not listed: every public function decorated with `transaction.atomic` in
the domain apps' modules (and the API's own services). Each must have a case below that calls it on real
rows; a new writer without a case fails the first test, so it cannot slip past the trail.
"""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from api import services as api_services
from api.testing import make_user
from capacity import access, budgets
from capacity import catalogue as capacity_catalogue
from capacity import services as capacity_services
from capacity.models import AccessGrant, Person
from capacity.tests.factories import (
    AssignmentFactory,
    LeaveFactory,
    PersonFactory,
    PersonSkillFactory,
    ProjectFactory,
    RoleFactory,
    SkillTagFactory,
    UnitFactory,
)
from forecasting import events
from forecasting import services as forecasting_services
from forecasting.engine.domain import Forecast, TrainResult
from forecasting.models import ForecastModel, ForecastPoint
from forecasting.tests.factories import DemandSeriesFactory
from ops import audit
from ops.errors import ApplicationError
from ops.models import AuditEntry, Job
from scheduler import catalogue as scheduler_catalogue
from scheduler import pay_rates, rule_weights, timesheets
from scheduler.models import Roster, RosterScenario, ShiftRequest
from scheduler.services import batch, compare_adopt, cover, roster_edits, rosters, scenarios
from scheduler.tests.factories import (
    CoverRequirementFactory,
    PayRateFactory,
    PersonContractFactory,
    RosterAssignmentFactory,
    RosterFactory,
    ShiftTypeFactory,
    WorkRulesFactory,
)

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)
SCANNED_APPS = ("capacity", "scheduler", "forecasting", "api")
MONDAY = date(2025, 3, 3)

# Writers that are not a user's write of their own: upkeep inside an audited write, and job records
# (ops.Job keeps who asked, when and what came of it).
NOT_AUDITED = {
    "capacity.week_hours.week_hours_sync": "fact-table upkeep inside an audited assignment write",
    "capacity.week_hours.week_hours_remove": "fact-table upkeep inside an audited delete",
    "capacity.week_hours.week_hours_resync_people": "fact-table upkeep inside an audited person write",
    "capacity.week_hours.role_week_hours_rebuild": "the reconcile command rebuilding derived rows",
    "capacity.aggregates.jobs.aggregate_job_create": "a job record (ops.Job) for an async read",
    "forecasting.retrain_runs.forecast_run_create": "a retrain run record (models: forecast_store)",
}


def _writing_services() -> set[str]:
    found = set()
    for app in SCANNED_APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).parts
            if {"tests", "migrations", "solver", "engine", "management"} & set(parts):
                continue
            module = ".".join(parts)[: -len(".py")]
            for node in ast.parse(path.read_text()).body:
                public = isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
                if public and any(ast.unparse(d) == "transaction.atomic" for d in node.decorator_list):
                    found.add(f"{module}.{node.name}")
    return found


@pytest.fixture
def w(org):
    unit = org["a"]
    role = RoleFactory(name="Nurse")
    person = PersonFactory(department=unit, role=role, name="Ann Able")
    early = ShiftTypeFactory(
        department=unit, code="E", name="Early", start_time=time(7), duration_minutes=480
    )
    rules = WorkRulesFactory(min_rest_hours=11, contract_minutes_per_week=2400)
    PersonContractFactory(person=person, work_rules=rules)
    project = ProjectFactory(department=unit)
    return SimpleNamespace(
        **org,
        unit=unit,
        role=role,
        person=person,
        early=early,
        rules=rules,
        project=project,
        user=make_user("admin", [org["root"]], username="auditor"),
    )


def _solved_roster(w) -> Roster:
    roster = RosterFactory(
        department=w.unit, start_date=MONDAY, end_date=MONDAY + timedelta(days=6), status=Roster.Status.SOLVED
    )
    RosterAssignmentFactory(roster=roster, person=w.person, date=MONDAY, shift_type=w.early)
    return roster


def _compared(w) -> dict:
    """A finished comparison of a solved roster whose roster moves the person's shift a day on."""
    roster = _solved_roster(w)
    job = Job.objects.create(
        kind=rosters.COMPARE_JOB_KIND,
        status=Job.Status.SUCCEEDED,
        params={"roster_id": roster.id},
        result={
            "start_date": MONDAY.isoformat(),
            "roster": {str(w.person.pk): [None, "E", None, None, None, None, None]},
            "engine": "milp",
            "breaks_hard_rules": False,
        },
    )
    return {"roster": roster, "job_id": job.id}


def _solved_scenario(w) -> RosterScenario:
    roster = _solved_roster(w)
    cells = [[str(w.person.pk), (MONDAY + timedelta(days=1)).isoformat(), "E"]]
    return RosterScenario.objects.create(
        base=roster,
        base_revision=roster.revision,
        changes={"cover_scale": 1.5},
        result={"cells": cells, "engine": "cpsat", "status": "feasible"},
    )


def _forecast_result(series) -> TrainResult:
    stamps = tuple(datetime(2025, 3, 3, tzinfo=UTC) + timedelta(days=i) for i in range(3))
    return TrainResult(
        series_key=str(series.pk),
        algorithm="seasonal_naive",
        params={},
        metrics={},
        forecast=Forecast(timestamps=stamps, value=(1.0, 2.0, 3.0)),
        model_json=None,
        duration_s=0.1,
    )


def _forecast_series(w):
    series = DemandSeriesFactory(department=w.unit, staffing={"method": "ratio", "per_staff": {"E": 5}})
    model = ForecastModel.objects.create(
        series=series, algorithm="test", trained_at=timezone.now(), is_current=True, parameters={}
    )
    ForecastPoint.objects.create(model=model, timestamp=datetime(2025, 3, 3, tzinfo=UTC), value=20)
    return series


def _person_row(w, email):
    return {"department": w.unit, "role": w.role, "name": "Bo", "email": email, "hire_date": date(2024, 1, 1)}


# name -> (call on the world, True when the write changes a row that existed before)
CASES = {
    "capacity.catalogue.department_create": (
        lambda w: capacity_catalogue.department_create(name="Ward C", kind="unit", parent=w.site),
        False,
    ),
    "capacity.catalogue.department_update": (
        lambda w: capacity_catalogue.department_update(department=w.unit, name="Ward A2"),
        True,
    ),
    "capacity.catalogue.department_delete": (
        lambda w: capacity_catalogue.department_delete(department=UnitFactory(parent=w.site)),
        True,
    ),
    "capacity.catalogue.role_create": (lambda w: capacity_catalogue.role_create(name="Porter"), False),
    "capacity.catalogue.role_update": (
        lambda w: capacity_catalogue.role_update(role=RoleFactory(name="Clerk"), name="Ward clerk"),
        True,
    ),
    "capacity.catalogue.role_delete": (lambda w: capacity_catalogue.role_delete(role=RoleFactory()), True),
    "capacity.catalogue.skill_create": (lambda w: capacity_catalogue.skill_create(name="IV"), False),
    "capacity.catalogue.skill_update": (
        lambda w: capacity_catalogue.skill_update(skill=SkillTagFactory(name="IV"), name="IV drugs"),
        True,
    ),
    "capacity.catalogue.skill_delete": (
        lambda w: capacity_catalogue.skill_delete(skill=SkillTagFactory()),
        True,
    ),
    "capacity.catalogue.person_skill_set": (
        lambda w: capacity_catalogue.person_skill_set(person=w.person, skill=SkillTagFactory(), level=4),
        False,
    ),
    "capacity.catalogue.person_skill_delete": (
        lambda w: capacity_catalogue.person_skill_delete(person_skill=PersonSkillFactory(person=w.person)),
        True,
    ),
    "capacity.catalogue.person_create": (
        lambda w: capacity_catalogue.person_create(**_person_row(w, "bo@example.test")),
        False,
    ),
    "capacity.catalogue.person_update": (
        lambda w: capacity_catalogue.person_update(person=w.person, name="Ann Abel"),
        True,
    ),
    "capacity.catalogue.person_delete": (
        lambda w: capacity_catalogue.person_delete(person=PersonFactory(department=w.unit)),
        True,
    ),
    "capacity.catalogue.people_bulk_create": (
        lambda w: capacity_catalogue.people_bulk_create(rows=[_person_row(w, "b1@example.test")]),
        False,
    ),
    "capacity.catalogue.leave_create": (
        lambda w: capacity_catalogue.leave_create(person=w.person, start_date=MONDAY, end_date=MONDAY),
        False,
    ),
    "capacity.catalogue.leave_update": (
        lambda w: capacity_catalogue.leave_update(
            leave=LeaveFactory(person=w.person), end_date=MONDAY + timedelta(days=1)
        ),
        True,
    ),
    "capacity.catalogue.leave_delete": (
        lambda w: capacity_catalogue.leave_delete(leave=LeaveFactory(person=w.person)),
        True,
    ),
    "capacity.catalogue.project_create": (
        lambda w: capacity_catalogue.project_create(name="Audit", department=w.unit),
        False,
    ),
    "capacity.catalogue.project_update": (
        lambda w: capacity_catalogue.project_update(project=w.project, name="Renamed"),
        True,
    ),
    "capacity.catalogue.project_delete": (
        lambda w: capacity_catalogue.project_delete(project=ProjectFactory(department=w.unit)),
        True,
    ),
    "capacity.services.assignment_create": (
        lambda w: capacity_services.assignment_create(
            person=w.person, project=w.project, role=w.role, weekly_hours={"2025-03-03": 10}
        ),
        False,
    ),
    "capacity.services.assignment_update": (
        lambda w: capacity_services.assignment_update(
            assignment=AssignmentFactory(person=w.person, project=w.project),
            weekly_hours={"2025-03-03": 12},
        ),
        True,
    ),
    "capacity.services.assignment_delete": (
        lambda w: capacity_services.assignment_delete(
            assignment=AssignmentFactory(person=w.person, project=w.project)
        ),
        True,
    ),
    "capacity.services.assignments_bulk_update_hours": (
        lambda w: capacity_services.assignments_bulk_update_hours(
            items=[
                {
                    "assignment_id": AssignmentFactory(person=w.person, project=w.project).pk,
                    "weekly_hours": {"2025-03-03": 8},
                    "expected_version": 1,
                }
            ]
        ),
        True,
    ),
    "capacity.access.access_grant_set": (
        lambda w: access.access_grant_set(user=make_user(), department=w.unit, role="viewer"),
        False,
    ),
    "capacity.access.access_grant_delete": (
        lambda w: access.access_grant_delete(
            grant=AccessGrant.objects.create(user=make_user(), department=w.unit, role="viewer")
        ),
        True,
    ),
    "capacity.budgets.labour_budget_set": (
        lambda w: budgets.labour_budget_set(
            unit=w.unit, week=MONDAY, hours=Decimal(900), cost=Decimal(25000)
        ),
        False,
    ),
    "capacity.budgets.labour_budgets_set_range": (
        lambda w: budgets.labour_budgets_set_range(
            unit=w.unit, first_week=MONDAY, weeks=2, hours=Decimal(10), cost=Decimal(200)
        ),
        False,
    ),
    "capacity.budgets.labour_budget_delete": (
        lambda w: (
            budgets.labour_budget_set(unit=w.unit, week=MONDAY, hours=Decimal(1), cost=Decimal(1)),
            budgets.labour_budget_delete(unit=w.unit, week=MONDAY),
        ),
        True,
    ),
    "scheduler.catalogue.shift_type_create": (
        lambda w: scheduler_catalogue.shift_type_create(
            department=w.unit,
            code="N",
            name="Night",
            start_time=time(21),
            duration_minutes=600,
            paid_minutes=570,
        ),
        False,
    ),
    "scheduler.catalogue.shift_type_update": (
        lambda w: scheduler_catalogue.shift_type_update(shift_type=w.early, name="Early day"),
        True,
    ),
    "scheduler.catalogue.shift_type_delete": (
        lambda w: scheduler_catalogue.shift_type_delete(
            shift_type=ShiftTypeFactory(department=w.unit, code="X", start_time=time(9))
        ),
        True,
    ),
    "scheduler.catalogue.work_rules_create": (
        lambda w: scheduler_catalogue.work_rules_create(name="Part time", contract_minutes_per_week=1200),
        False,
    ),
    "scheduler.catalogue.work_rules_update": (
        lambda w: scheduler_catalogue.work_rules_update(work_rules=w.rules, min_rest_hours=12),
        True,
    ),
    "scheduler.catalogue.work_rules_delete": (
        lambda w: scheduler_catalogue.work_rules_delete(work_rules=WorkRulesFactory()),
        True,
    ),
    "scheduler.catalogue.cover_requirement_create": (
        lambda w: scheduler_catalogue.cover_requirement_create(
            department=w.unit, date=MONDAY, shift_type=w.early, minimum=2
        ),
        False,
    ),
    "scheduler.catalogue.cover_requirement_update": (
        lambda w: scheduler_catalogue.cover_requirement_update(
            cover=CoverRequirementFactory(department=w.unit, date=MONDAY, shift_type=w.early, minimum=1),
            minimum=3,
            preferred=4,
        ),
        True,
    ),
    "scheduler.catalogue.cover_requirement_delete": (
        lambda w: scheduler_catalogue.cover_requirement_delete(
            cover=CoverRequirementFactory(department=w.unit, date=MONDAY, shift_type=w.early)
        ),
        True,
    ),
    "scheduler.catalogue.cover_requirements_bulk_create": (
        lambda w: scheduler_catalogue.cover_requirements_bulk_create(
            rows=[{"department": w.unit, "date": MONDAY, "shift_type": w.early, "minimum": 2}]
        ),
        False,
    ),
    "scheduler.catalogue.shift_request_create": (
        lambda w: scheduler_catalogue.shift_request_create(person=w.person, date=MONDAY, kind="off"),
        False,
    ),
    "scheduler.catalogue.shift_request_update": (
        lambda w: scheduler_catalogue.shift_request_update(
            shift_request=ShiftRequest.objects.create(person=w.person, date=MONDAY, kind="off"), weight=3
        ),
        True,
    ),
    "scheduler.catalogue.shift_request_delete": (
        lambda w: scheduler_catalogue.shift_request_delete(
            shift_request=ShiftRequest.objects.create(person=w.person, date=MONDAY, kind="off")
        ),
        True,
    ),
    "scheduler.pay_rates.pay_rate_create": (
        lambda w: pay_rates.pay_rate_create(
            person=w.person, valid_from=date(2020, 1, 6), hourly_rate=Decimal("21.50")
        ),
        False,
    ),
    "scheduler.pay_rates.pay_rate_update": (
        lambda w: pay_rates.pay_rate_update(rate=PayRateFactory(person=w.person), hourly_rate=Decimal(23)),
        True,
    ),
    "scheduler.pay_rates.pay_rate_delete": (
        lambda w: pay_rates.pay_rate_delete(rate=PayRateFactory(person=w.person)),
        True,
    ),
    "scheduler.timesheets.timesheet_upload": (
        lambda w: timesheets.timesheet_upload(
            unit=w.unit,
            rows=[{"person": w.person.email, "date": "2025-03-03", "start": "07:00", "end": "15:00"}],
        ),
        False,
    ),
    "scheduler.rule_weights.rule_weights_set": (
        lambda w: rule_weights.rule_weights_set(unit=w.unit, fairness_nights=5),
        False,
    ),
    "scheduler.services.cover.cover_fill_from_forecast": (
        lambda w: (
            _forecast_series(w),
            cover.cover_fill_from_forecast(unit=w.unit, start=MONDAY, end=MONDAY),
        ),
        False,
    ),
    "scheduler.services.rosters.roster_generate": (
        lambda w: rosters.roster_generate(
            unit=w.unit, start_date=MONDAY, end_date=MONDAY + timedelta(days=6), user=w.user
        ),
        False,
    ),
    "scheduler.services.rosters.roster_resolve": (
        lambda w: rosters.roster_resolve(roster=_solved_roster(w), user=w.user),
        True,
    ),
    "scheduler.services.rosters.roster_publish": (
        lambda w: rosters.roster_publish(roster=_solved_roster(w), user=w.user),
        True,
    ),
    "scheduler.services.rosters.roster_delete": (
        lambda w: rosters.roster_delete(roster=_solved_roster(w), user=w.user),
        True,
    ),
    "scheduler.services.rosters.roster_new_version": (
        lambda w: rosters.roster_new_version(
            roster=rosters.roster_publish(roster=_solved_roster(w), user=w.user), user=w.user
        ),
        False,
    ),
    "scheduler.services.rosters.roster_compare": (
        lambda w: rosters.roster_compare(roster=_solved_roster(w), engines=["cpsat", "milp"], user=w.user),
        False,
    ),
    "scheduler.services.batch.roster_batch_plan": (
        lambda w: batch.roster_batch_plan(department=w.unit, start_date=MONDAY, weeks=1, user=w.user),
        False,
    ),
    "scheduler.services.compare_adopt.roster_adopt_comparison": (
        lambda w: compare_adopt.roster_adopt_comparison(**_compared(w), user=w.user)[0],
        True,
    ),
    "scheduler.services.scenarios.scenario_create": (
        lambda w: scenarios.scenario_create(
            roster=_solved_roster(w), changes={"cover_scale": 1.5}, user=w.user
        ),
        False,
    ),
    "scheduler.services.scenarios.scenario_adopt": (
        lambda w: scenarios.scenario_adopt(scenario=_solved_scenario(w), user=w.user),
        True,
    ),
    "scheduler.services.roster_edits.roster_cells_change": (
        lambda w: roster_edits.roster_cells_change(
            roster=_solved_roster(w),
            changes=[roster_edits.CellChange(person_id=w.person.pk, day=MONDAY, shift=None)],
            user=w.user,
        ),
        True,
    ),
    "scheduler.services.roster_edits.roster_undo": (
        lambda w: roster_edits.roster_undo(
            roster=roster_edits.roster_cells_change(
                roster=_solved_roster(w),
                changes=[roster_edits.CellChange(person_id=w.person.pk, day=MONDAY, shift=None)],
                user=w.user,
            ).roster,
            user=w.user,
        ),
        True,
    ),
    "forecasting.services.forecast_store": (
        lambda w: forecasting_services.forecast_store(
            series=(series := DemandSeriesFactory(department=w.unit)), result=_forecast_result(series)
        ),
        False,
    ),
    "forecasting.services.observations_upload": (
        lambda w: forecasting_services.observations_upload(
            series=DemandSeriesFactory(department=w.unit),
            rows=[{"timestamp": "2025-03-03T00:00:00", "value": "4"}],
        ),
        False,
    ),
    "forecasting.events.demand_event_create": (
        lambda w: events.demand_event_create(unit=w.unit, name="Flu", start_date=MONDAY, end_date=MONDAY),
        False,
    ),
    "forecasting.events.demand_event_update": (
        lambda w: events.demand_event_update(
            event=events.demand_event_create(unit=w.unit, name="Flu", start_date=MONDAY, end_date=MONDAY),
            name="Flu season",
        ),
        True,
    ),
    "forecasting.events.demand_event_delete": (
        lambda w: events.demand_event_delete(
            event=events.demand_event_create(unit=w.unit, name="Flu", start_date=MONDAY, end_date=MONDAY)
        ),
        True,
    ),
    "api.services.api_key_create": (
        lambda w: api_services.api_key_create(user=w.user, name="payroll", scopes=["read"]),
        False,
    ),
    "api.services.api_key_revoke": (
        lambda w: api_services.api_key_revoke(
            key=api_services.api_key_create(user=w.user, name="payroll", scopes=["read"])[0]
        ),
        False,  # its only change is revoked_at, null before
    ),
}


def test_every_writing_service_has_an_audit_case():
    # given the writing services found in the code, less the named exceptions
    writers = _writing_services() - set(NOT_AUDITED)

    # then each has a case here, and no case names a service that is gone
    assert writers - set(CASES) == set(), "a writing service without an audit case"
    assert set(CASES) - writers == set(), "a case for a service that no longer writes (or moved)"
    assert set(NOT_AUDITED) <= _writing_services()


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_writing_service_leaves_an_entry_with_before_and_after(w, name):
    # given a user acting, and the entries already there
    call, changes_an_existing_row = CASES[name]
    action = name.rsplit(".", 1)[1]
    seen = set(AuditEntry.objects.filter(action=action).values_list("pk", flat=True))

    # when the service writes
    with audit.acting_as(w.user):
        call(w)

    # then it left an entry naming the actor, the object and the fields it changed, before and after
    entries = list(AuditEntry.objects.filter(action=action).exclude(pk__in=seen))
    assert entries, f"{name} wrote no audit entry"
    entry = entries[-1]
    assert entry.actor == w.user
    assert entry.object_type and entry.object_id
    assert entry.changes
    assert all(set(change) == {"before", "after"} for change in entry.changes.values())
    if changes_an_existing_row:
        assert any(change["before"] is not None for change in entry.changes.values())


def test_an_update_records_only_the_fields_it_changed(w):
    capacity_catalogue.person_update(person=w.person, name="Ann Abel")

    entry = AuditEntry.objects.get(action="person_update")
    assert entry.changes == {"name": {"before": "Ann Able", "after": "Ann Abel"}}
    assert (entry.object_type, entry.object_id, entry.department_id) == (
        "capacity.person",
        str(w.person.pk),
        w.unit.pk,
    )


def test_a_delete_refused_after_its_entry_was_written_leaves_no_entry(w):
    # given a role still held by a person (the delete records, then the database refuses it)
    with pytest.raises(ApplicationError):
        capacity_catalogue.role_delete(role=w.role)

    # then the refused write left no trace in the trail
    assert not AuditEntry.objects.filter(action="role_delete").exists()


@pytest.mark.parametrize(
    "failing_write",
    [
        lambda w: timesheets.timesheet_upload(
            unit=w.unit,
            rows=[
                {"person": w.person.email, "date": "2025-03-03", "start": "07:00", "end": "15:00"},
                {"person": "nobody", "date": "2025-03-04", "start": "07:00", "end": "15:00"},
            ],
        ),
        lambda w: budgets.labour_budget_set(unit=w.unit, week=MONDAY, hours=Decimal(-1), cost=Decimal(1)),
        lambda w: capacity_catalogue.people_bulk_create(
            rows=[_person_row(w, "twice@example.test"), _person_row(w, "twice@example.test")]
        ),
        lambda w: pay_rates.pay_rate_create(
            person=w.person, role=w.role, valid_from=MONDAY, hourly_rate=Decimal(20)
        ),
    ],
    ids=["timesheet-bad-row", "budget-negative", "people-duplicate", "rate-person-and-role"],
)
def test_a_failed_write_leaves_no_entry(w, failing_write):
    entries = AuditEntry.objects.count()  # the fixture's own writes (the user's grant)

    with pytest.raises(ApplicationError):
        failing_write(w)

    assert AuditEntry.objects.count() == entries


def test_an_entry_written_inside_a_transaction_that_rolls_back_is_gone(w):
    # given a write whose outer transaction fails after the service returned
    entries = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        capacity_catalogue.person_update(person=w.person, name="Ann Abel")
        raise RuntimeError("the caller's next step failed")

    assert AuditEntry.objects.count() == entries
    assert Person.objects.get(pk=w.person.pk).name == "Ann Able"


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_run_outside_a_transaction():
    # the guard that makes "same transaction as the write" hold for every caller: autocommit is refused
    with pytest.raises(RuntimeError):
        audit.record(action="nothing", object_type="x", object_id=1)
    assert not AuditEntry.objects.exists()


def test_an_api_key_write_names_the_key(w, client):
    # given an integration's key with write scope on unit A
    key, raw = api_services.api_key_create(user=w.user, name="payroll", scopes=["read", "write"])

    # when it sets a budget through the API
    response = client.put(
        f"/api/units/{w.unit.pk}/budgets/2025-03-03",
        {"hours": 900, "cost": 25000},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {raw}",
    )

    # then the entry names the key's owner and the key
    assert response.status_code == 200, response.content
    entry = AuditEntry.objects.get(action="labour_budget_set")
    assert entry.actor == w.user
    assert entry.actor_key == f"{key.prefix} payroll"
    assert entry.department_id == w.unit.pk
    assert entry.changes["hours"] == {"before": None, "after": "900.00"}
