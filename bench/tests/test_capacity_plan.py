"""The capacity model's counting (bench/capacity_plan.py) on costs chosen so every figure is by hand."""

import math

import pytest

from bench.capacity_plan import WORKDAY_S, Load, UnitCosts, hit_rate, plan

COSTS = UnitCosts(
    cached_read_s=0.001,
    uncached_read_s=0.05,
    uncached_read_db_s=0.02,
    solve_wall_s=30.0,
    solve_threads=2,
    retrain_cpu_s=0.3,
    bulk_edit_s=0.04,
    bulk_edit_db_s=0.01,
    entry_bytes=10_000,
    principal_bytes=1_000,
)


def test_an_organisation_wide_namespace_loses_its_hits_as_units_are_added():
    # given: each unit edits 20 times a working day, each entry is re-read every 150 s
    load = Load()

    # when / then: one unit keeps exp(-20/28800*150) of its reads cached, a thousand keep none
    assert hit_rate(1, load) == pytest.approx(math.exp(-20 / WORKDAY_S * 150))
    assert hit_rate(1000, load) < 1e-40
    # and with a namespace per unit the hit rate no longer depends on the organisation's size
    per_unit = Load(namespace_scope="unit")
    assert hit_rate(1000, per_unit) == pytest.approx(hit_rate(1, load))


def test_the_plan_counts_workers_replicas_and_memory_from_the_costs():
    # given 1,000 units under a load with every read a miss (organisation-wide namespace)
    load = Load()

    # when
    result = plan(1000, COSTS, load)

    # then: 1000 units x 2 readers x 3 reads / 300 s x peak 2 = 40 reads/s
    assert result.read_rps_peak == 40.0
    edits = 1000 * 20 / WORKDAY_S * 2
    web = (40 * 0.05 + edits * 0.04) / 0.6
    assert result.web_cores == round(web, 2)
    assert result.web_workers == math.ceil(2 * web)
    assert result.solve_workers == math.ceil(1000 * 30 / WORKDAY_S)  # 2 solve workers
    assert result.solve_cores == 2 * result.solve_workers
    assert result.forecast_workers == math.ceil(1000 * 0.3 / (4 * 3600))  # 1
    assert result.replicas == 0  # 0.8 core of reads and 0.01 of writes: the primary serves both
    assert plan(10_000, COSTS, load).replicas == math.ceil(400 * 0.02 / (4 * 0.6))  # 4
    assert result.redis_mb == round((1000 * 3 * 10_000 + 40 * 300 * 10_000 + 2000 * 1_000) / 2**20, 1)
    assert result.bottleneck == "solve workers"  # 4 solve cores against 3.6 web cores
