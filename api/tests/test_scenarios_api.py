"""What-if scenarios through the API: bad changes refused with the field named, a scenario solved (the
job's body run here; tests/test_scenario_jobs.py runs it on a real worker) compared and adopted."""

from __future__ import annotations

import pytest
from django.db import transaction

from api.testing import api_client, make_user
from capacity.tests.factories import PersonFactory
from ops.models import Job
from scheduler.models import Roster, RosterAssignment, RosterScenario
from scheduler.services.scenarios import scenario_solve_run
from scheduler.tests.scenario_setup import scenario_ward, solved_roster

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward():
    return scenario_ward()


@pytest.fixture
def planner(ward):
    return api_client(make_user("planner", [ward.unit.parent]))


def _url(roster, tail=""):
    return f"/api/rosters/{roster.pk}/scenarios{tail}"


def _cells(roster):
    return sorted(
        RosterAssignment.objects.filter(roster=roster).values_list("person_id", "date", "shift_type_id")
    )


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({}, 400, None),
        ({"hire": [1]}, 400, "changes"),
        ({"cover_scale": 0}, 400, "cover_scale"),
        ({"cover_scale": "double"}, 400, "cover_scale"),
        ({"cover_scale": 11}, 400, "cover_scale"),
        ({"remove_people": "everyone"}, 400, "remove_people"),
        ({"remove_people": [1, 1]}, 400, "remove_people"),
        ({"add_people": [{"like": 1, "count": 0}]}, 400, "add_people.count"),
        ({"cover": [{"date": "soon", "shift": "E", "minimum": 2}]}, 400, "cover.date"),
        ({"cover": [{"date": "2031-03-04", "shift": "E"}]}, 400, "cover"),
        ({"cover": [{"date": "2031-03-04", "shift": "E", "minimum": -1}]}, 400, "cover.minimum"),
        ({"work_rules": {"x": {"min_rest_hours": 8}}}, 400, "work_rules"),
        ({"work_rules": {"99999999999": {"min_rest_hours": 8}}}, 400, "work_rules"),
        ({"add_people": [99999999999]}, 400, "add_people"),
        ({"work_rules": {"1": {"bedtime": 8}}}, 400, "work_rules"),
        ({"work_rules": {"1": {"min_rest_hours": 99}}}, 400, "work_rules.1.min_rest_hours"),
        ({"rule_weights": {"kindness": 3}}, 400, "rule_weights"),
        ({"rule_weights": {"labour_budget_over": -3}}, 400, "rule_weights.labour_budget_over"),
        ({"budget": {"hours": -5}}, 400, "budget.hours"),
        ({"budget": {"hours": "NaN"}}, 400, "budget.hours"),
        ({"budget": {"money": 5}}, 400, "budget"),
        ({"cover": [{"date": "2031-05-01", "shift": "E", "minimum": 2}]}, 422, "cover.date"),
        ({"cover": [{"date": "2031-03-04", "shift": "Z", "minimum": 2}]}, 422, "cover.shift"),
        ({"remove_people": [999999]}, 422, "remove_people"),
        ({"add_people": [999999]}, 422, "add_people"),
        ({"work_rules": {"999999": {"min_rest_hours": 8}}}, 422, "work_rules"),
    ],
)
def test_bad_changes_are_refused_with_the_field_named(ward, planner, changes, status, field):
    # given a solved roster
    roster = solved_roster(ward)
    # when a scenario is posted with a bad change
    response = planner.post(_url(roster), {"changes": changes, "time_limit": 5}, format="json")
    # then it is refused with {"message", "extra"} naming the field, and nothing was recorded
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "extra"}
    if field is not None:
        assert field in body["extra"]["fields"]
    assert not RosterScenario.objects.exists()
    assert not Job.objects.exists()


def test_changes_must_be_an_object_and_the_time_limit_bounded(ward, planner):
    roster = solved_roster(ward)
    assert planner.post(_url(roster), {"changes": [1], "time_limit": 5}, format="json").status_code == 400
    assert (
        planner.post(
            _url(roster), {"changes": {"cover_scale": 2}, "time_limit": 0}, format="json"
        ).status_code
        == 400
    )
    assert planner.post(_url(roster), {"time_limit": 5}, format="json").status_code == 400


def test_a_viewer_cannot_try_a_scenario_and_another_unit_cannot_see_one(ward):
    roster = solved_roster(ward)
    viewer = api_client(make_user("viewer", [ward.unit]))
    assert viewer.post(_url(roster), {"changes": {"cover_scale": 2}}, format="json").status_code == 403
    stranger = api_client(make_user("planner", [scenario_ward(name="Other Ward").unit]))
    assert stranger.get(_url(roster)).status_code == 404


def _solve(scenario_id: int) -> RosterScenario:
    scenario = RosterScenario.objects.get(pk=scenario_id)
    assert scenario_solve_run(job_id=scenario.job_id) == "succeeded", Job.objects.get(
        pk=scenario.job_id
    ).error
    scenario.refresh_from_db()
    return scenario


def test_a_scenario_solved_compares_with_its_base_and_leaves_it_alone(ward, planner):
    # given a solved roster and its cells, version and revision
    roster = solved_roster(ward)
    before = (_cells(roster), roster.version, roster.revision, roster.status)
    # when a scenario removes a person, doubles the cover and tightens the budget, and its job runs
    gone = ward.people[0]
    body = {
        "changes": {"remove_people": [gone.pk], "cover_scale": 1.5, "budget": {"hours": 100}},
        "time_limit": 5,
    }
    with transaction.atomic():
        response = planner.post(_url(roster), body, format="json")
    assert response.status_code == 202, response.content
    created = response.json()
    assert created["solved"] is False and created["job"] is not None
    scenario = _solve(created["id"])

    # then the base is as it was, and the scenario has its own cells without the removed person
    roster.refresh_from_db()
    assert (_cells(roster), roster.version, roster.revision, roster.status) == before
    assert scenario.result["cells"] and all(int(p) != gone.pk for p, _, _ in scenario.result["cells"])
    assert scenario.result["figures"]["hard_violations"] == 0
    # the list and the comparison show it beside the base
    listed = planner.get(_url(roster)).json()
    assert [s["id"] for s in listed] == [scenario.pk] and listed[0]["solved"] is True
    comparison = planner.get(_url(roster, "/comparison")).json()
    base, tried = comparison["base"], comparison["scenarios"][0]
    assert base["hours"]["people"] == 6 and tried["figures"]["hours"]["people"] == 5
    assert tried["figures"]["weeks"][0]["budget_hours"] == 100 and base["weeks"][0]["budget_hours"] == 150
    # cover 1.5 times (1 -> 2 minimum, 2 -> 3 preferred): the scenario's requirements are its own
    assert tried["figures"]["cover"]["minimum_met"] == tried["figures"]["cover"]["requirements"] == 28
    assert tried["differences"] and all(
        {"person", "person_name", "date", "base_shift", "shift"} == set(d) for d in tried["differences"]
    )
    assert any(d["person"] == str(gone.pk) and d["shift"] is None for d in tried["differences"])


def test_new_hires_and_a_borrowed_person_are_rostered_but_not_adopted(ward, planner):
    # given a person of another unit and a scenario that borrows them and hires two like the first person
    other = PersonFactory(name="Borrowed Bea")
    roster = solved_roster(ward)
    body = {"changes": {"add_people": [other.pk, {"like": ward.people[1].pk, "count": 2}], "cover_scale": 2}}
    with transaction.atomic():
        created = planner.post(_url(roster), {**body, "time_limit": 5}, format="json").json()
    scenario = _solve(created["id"])
    # then the scenario has nine people, and adopting it is refused, naming who is not in the unit
    assert scenario.result["figures"]["hours"]["people"] == 9
    assert "New hire 1 (like What-if Ward 01)" in scenario.result["people"].values()
    response = planner.post(_url(roster, f"/{scenario.pk}/adopt"))
    assert response.status_code == 409
    assert set(response.json()["extra"]["people"]) & {"new-1", "new-2", str(other.pk)}


def test_adopting_a_scenario(ward, planner):
    # given a published roster and a solved scenario of it with a changed cover level
    roster = solved_roster(ward, status=Roster.Status.PUBLISHED)
    changes = {"cover": [{"date": "2031-03-05", "shift": "L", "minimum": 3, "preferred": 3}]}
    with transaction.atomic():
        created = planner.post(_url(roster), {"changes": changes, "time_limit": 5}, format="json").json()
    scenario = _solve(created["id"])
    base_cells = _cells(roster)
    # when it is adopted
    response = planner.post(_url(roster, f"/{scenario.pk}/adopt"))
    # then a new version of the roster holds the scenario's cells, and the base is unchanged
    assert response.status_code == 200, response.content
    adopted = Roster.objects.get(pk=response.json()["id"])
    assert adopted.pk != roster.pk and adopted.version == roster.version + 1
    assert adopted.previous_version_id == roster.pk
    cells = {
        (str(p), d.isoformat(), s)
        for p, d, s in RosterAssignment.objects.filter(roster=adopted).values_list(
            "person_id", "date", "shift_type__code"
        )
    }
    assert cells == {tuple(c) for c in scenario.result["cells"]}
    assert sum(1 for _, d, s in cells if d == "2031-03-05" and s == "L") == 3
    assert adopted.statistics["adopted_from_scenario"] == scenario.pk
    assert _cells(roster) == base_cells
    # and a second adoption is refused
    assert planner.post(_url(roster, f"/{scenario.pk}/adopt")).status_code == 409


def test_a_scenario_of_a_roster_that_changed_since_is_not_adopted(ward, planner):
    roster = solved_roster(ward)
    with transaction.atomic():
        created = planner.post(
            _url(roster), {"changes": {"cover_scale": 1}, "time_limit": 5}, format="json"
        ).json()
    _solve(created["id"])
    Roster.objects.filter(pk=roster.pk).update(revision=roster.revision + 1)
    response = planner.post(_url(roster, f"/{created['id']}/adopt"))
    assert response.status_code == 409
    assert response.json()["extra"]["scenario_revision"] == roster.revision


def test_adopting_an_unknown_an_unsolved_or_anothers_scenario_is_refused(ward, planner):
    roster = solved_roster(ward)
    other = solved_roster(ward)
    with transaction.atomic():
        created = planner.post(
            _url(roster), {"changes": {"cover_scale": 2}, "time_limit": 5}, format="json"
        ).json()
    assert planner.post(_url(roster, "/999999/adopt")).status_code == 404
    assert planner.post(_url(other, f"/{created['id']}/adopt")).status_code == 404
    unsolved = planner.post(_url(roster, f"/{created['id']}/adopt"))
    assert unsolved.status_code == 409 and set(unsolved.json()) == {"message", "extra"}
