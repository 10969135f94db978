from datetime import date

import pytest

from api.testing import api_client, make_user
from forecasting.models import DemandObservation, ForecastRun
from forecasting.services import forecast_retrain
from forecasting.tests.factories import DemandSeriesFactory, add_weekly_history, current_daily_forecast
from scheduler.models import CoverRequirement
from scheduler.tests.factories import ShiftTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(org):
    return DemandSeriesFactory(department=org["a"])


def test_series_are_listed_only_for_the_callers_departments(org, series):
    DemandSeriesFactory(department=org["b"])
    body = api_client(make_user("viewer", [org["a"]])).get("/api/forecasting/series").json()
    assert [row["id"] for row in body["results"]] == [series.pk]


def test_a_json_upload_is_all_or_nothing(org, series):
    client = api_client(make_user("planner", [org["a"]]))
    url = f"/api/forecasting/series/{series.pk}/observations"

    bad = client.post(
        url,
        {"rows": [{"timestamp": "2025-01-01", "value": 3}, {"timestamp": "2025-01-02", "value": -1}]},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["extra"]["errors"][0]["row"] == 2
    assert DemandObservation.objects.filter(series=series).count() == 0

    good = client.post(url, {"rows": [{"timestamp": "2025-01-01", "value": 3}]}, format="json")
    assert good.status_code == 201
    assert good.json() == {"inserted": 1, "replaced": 0}


def test_a_csv_upload_is_accepted_and_a_headerless_one_refused(org, series):
    client = api_client(make_user("planner", [org["a"]]))
    url = f"/api/forecasting/series/{series.pk}/observations"
    ok = client.post(url, "timestamp,value\n2025-01-01,3\n2025-01-02,4.5\n", content_type="text/csv")
    assert ok.status_code == 201, ok.json()
    assert ok.json()["inserted"] == 2
    refused = client.post(url, "2025-01-03,4\n", content_type="text/csv")
    assert refused.status_code == 400
    assert set(refused.json()) == {"message", "extra"}


def test_a_viewer_cannot_upload(org, series):
    response = api_client(make_user("viewer", [org["a"]])).post(
        f"/api/forecasting/series/{series.pk}/observations",
        {"rows": [{"timestamp": "2025-01-01", "value": 1}]},
        format="json",
    )
    assert response.status_code == 403


def test_the_forecast_read_carries_scores_and_intervals_and_goes_stale_after_a_retrain(org, series):
    add_weekly_history(series)
    forecast_retrain(series=[series], workers=1, horizon_days=7, origins=2)
    client = api_client(make_user("viewer", [org["a"]]))
    url = f"/api/forecasting/series/{series.pk}/forecast"

    first = client.get(url)
    body = first.json()
    assert first.status_code == 200
    assert "seasonal_naive" in body["model"]["metrics"]
    assert len(body["points"]) == 7
    assert body["points"][0]["upper"] >= body["points"][0]["value"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    forecast_retrain(series=[series], workers=1, horizon_days=14, origins=2)

    second = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert len(second.json()["points"]) == 14


def test_retrain_starts_a_run_for_the_callers_series(org, series, django_capture_on_commit_callbacks):
    other = DemandSeriesFactory(department=org["b"])
    client = api_client(make_user("planner", [org["a"]]))
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/api/forecasting/retrain", {"horizon_days": 28}, format="json")
    assert response.status_code == 202
    run = ForecastRun.objects.get(pk=response.json()["run"])
    assert list(run.items.values_list("series_id", flat=True)) == [series.pk]
    with django_capture_on_commit_callbacks(execute=False):
        refused = client.post("/api/forecasting/retrain", {"series": [other.pk]}, format="json")
    assert refused.status_code == 404


def test_fill_from_forecast_without_a_forecast_is_a_clear_conflict(org, series):
    client = api_client(make_user("planner", [org["a"]]))
    response = client.post(
        f"/api/units/{org['a'].pk}/cover/fill-from-forecast",
        {"start": date(2025, 3, 3), "end": date(2025, 3, 9)},
        format="json",
    )
    assert response.status_code == 409
    assert "retrain" in response.json()["message"]


def test_fill_from_forecast_on_a_service_level_and_its_bad_values(org):
    # given a unit whose forecast is N(20, 5) residents on Monday, one carer per 5 on earlies
    series = DemandSeriesFactory(department=org["a"], staffing={"method": "ratio", "per_staff": {"E": 5}})
    ShiftTypeFactory(department=org["a"], code="E")
    current_daily_forecast(series, date(2025, 3, 3), [20.0], sigma=5.0)
    client = api_client(make_user("planner", [org["a"]]))
    url = f"/api/units/{org['a'].pk}/cover/fill-from-forecast"
    week = {"start": date(2025, 3, 3), "end": date(2025, 3, 3)}

    # when cover is filled for a 90% service level, then Monday's early needs 6 (5 are short 16% of the time)
    filled = client.post(url, {**week, "service_level": 0.9}, format="json")
    assert filled.status_code == 200, filled.json()
    assert filled.json() == {"written": 1}
    assert CoverRequirement.objects.get(department=org["a"]).minimum == 6

    # and a service level outside (0, 1), not a number, or beside a quantile is a 400 that says why
    for bad in ({"service_level": 0}, {"service_level": 1}, {"service_level": 1.5}, {"service_level": "x"}):
        refused = client.post(url, {**week, **bad}, format="json")
        assert refused.status_code == 400, bad
        assert set(refused.json()) == {"message", "extra"}
        assert "service_level" in str(refused.json())
    both = client.post(url, {**week, "service_level": 0.9, "quantile": 0.9}, format="json")
    assert both.status_code == 400
    assert "not both" in str(both.json())
