"""A unit's demand events through the API: CRUD scoped to the caller's units, bad input as 4xx, and an
event that changes the unit's forecast."""

from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pytest

from api.testing import api_client, make_user
from forecasting.engine.mstl_model import mstl
from forecasting.engine.prepare import prepare
from forecasting.models import DemandEvent, DemandObservation
from forecasting.selectors import series_engine_input
from forecasting.tests.factories import DemandSeriesFactory

pytestmark = pytest.mark.django_db
WEEKLY = np.array([100.0, 120.0, 130.0, 125.0, 140.0, 80.0, 60.0])  # Monday first


@pytest.fixture
def planner(org):
    return api_client(make_user("planner", [org["a"]]))


def _url(unit, event=None):
    return f"/api/units/{unit.pk}/demand-events" + (f"/{event}" if event else "")


def test_an_event_is_created_listed_changed_and_deleted(org, planner):
    body = {"name": "Flu season", "start_date": "2025-12-01", "end_date": "2026-02-28"}
    created = planner.post(_url(org["a"]), body, format="json")
    assert created.status_code == 201, created.json()
    event = created.json()
    assert event == {"id": event["id"], "unit": org["a"].pk, **body}
    assert planner.get(_url(org["a"])).json()["results"] == [event]
    changed = planner.patch(_url(org["a"], event["id"]), {"end_date": "2026-03-15"}, format="json")
    assert changed.status_code == 200 and changed.json()["end_date"] == "2026-03-15"
    assert planner.get(_url(org["a"], event["id"])).json()["end_date"] == "2026-03-15"
    assert planner.delete(_url(org["a"], event["id"])).status_code == 204
    assert not DemandEvent.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Closed", "start_date": "2025-03-10", "end_date": "2025-03-01"},  # ends before it starts
        {"name": "", "start_date": "2025-03-01", "end_date": "2025-03-02"},
        {"name": "Closed", "start_date": "2201-01-01", "end_date": "2201-01-02"},  # outside the window
        {"name": "Closed", "start_date": "yesterday", "end_date": "2025-03-02"},
        {"name": "Closed"},
    ],
)
def test_a_bad_event_is_refused_with_the_error_contract(org, planner, body):
    response = planner.post(_url(org["a"]), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"message", "extra"}
    assert not DemandEvent.objects.exists()


def test_a_patch_that_ends_an_event_before_it_starts_is_refused(org, planner):
    event = DemandEvent.objects.create(
        department=org["a"], name="Closed", start_date=date(2025, 3, 1), end_date=date(2025, 3, 9)
    )
    response = planner.patch(_url(org["a"], event.pk), {"end_date": "2025-02-01"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"message", "extra"}
    event.refresh_from_db()
    assert event.end_date == date(2025, 3, 9)


def test_events_are_scoped_to_the_callers_units(org, planner):
    other = DemandEvent.objects.create(
        department=org["b"], name="Closed", start_date=date(2025, 3, 1), end_date=date(2025, 3, 2)
    )
    body = {"name": "Flu", "start_date": "2025-12-01", "end_date": "2025-12-31"}
    # another unit's events are not found, neither its list nor one of them
    assert planner.get(_url(org["b"])).status_code == 404
    assert planner.post(_url(org["b"]), body, format="json").status_code == 404
    assert planner.get(_url(org["a"], other.pk)).status_code == 404  # not this unit's event
    assert planner.delete(_url(org["b"], other.pk)).status_code == 404
    # a viewer reads but does not write
    viewer = api_client(make_user("viewer", [org["a"]]))
    assert viewer.get(_url(org["a"])).status_code == 200
    assert viewer.post(_url(org["a"]), body, format="json").status_code == 403
    # events belong to units, not sites
    site_planner = api_client(make_user("planner", [org["site"]]))
    assert site_planner.post(_url(org["site"]), body, format="json").status_code == 400
    assert DemandEvent.objects.count() == 1


def test_an_event_added_through_the_api_changes_the_units_forecast(org, planner):
    # given a daily series with a weekly pattern whose ward was closed for a fortnight (demand down 40)
    series = DemandSeriesFactory(department=org["a"])
    rng = np.random.default_rng(1)
    first, days = date(2023, 1, 2), 490
    closed = (date(2023, 9, 4), date(2023, 9, 17))
    values = []
    for i in range(days):
        day = first + timedelta(days=i)
        values.append(WEEKLY[day.weekday()] + rng.normal(0, 2) - (40 if closed[0] <= day <= closed[1] else 0))
    DemandObservation.objects.bulk_create(
        DemandObservation(
            series=series, timestamp=datetime.combine(first + timedelta(days=i), time(), UTC), value=v
        )
        for i, v in enumerate(values)
    )
    last = first + timedelta(days=days - 1)
    before, _ = prepare(series_engine_input(series=series))
    # when the planner records that closure and the next one, from the second forecast day on
    for start, end in (closed, (last + timedelta(days=2), last + timedelta(days=15))):
        body = {"name": "Ward closed", "start_date": str(start), "end_date": str(end)}
        assert planner.post(_url(org["a"]), body, format="json").status_code == 201
    after, _ = prepare(series_engine_input(series=series))
    # then the unit's forecast of the closed days is about 40 lower, and the day before is not
    unknown, known = mstl(before, 7).value, mstl(after, 7).value
    assert np.all(np.asarray(unknown[1:]) - np.asarray(known[1:]) > 25)
    assert abs(unknown[0] - known[0]) < 10
