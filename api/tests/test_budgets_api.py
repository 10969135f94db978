from datetime import date, time, timedelta
from decimal import Decimal

import pytest

from api.testing import api_client, make_user
from capacity.budgets import labour_budgets_set_range
from capacity.models import LabourBudget
from capacity.tests.factories import PersonFactory
from scheduler.models import RosterAssignment
from scheduler.tests.factories import PayRateFactory, PersonContractFactory, RosterFactory, ShiftTypeFactory

pytestmark = pytest.mark.django_db
MONDAY = date(2025, 3, 3)


@pytest.fixture
def planner(org):
    return api_client(make_user("planner", [org["a"]]))


def test_put_sets_one_weeks_budget_and_a_second_put_replaces_it(org, planner):
    url = f"/api/units/{org['a'].pk}/budgets/2025-03-03"
    # when a week's budget is set twice
    first = planner.put(url, {"hours": 900, "cost": 25000}, format="json")
    second = planner.put(url, {"hours": 880, "cost": "24500.50"}, format="json")
    # then one row holds the second
    assert first.status_code == 200, first.json()
    assert second.json() | {"updated_at": None} == {
        "unit": org["a"].pk,
        "week": "2025-03-03",
        "hours": 880.0,
        "cost": 24500.5,
        "updated_at": None,
    }
    assert LabourBudget.objects.get().cost == Decimal("24500.50")


@pytest.mark.parametrize(
    ("week", "body", "status"),
    [
        ("2025-03-04", {"hours": 1, "cost": 1}, 400),  # not a Monday
        ("2025-13-01", {"hours": 1, "cost": 1}, 400),
        ("2201-01-05", {"hours": 1, "cost": 1}, 400),  # outside the planning window
        ("2025-03-03", {"hours": -1, "cost": 1}, 400),
        ("2025-03-03", {"hours": 1}, 400),
    ],
)
def test_a_bad_week_or_amount_is_refused(org, planner, week, body, status):
    response = planner.put(f"/api/units/{org['a'].pk}/budgets/{week}", body, format="json")
    assert response.status_code == status
    assert set(response.json()) == {"message", "extra"}
    assert not LabourBudget.objects.exists()


def test_budgets_are_per_unit_and_need_a_write_role_there(org, planner):
    body = {"hours": 1, "cost": 1}
    assert (
        planner.put(f"/api/units/{org['site'].pk}/budgets/2025-03-03", body, format="json").status_code == 404
    )
    assert planner.put(f"/api/units/{org['b'].pk}/budgets/2025-03-03", body, format="json").status_code == 404
    viewer = api_client(make_user("viewer", [org["a"]]))
    assert viewer.put(f"/api/units/{org['a'].pk}/budgets/2025-03-03", body, format="json").status_code == 403
    site_planner = api_client(make_user("planner", [org["site"]]))
    response = site_planner.put(f"/api/units/{org['site'].pk}/budgets/2025-03-03", body, format="json")
    assert response.status_code == 400
    assert "per unit" in response.json()["message"]


def test_a_range_sets_every_week_and_the_window_reads_them_back(org, planner):
    # when eight weeks are set at once, then one week of them changed
    response = planner.put(
        f"/api/units/{org['a'].pk}/budgets",
        {"start": "2025-03-03", "weeks": 8, "hours": 900, "cost": 25000},
        format="json",
    )
    planner.put(f"/api/units/{org['a'].pk}/budgets/2025-03-17", {"hours": 500, "cost": 1}, format="json")
    # then the window reads the eight, the third changed
    assert response.status_code == 200
    assert len(response.json()) == 8
    read = planner.get(f"/api/units/{org['a'].pk}/budgets", {"start": "2025-03-05", "weeks": 4}).json()
    assert [(b["week"], b["hours"]) for b in read] == [
        ("2025-03-03", 900.0),
        ("2025-03-10", 900.0),
        ("2025-03-17", 500.0),
        ("2025-03-24", 900.0),
    ]
    assert planner.delete(f"/api/units/{org['a'].pk}/budgets/2025-03-17").status_code == 204
    assert planner.delete(f"/api/units/{org['a'].pk}/budgets/2025-03-17").status_code == 404


def test_a_roster_shows_its_cost_against_the_budget_of_its_weeks(org, planner):
    # given a two-week roster with two 8-hour weekday shifts at 20 an hour in its first week, and a budget
    # for that week only
    unit = org["a"]
    shift = ShiftTypeFactory(
        department=unit, code="E", start_time=time(7), duration_minutes=480, paid_minutes=480
    )
    nurse = PersonFactory(department=unit)
    PersonContractFactory(person=nurse)
    PayRateFactory(person=nurse, hourly_rate=20)
    roster = RosterFactory(department=unit, start_date=MONDAY, end_date=MONDAY + timedelta(days=13))
    for offset in (0, 1):
        RosterAssignment.objects.create(
            roster=roster, person=nurse, date=MONDAY + timedelta(days=offset), shift_type=shift
        )
    labour_budgets_set_range(unit=unit, first_week=MONDAY, weeks=1, hours=Decimal(10), cost=Decimal(300))
    # when its budget is read
    body = planner.get(f"/api/rosters/{roster.pk}/budget").json()
    # then the first week is 20 over budget, the second has no budget
    assert body["weeks"] == [
        {
            "week": "2025-03-03",
            "hours": 16.0,
            "cost": 320.0,
            "budget_hours": 10.0,
            "budget_cost": 300.0,
            "cost_over_budget": 20.0,
        },
        {
            "week": "2025-03-10",
            "hours": 0.0,
            "cost": 0.0,
            "budget_hours": None,
            "budget_cost": None,
            "cost_over_budget": None,
        },
    ]
    assert (body["cost"], body["budget_cost"], body["cost_over_budget"]) == (320.0, 300.0, 20.0)
