"""Column generation: the compiled pricing agrees with the plain labeling, the engine keeps the contract the
selection and the portfolio rely on, and its rosters pass the referee."""

from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.solver import solve
from scheduler.solver.colgen import solve_colgen, unsupported_rules
from scheduler.solver.colgen.kernel import FREE_TOTAL, KernelPricer
from scheduler.solver.colgen.model import OFF, build_model
from scheduler.solver.domain import OPTIMAL, Pin, Weights
from scheduler.solver.evaluate import evaluate
from scheduler.solver.incumbent import IncumbentPool

from .builders import day_night_problem, person, problem
from .test_referee import problems


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_people=2, max_days=10, max_shifts=3), st.integers(0, 10_000))
def test_compiled_pricing_finds_the_cheapest_row_the_plain_labeling_finds(prob, seed):
    # given random duals on every node of each person's pricing graph
    model = build_model(prob)
    rng = random.Random(seed)
    for pm in model.people:
        node = [[c - rng.uniform(-5, 20) for c in day] for day in pm.cost]
        # weekend duals come only from a fairness-weekends row the person is in
        fair = any(f.measure == "weekends" and pm.index in f.members for f in model.fairness)
        weekend = rng.uniform(-3, 3) if fair else 0.0
        pricer = KernelPricer(model, pm)
        # when both labelings price the person
        fast, exact = pricer.price(node, weekend, count=1)
        plain, plain_exact = pricer.ref.price(node, weekend, beam=10**9, count=1)
        # then they agree on feasibility and on the cheapest reduced cost
        assert exact and plain_exact
        assert bool(fast) == bool(plain)
        if fast:
            assert abs(fast[0].cost - plain[0].cost) < 1e-6
            # and the row the kernel returns breaks none of the person's hard rules
            roster = {p.id: (None,) * prob.num_days for p in prob.staff}
            roster[pm.person.id] = tuple(None if k == OFF else model.shift_ids[k] for k in fast[0].row)
            broken = [v for v in evaluate(prob, roster).violations if v.person == pm.person.id]
            assert broken == []


def _capped_problem(caps: dict[str, int], *, days: int = 21):
    from scheduler.solver.domain import ShiftType

    from .builders import DAY, NIGHT

    late = ShiftType("L", 600, start_minute=14 * 60)
    contract = dict(
        max_shifts_per_type=caps,
        max_total_minutes=7200,
        max_consecutive_shifts=5,
        max_weekends=2,
        min_rest_minutes=600,
    )
    return problem(days, staff=[person("A", **contract)], shifts=(DAY, NIGHT, late))


def test_compiled_pricing_keeps_per_type_maxima_and_weekends_over_three_weeks():
    # given a person with two capped shift types, a maximum total and weekends, over three weeks, and
    # duals that make work worth much more than the caps allow (so the caps and the total bind)
    prob = _capped_problem({"D": 6, "N": 4})
    model = build_model(prob)
    pm = model.people[0]
    pricer = KernelPricer(model, pm)
    for seed in range(6):
        rng = random.Random(seed)
        node = [[c - rng.uniform(0, 30) for c in day[:-1]] + [day[-1]] for day in pm.cost]
        # when the compiled sweep (counts merged where they cannot bind, dominated counts dropped) and the
        # plain labeling price it
        fast, exact = pricer.price(node, 0.0, count=1)
        plain, _plain_exact = pricer.ref.price(node, 0.0, beam=10**9, count=1)
        # then they find the same cheapest reduced cost, with a row that keeps every cap
        assert exact and fast and plain
        assert abs(fast[0].cost - plain[0].cost) < 1e-6
        row = fast[0].row
        assert row.count(model.shift_ids.index("D")) <= 6 and row.count(model.shift_ids.index("N")) <= 4


@pytest.fixture
def sweep_labels(monkeypatch) -> list[int]:
    """The labels each compiled sweep made, in call order."""
    import scheduler.solver.colgen.kernel as kernel

    labels: list[int] = []
    sweep = kernel._sweep

    def counted(*args):
        top = sweep(*args)
        labels.append(top)
        return top

    monkeypatch.setattr(kernel, "_sweep", counted)
    return labels


def test_a_cap_that_cannot_bind_adds_no_states_to_the_compiled_pricing(sweep_labels):
    # given the same person once with a cap on D that no row can reach (the maximum total allows 15 shifts
    # of 8 hours, the cap is 15 of 21 days) and once without
    labels = sweep_labels
    for caps in ({}, {"D": 15}):
        model = build_model(_capped_problem(caps))
        pricer = KernelPricer(model, model.people[0])
        d = model.shift_ids.index("D")
        pricer.active = frozenset({d}) if caps else frozenset()  # the cap tracked as a resource
        pricer.limits[FREE_TOTAL] = -1  # the count merge alone: comparing totals too splits states by count
        rng = random.Random(7)  # uneven duals, so a higher count is often the cheaper label (not dominated)
        node = [[c - rng.uniform(0, 30) for c in day] for day in model.people[0].cost]
        pricer.price(node, 0.0, count=1)
    # then tracking the count made no more labels: a count that cannot reach its cap is one state
    assert labels[0] == labels[1]


def test_overtime_prices_exactly_with_fewer_labels_when_totals_below_it_are_one_state(sweep_labels):
    # given a person paid overtime past 40 h over three weeks (no minimum or maximum total, at most 48 h
    # a week), priced at uneven duals
    from .builders import NIGHT, person

    labels = sweep_labels
    paid = dataclasses.replace(
        person("A", contract_minutes=2400, max_weekly_minutes=2880, max_consecutive_shifts=5),
        overtime_premium=5,
    )
    prob = problem(21, staff=[paid], shifts=(problem(1).shift_types[0], NIGHT))
    model = build_model(prob)
    pm = model.people[0]
    for seed in range(4):
        rng = random.Random(seed)
        node = [[c - rng.uniform(0, 40) for c in day[:-1]] + [day[-1]] for day in pm.cost]
        pricer = KernelPricer(model, pm)
        # when the compiled sweep prices it with the totals that cannot pay overtime merged and higher
        # totals of the same state at no lower cost dropped, then once with neither
        fast, exact = pricer.price(node, 0.0, count=1)
        pricer.limits[FREE_TOTAL] = -1
        whole, _ = pricer.price(node, 0.0, count=1)
        plain, _ = pricer.ref.price(node, 0.0, beam=10**9, count=1)
        # then all three find the same cheapest row cost, the first with fewer labels
        assert exact and fast and plain
        assert abs(fast[0].cost - plain[0].cost) < 1e-6 and abs(whole[0].cost - plain[0].cost) < 1e-6
        assert labels[-2] < labels[-1]


def _cover_problem(days: int, people: int):
    return day_night_problem(days, people)


def test_colgen_solution_is_the_engine_the_referee_agrees_with():
    # given a small roster problem
    prob = _cover_problem(7, 4)
    # when column generation solves it alone
    solution = solve_colgen(prob, time_limit=10, workers=1, polish=False)
    # then it is named colgen, proven optimal, and the referee agrees with its objective
    assert solution.engine == "colgen"
    assert solution.status == OPTIMAL
    referee = evaluate(prob, solution.roster)
    assert referee.violations == ()
    assert referee.objective == solution.objective
    assert solution.bound == solution.objective


def test_portfolio_offers_referee_checked_rosters_to_the_pool():
    # given a shared pool and two workers
    prob = _cover_problem(14, 5)
    pool = IncumbentPool()
    # when the portfolio runs
    solution = solve_colgen(prob, time_limit=4, workers=2, incumbents=pool)
    # then the pool holds a roster the referee finds feasible, no better than the returned one
    best = pool.best()
    assert best is not None
    referee = evaluate(prob, best.roster)
    assert referee.violations == ()
    assert referee.objective == best.objective
    assert solution.objective <= best.objective


def test_solve_entry_point_runs_colgen():
    prob = _cover_problem(5, 3)
    solution = solve(prob, engine="colgen", time_limit=5, workers=1)
    assert solution.engine == "colgen"
    assert evaluate(prob, solution.roster).objective == solution.objective


def test_unsupported_rules_names_no_rule_for_any_product_rule():
    prob = problem(3, weights=Weights(fairness_nights=2, change=1), reference={"A": ("D", None, "D")})
    assert unsupported_rules(prob) == ()


def test_cancel_stops_the_search_and_keeps_the_best_roster():
    # given a search cancelled as soon as the first roster is reported
    import threading

    prob = _cover_problem(14, 5)
    event = threading.Event()
    seen = []

    def progress(p):
        seen.append(p)
        if p.objective is not None:
            event.set()

    # when the portfolio runs with a long limit
    solution = solve_colgen(prob, time_limit=120, workers=2, progress=progress, cancel=event)
    # then it returns (without waiting for the limit) a roster the referee agrees with
    assert event.is_set() and seen
    assert evaluate(prob, solution.roster).objective == solution.objective


def test_colgen_proves_the_optimum_after_a_milp_solve_in_the_same_process():
    # given a MILP solve through PuLP's HiGHS earlier in this process (it starts HiGHS's thread pool)
    from scheduler.solver.milp import solve_milp

    prob = _cover_problem(7, 4)
    assert solve_milp(prob, time_limit=10).status == OPTIMAL
    # when column generation solves the same problem in the same process
    solution = solve_colgen(prob, time_limit=10, workers=1, polish=False)
    # then its master LPs still solve (a thread count of its own used to fail them) and it proves the optimum
    assert solution.status == OPTIMAL
    assert solution.objective == evaluate(prob, solution.roster).objective


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_people=3, max_days=7, max_shifts=2))
def test_cell_dive_ends_in_a_roster_the_referee_accepts_and_leaves_the_master_as_it_was(prob):
    # given a converged column generation
    from scheduler.solver.colgen.dive import cell_dive
    from scheduler.solver.colgen.engine import ColumnGeneration, roster_cost

    model = build_model(prob)
    cg = ColumnGeneration(model, seed=1)
    if not cg.seed_pool():
        return  # a contract no row keeps: the engine hands such problems to CP-SAT
    import time

    cg.converge(time.monotonic() + 20)
    before, _x, _duals = cg.master.solve()
    # when a dive fixes cells down to a roster
    rows = cell_dive(cg, time.monotonic() + 20, noise=0.1)
    # then every person's row keeps their own rules, the roster costs what the referee says, and the
    # dive's fixes and bounds are gone (the LP over the grown pool is no worse than before)
    assert rows is not None and set(rows) == set(range(len(model.people)))
    roster = model.to_roster(rows)
    referee = evaluate(prob, roster)
    assert [v for v in referee.violations if v.rule != "cover_minimum"] == []
    shortfall = sum(v.amount for v in referee.violations)
    assert roster_cost(model, rows) == referee.objective + prob.weights.cover_minimum_relaxed * shortfall
    assert cg.fixes == {} and cg.forbids == {}
    after, _x, _duals = cg.master.solve()
    assert after <= before + 1e-6


def test_a_limit_too_short_for_any_search_still_gives_a_roster_that_keeps_the_pins():
    # given a problem with a pinned cell and a limit far too short to price anyone
    prob = dataclasses.replace(_cover_problem(28, 8), pins=(Pin("P1", 3, "N"), Pin("P2", 3, None)))
    # when column generation runs
    solution = solve_colgen(prob, time_limit=0.01, workers=1)
    # then a roster still comes back, keeping the pins and every hard rule
    assert solution.objective is not None
    assert solution.roster["P1"][3] == "N" and solution.roster["P2"][3] is None
    referee = evaluate(prob, solution.roster)
    assert referee.violations == ()
    assert referee.objective == solution.objective


def test_pricing_people_side_by_side_adds_the_same_columns_as_one_at_a_time():
    # given the same problem priced with one thread and with two
    import time

    from scheduler.solver.colgen.engine import ColumnGeneration

    pools = []
    for threads in (1, 2):
        cg = ColumnGeneration(build_model(_cover_problem(14, 6)), seed=3)
        assert cg.seed_pool()
        cg.threads = threads
        # when the column generation converges
        assert cg.converge(time.monotonic() + 60)
        pools.append([(person, row) for person, row, _cost in cg.master.columns])
    # then both pools hold the same columns in the same order (rows are added in the people's order)
    assert pools[0] == pools[1]


def test_the_polish_starts_from_the_best_roster_only_when_it_meets_every_cover_minimum():
    from scheduler.solver.colgen.solve import _Best
    from scheduler.solver.domain import Cover
    from scheduler.solver.incumbent import IncumbentPool
    from scheduler.solver.result import Tracker

    # given one day needing one person, and the engine's best roster so far leaving it short
    prob = problem(1, staff=[person("A"), person("B")], cover=(Cover(0, "D", minimum=1, preferred=1),))
    best = _Best(prob, IncumbentPool(), Tracker())
    planner_hint = {"A": ("D",), "B": (None,)}
    assert best.hint(planner_hint) == planner_hint  # no roster yet
    best.consider({"A": (None,), "B": (None,)}, "test")

    # then the polish starts from the planner's hint (or from scratch), not from the short roster
    assert best.short and best.hint(planner_hint) == planner_hint and best.hint(None) is None

    # and once a roster meets every minimum, from that roster
    best.consider({"A": (None,), "B": ("D",)}, "test")
    assert not best.short and best.hint(planner_hint) == {"A": (None,), "B": ("D",)}
