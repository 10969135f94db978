"""GET /api/units/{id}/open-shifts: the open-shifts page as JSON, scoped to the user's units; an open
shift is then assigned with the cells API like any edit."""

import pytest

from api.testing import api_client, make_user
from scheduler.models import RosterAssignment
from web.tests.builders import planning_unit
from web.tests.test_open_shifts import _roster

pytestmark = pytest.mark.django_db


def test_open_shifts_as_json_then_assigned_through_the_cells_api():
    # given a unit's roster where nobody works late
    ward = planning_unit(name="Api Gap Ward", people=5, assignments=False)
    roster = _roster(ward)
    planner = make_user("planner", [ward.unit])
    client = api_client(planner)
    # when its open shifts are read
    body = client.get(f"/api/units/{ward.unit.id}/open-shifts").json()
    # then the roster lists its open shifts with candidates, best first
    [entry] = body
    assert entry["roster"] == roster.id and entry["editable"] is True
    late = next(s for s in entry["open_shifts"] if s["date"] == ward.start.isoformat() and s["shift"] == "L")
    assert late["below"] == "minimum" and late["candidates"]
    first = late["candidates"][0]
    # and the first candidate is assigned through the cells API
    done = client.post(
        f"/api/rosters/{roster.id}/cells",
        {"action": "set", "cells": [{"person": first["person"], "date": late["date"], "shift": "L"}]},
        format="json",
    )
    assert done.status_code == 200
    assert (
        RosterAssignment.objects.get(
            roster=roster, person_id=first["person"], date=ward.start
        ).shift_type.code
        == "L"
    )
    after = client.get(f"/api/units/{ward.unit.id}/open-shifts").json()[0]
    late_after = next(
        s for s in after["open_shifts"] if s["date"] == ward.start.isoformat() and s["shift"] == "L"
    )
    assert late_after["assigned"] == 1


def test_another_units_open_shifts_are_not_found():
    ward = planning_unit(name="Hidden Gap Ward", people=3, assignments=False)
    other = planning_unit(name="Other Gap Ward", people=3, assignments=False)
    _roster(ward, days=3)
    outsider = make_user("planner", [other.unit])
    response = api_client(outsider).get(f"/api/units/{ward.unit.id}/open-shifts")
    assert response.status_code == 404
    assert set(response.json()) == {"message", "extra"}
