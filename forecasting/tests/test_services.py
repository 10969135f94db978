from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command

from forecasting.models import DemandObservation, ForecastModel, ForecastPoint
from forecasting.selectors import current_forecast_model
from forecasting.services import forecast_retrain, observations_upload
from forecasting.tests.factories import DemandSeriesFactory, add_weekly_history
from ops.errors import ApplicationError

pytestmark = pytest.mark.django_db


def test_retrain_stores_a_current_model_with_every_candidate_score_and_its_points():
    # given a series with four months of a weekly pattern
    series = DemandSeriesFactory()
    add_weekly_history(series)

    # when it is retrained
    summary = forecast_retrain(series=[series], workers=1, horizon_days=14, origins=2)

    # then one current model holds the chosen algorithm, all candidates' scores and 14 daily points
    assert not summary.failed
    model = current_forecast_model(series=series)
    assert model.algorithm in model.metrics
    assert "seasonal_naive" in model.metrics
    assert model.metrics[model.algorithm]["mase"] <= model.metrics["seasonal_naive"]["mase"] + 1e-9
    points = list(ForecastPoint.objects.filter(model=model).order_by("timestamp"))
    assert len(points) == 14
    assert points[0].timestamp == datetime(2025, 3, 3, tzinfo=UTC)


def test_a_second_retrain_replaces_the_current_model_and_keeps_the_old_one_readable():
    series = DemandSeriesFactory()
    add_weekly_history(series)
    forecast_retrain(series=[series], workers=1, horizon_days=7, origins=2)
    first = current_forecast_model(series=series)

    forecast_retrain(series=[series], workers=1, horizon_days=7, origins=2)

    assert ForecastModel.objects.filter(series=series).count() == 2
    assert ForecastModel.objects.filter(series=series, is_current=True).count() == 1
    assert current_forecast_model(series=series).pk != first.pk
    assert ForecastPoint.objects.filter(model=first).count() == 7


def test_a_series_that_cannot_be_trained_fails_alone_and_keeps_no_model():
    good = DemandSeriesFactory()
    add_weekly_history(good)
    too_short = DemandSeriesFactory()
    add_weekly_history(too_short, days=5)

    summary = forecast_retrain(series=[good, too_short], workers=1, horizon_days=7, origins=2)

    assert [s.pk for s, _ in summary.failed] == [too_short.pk]
    assert current_forecast_model(series=good) is not None
    assert current_forecast_model(series=too_short) is None


def test_the_cron_command_exits_non_zero_when_a_series_fails(capsys):
    good = DemandSeriesFactory()
    add_weekly_history(good)
    bad = DemandSeriesFactory()
    add_weekly_history(bad, days=3)

    with pytest.raises(CommandError, match=f"1 series failed: {bad.pk}"):
        call_command("retrain_forecasts", "--horizon-days", "7")

    out = capsys.readouterr().out
    assert "1/2 series retrained" in out
    assert "failed:" in out


def test_the_cron_command_refuses_unknown_series():
    with pytest.raises(CommandError, match="unknown series: 999999"):
        call_command("retrain_forecasts", "--series", "999999")


def test_upload_inserts_and_replaces_observations():
    series = DemandSeriesFactory()
    observations_upload(series=series, rows=[{"timestamp": "2025-03-01", "value": 3}])

    outcome = observations_upload(
        series=series,
        rows=[{"timestamp": "2025-03-01", "value": 4}, {"timestamp": "2025-03-02", "value": 5.5}],
    )

    assert outcome == {"inserted": 1, "replaced": 1}
    values = dict(series.observations.values_list("timestamp", "value"))
    assert values == {datetime(2025, 3, 1, tzinfo=UTC): 4.0, datetime(2025, 3, 2, tzinfo=UTC): 5.5}


@pytest.mark.parametrize(
    "bad_row, field",
    [
        ({"timestamp": "2025-02-30", "value": 1}, "timestamp"),
        ({"timestamp": "yesterday", "value": 1}, "timestamp"),
        ({"timestamp": "2025-03-05", "value": -1}, "value"),
        ({"timestamp": "2025-03-05", "value": "many"}, "value"),
        ({"timestamp": "2025-03-01", "value": 9}, "timestamp"),  # a duplicate of the first row
    ],
)
def test_upload_rejects_a_bad_row_and_writes_nothing(bad_row, field):
    series = DemandSeriesFactory()
    rows = [{"timestamp": "2025-03-01", "value": 2}, {"timestamp": "2025-03-02", "value": 3}, bad_row]

    with pytest.raises(ApplicationError) as error:
        observations_upload(series=series, rows=rows)

    assert error.value.extra["errors"][0]["row"] == 3
    assert error.value.extra["errors"][0]["field"] == field
    assert DemandObservation.objects.filter(series=series).count() == 0


def test_upload_size_is_capped_with_413():
    series = DemandSeriesFactory()
    rows = [{"timestamp": date(2000, 1, 1).isoformat(), "value": 1}] * 50_001
    with pytest.raises(ApplicationError) as error:
        observations_upload(series=series, rows=rows)
    assert error.value.status == 413
