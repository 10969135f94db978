import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.engine.domain import Forecast
from forecasting.engine.staffing import (
    ErlangCRule,
    RatioRule,
    agents_needed,
    average_speed_of_answer,
    erlang_c,
    headcount_by_ratio,
    planning_demand,
    service_level,
    staffing_requirements,
)


def erlang_c_closed_form(traffic: float, agents: int) -> float:
    """The textbook formula, written independently of the engine's recursion."""
    top = traffic**agents / math.factorial(agents) * agents / (agents - traffic)
    bottom = sum(traffic**k / math.factorial(k) for k in range(agents)) + top
    return top / bottom


@pytest.mark.parametrize(("demand", "expected"), [(24, 3), (25, 4), (0, 1), (8.0000000001, 1), (7.2, 1)])
def test_ratio_rounds_up_with_a_minimum(demand, expected):
    # one carer per 8 residents, never fewer than 1 on shift
    assert headcount_by_ratio(demand, RatioRule(per_staff=8, minimum=1)) == expected


def test_erlang_c_small_exact_value():
    # A = 2 Erlangs on 3 agents: C = 4/9 exactly
    assert erlang_c(2.0, 3) == pytest.approx(4 / 9)


@pytest.mark.parametrize(("traffic", "agents"), [(10.0, 11), (10.0, 14), (2.5, 4), (47.3, 55)])
def test_erlang_c_matches_the_closed_form(traffic, agents):
    assert erlang_c(traffic, agents) == pytest.approx(erlang_c_closed_form(traffic, agents), rel=1e-12)


def test_classic_call_centre_example():
    # 100 calls in 30 minutes, 180 s average handling time, target 80% answered within 20 s: 10 Erlangs.
    # Published worked example (callcentrehelper.com Erlang C): 14 agents, 17.4% of calls wait,
    # service level 88.8%, average speed of answer 7.8 s; 13 agents reach only 79.6%.
    rule = ErlangCRule(interval_s=1800, aht_s=180, service_level=0.8, target_s=20)
    assert agents_needed(100, rule) == 14
    assert erlang_c(10.0, 14) == pytest.approx(0.174, abs=5e-4)
    assert service_level(traffic=10.0, agents=14, aht_s=180, target_s=20) == pytest.approx(0.888, abs=1e-3)
    assert service_level(traffic=10.0, agents=13, aht_s=180, target_s=20) == pytest.approx(0.796, abs=1e-3)
    assert average_speed_of_answer(traffic=10.0, agents=14, aht_s=180) == pytest.approx(7.8, abs=0.05)


def test_occupancy_cap_and_minimum():
    rule = ErlangCRule(interval_s=1800, aht_s=180, max_occupancy=0.6, minimum=2)
    assert agents_needed(100, rule) == 17  # 10 Erlangs / 0.6 occupancy
    assert agents_needed(0, rule) == 2


@settings(max_examples=60, deadline=None)
@given(
    st.floats(min_value=0.1, max_value=400),
    st.sampled_from([60.0, 180.0, 300.0]),
    st.sampled_from([0.7, 0.8, 0.9]),
)
def test_agents_needed_is_the_fewest_that_meet_the_target(arrivals, aht_s, target):
    rule = ErlangCRule(interval_s=1800, aht_s=aht_s, service_level=target, target_s=20)
    agents = agents_needed(arrivals, rule)
    traffic = arrivals * aht_s / 1800
    assert service_level(traffic=traffic, agents=agents, aht_s=aht_s, target_s=20) >= target
    assert service_level(traffic=traffic, agents=agents - 1, aht_s=aht_s, target_s=20) < target
    assert agents_needed(arrivals * 1.5, rule) >= agents


def test_planning_on_an_upper_quantile():
    # an 80% interval of +-12.8155 around 100 is sigma 10; the 90% quantile is then 100 + 12.8155
    forecast = Forecast(
        timestamps=(None,),
        value=(100.0,),
        lower=(100 - 12.815516,),
        upper=(100 + 12.815516,),
        interval_width=0.8,
    )
    assert planning_demand(forecast)[0] == 100.0
    assert planning_demand(forecast, quantile=0.9)[0] == pytest.approx(112.8155, abs=1e-3)
    assert planning_demand(forecast, quantile=0.5)[0] == pytest.approx(100.0)
    with pytest.raises(ValueError, match="intervals"):
        planning_demand(Forecast(timestamps=(None,), value=(1.0,)), quantile=0.9)


def test_staffing_requirements_per_timestamp():
    forecast = Forecast(timestamps=("mon", "tue"), value=(24.0, 33.0))
    rows = staffing_requirements(forecast, RatioRule(per_staff=8, minimum=2))
    assert [(r.timestamp, r.staff) for r in rows] == [("mon", 3), ("tue", 5)]
