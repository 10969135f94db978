from datetime import date, time, timedelta
from decimal import Decimal

import pytest

from api.testing import api_client, make_user
from capacity.budgets import labour_budgets_set_range
from capacity.tests.factories import PersonFactory
from scheduler.models import RosterAssignment
from scheduler.tests.factories import PayRateFactory, PersonContractFactory, RosterFactory, ShiftTypeFactory
from scheduler.timesheets import timesheet_upload

pytestmark = pytest.mark.django_db
MONDAY = date(2025, 3, 3)
URL = "/api/reports/labour-variance"


@pytest.fixture
def rostered(org):
    for unit in (org["a"], org["b"]):
        shift = ShiftTypeFactory(
            department=unit, code="E", start_time=time(7), duration_minutes=480, paid_minutes=480
        )
        nurse = PersonFactory(department=unit)
        PersonContractFactory(person=nurse)
        PayRateFactory(person=nurse, hourly_rate=20)
        roster = RosterFactory(
            department=unit, start_date=MONDAY, end_date=MONDAY + timedelta(days=6), status="published"
        )
        RosterAssignment.objects.create(roster=roster, person=nurse, date=MONDAY, shift_type=shift)
        labour_budgets_set_range(unit=unit, first_week=MONDAY, weeks=1, hours=Decimal(8), cost=Decimal(150))
    return org


def test_a_manager_reads_the_variance_of_the_units_in_scope(rostered):
    # given a manager of unit A only
    client = api_client(make_user("manager", [rostered["a"]]))
    # when the report is read for the site (of which they may read unit A)
    response = client.get(URL, {"start": "2025-03-03", "weeks": 1})
    # then unit A alone, with its figures
    assert response.status_code == 200
    body = response.json()
    assert [u["name"] for u in body["units"]] == ["Unit A"]
    week = body["units"][0]["weeks"][0]
    assert week["rostered"] == {"hours": 8.0, "cost": 160.0}
    assert week["variance"]["rosteredAgainstBudget"] == 10.0
    assert week["variance"]["causes"]["missing"] == {"hours": -8.0, "cost": -160.0}
    assert client.get(URL, {"department": rostered["b"].pk}).status_code == 404
    assert client.get(URL, {"weeks": 0}).status_code == 400
    assert client.get(URL, {"unit": 1}).status_code == 400


def test_the_report_revalidates_with_304_until_an_actual_arrives(rostered):
    client = api_client(make_user("manager", [rostered["site"]]))
    first = client.get(URL, {"start": "2025-03-03", "weeks": 1})
    assert len(first.json()["units"]) == 2
    again = client.get(URL, {"start": "2025-03-03", "weeks": 1}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    nurse = rostered["a"].people.get()
    timesheet_upload(
        unit=rostered["a"],
        rows=[{"person": nurse.pk, "date": "2025-03-03", "start": "07:00", "end": "15:00"}],
    )
    changed = client.get(URL, {"start": "2025-03-03", "weeks": 1}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed.json()["totals"]["actual"]["hours"] == 8.0


def test_the_report_as_csv(rostered):
    client = api_client(make_user("viewer", [rostered["site"]]))
    response = client.get(f"{URL}.csv", {"start": "2025-03-03", "weeks": 1})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().strip().splitlines()
    assert len(lines) == 3
    assert lines[1].split(",")[1:3] == ["Unit A", "2025-03-03"]
