"""The risk of a roster's shifts from the unit's forecast: sampled paths against the exact normal tail, the
solver's Cover.short_risk from the same paths, and the rule weights that switch the rule on."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from forecasting.engine.cover import ShiftCover
from forecasting.engine.domain import Forecast
from forecasting.engine.risk import roster_risk
from forecasting.engine.staffing import RatioRule
from forecasting.models import ForecastModel, ForecastPoint
from forecasting.tests.factories import DemandSeriesFactory
from scheduler.models import RuleWeights
from scheduler.problem_builder import build_problem
from scheduler.rule_weights import solver_weights
from scheduler.shift_risk import roster_shift_risk, shift_needs, short_risk
from scheduler.solver import domain as sd
from scheduler.solver import solve
from scheduler.solver.evaluate import evaluate
from scheduler.tests.factories import RosterFactory, ShiftTypeFactory
from scheduler.tests.risk_setup import MEAN, MONDAY, UPPER, roster_with_forecast

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward():
    return roster_with_forecast()


def test_the_sampled_risk_of_each_shift_agrees_with_the_exact_normal_tail(ward):
    # given the roster, when its risk is read from 2000 demand paths of the forecast
    risk = roster_shift_risk(roster=ward)
    # then the chance of being short and the expected shortfall agree with the engine's exact computation
    forecast = Forecast(
        timestamps=tuple(datetime.combine(MONDAY + timedelta(days=i), time(0)) for i in range(2)),
        value=MEAN,
        lower=tuple(2 * v - u for v, u in zip(MEAN, UPPER, strict=True)),
        upper=UPPER,
        interval_width=0.8,
    )
    covers = [
        ShiftCover(MONDAY + timedelta(days=i), "E", staff, datetime.min, datetime.min)
        for i, staff in enumerate((4, 5))
    ]
    exact = roster_risk(forecast, covers, {"E": RatioRule(per_staff=5)}, pooled=False, method="exact")
    assert [(s["date"], s["shift"], s["assigned"]) for s in risk["shifts"]] == [
        ("2025-03-03", "E", 4),
        ("2025-03-04", "E", 5),
    ]
    assert risk["samples"] == 2000
    for sampled, truth in zip(risk["shifts"], exact.shifts, strict=True):
        assert sampled["probability_short"] == pytest.approx(truth.probability_short, abs=0.03)
        assert sampled["expected_shortfall"] == pytest.approx(truth.expected_shortfall, abs=0.04)
    assert exact.shifts[0].probability_short == pytest.approx(0.5, abs=1e-6)  # 4 carers meet 20 residents
    assert risk["expected_shortfall"] == pytest.approx(exact.expected_shortfall, abs=0.06)


def test_the_solver_prices_the_risk_the_page_reports(ward):
    # given a unit weighing a shift sure to be short at 1000
    RuleWeights.objects.create(department=ward.department, cover_shortfall_risk=1000)
    weights = solver_weights(unit=ward.department)
    # when the roster's problem is built, then each early shift carries its chance of being short per level
    problem = build_problem(ward, weights=weights).problem
    needs, _ = shift_needs(unit=ward.department, start=ward.start_date, end=ward.end_date)
    assert [c.short_risk for c in problem.cover] == [short_risk(needs[key]) for key in sorted(needs)]
    assert problem.cover[0].short_risk[4] > problem.cover[0].short_risk[5] > problem.cover[0].short_risk[6]
    # and the referee's price of the roster as it stands is the weight times the chance the page shows
    current = {p.id: [None, None] for p in problem.staff}
    for a in ward.assignments.all():
        current[str(a.person_id)][(a.date - MONDAY).days] = "E"
    priced = evaluate(problem, {p: tuple(row) for p, row in current.items()})
    shown = roster_shift_risk(roster=ward)["shifts"]
    assert [p.amount for p in priced.penalties if p.rule == "cover_shortfall_risk"] == [
        round(1000 * s["probability_short"]) for s in shown
    ]
    # when solved (auto: colgen cannot price the rule), every carer works: each lowers the risk for free
    solution = solve(problem, time_limit=5, workers=1)
    assert solution.engine != "colgen"
    assert "colgen left out (cannot price cover_shortfall_risk)" in solution.engine_reason
    assert sum(1 for _ in solution.assignments()) == 12
    assert evaluate(problem, solution.roster).objective == solution.objective


def test_without_the_weight_the_problem_carries_no_risk(ward):
    problem = build_problem(ward, weights=solver_weights(unit=ward.department)).problem
    assert problem.weights == sd.Weights()
    assert all(not c.short_risk for c in problem.cover)


def test_a_unit_without_a_forecast_has_no_risk_and_says_why():
    roster = RosterFactory(start_date=MONDAY, end_date=MONDAY)
    risk = roster_shift_risk(roster=roster)
    assert risk["shifts"] == [] and risk["samples"] == 0
    assert "no demand series" in risk["message"]


def test_hourly_demand_counts_towards_the_shift_that_spans_the_hour_even_past_midnight():
    # given an hourly forecast without an interval (every path is the mean): 5 residents an hour, 12 at
    # 03:00 on Tuesday, 1 night carer per 5 residents on nights 22:00-06:00
    from forecasting.models import DemandSeries

    series = DemandSeriesFactory(
        frequency=DemandSeries.Frequency.HOURLY, staffing={"method": "ratio", "per_staff": {"N": 5}}
    )
    unit = series.department
    ShiftTypeFactory(
        department=unit, code="N", start_time=time(22), duration_minutes=480, paid_minutes=450, is_night=True
    )
    model = ForecastModel.objects.create(
        series=series, algorithm="test", trained_at=timezone.now(), is_current=True
    )
    first = datetime.combine(MONDAY, time(0), tzinfo=UTC)
    ForecastPoint.objects.bulk_create(
        ForecastPoint(
            model=model,
            timestamp=first + timedelta(hours=h),
            value=12.0 if h == 24 + 3 else 5.0,
        )
        for h in range(48)
    )
    # when the needs of Monday's shifts are sampled
    needs, reason = shift_needs(unit=unit, start=MONDAY, end=MONDAY, samples=50)
    # then Monday's night shift needs 3 on every path (the 03:00 hour of Tuesday is its own) and the chance
    # of being short is 1 below 3 people, 0 from 3 on
    assert reason == "" and set(needs) == {(MONDAY, "N")}
    assert set(needs[(MONDAY, "N")]) == {3}
    assert short_risk(needs[(MONDAY, "N")]) == (1.0, 1.0, 1.0, 0.0)


def test_a_series_with_an_unknown_staffing_method_gives_no_risk_and_says_why(ward):
    ward.department.demand_series.update(staffing={"method": "guess"})
    risk = roster_shift_risk(roster=ward)
    assert risk["shifts"] == [] and "Unknown staffing method" in risk["message"]
