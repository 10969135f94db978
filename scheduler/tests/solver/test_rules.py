"""One tiny problem per rule, asserting the exact optimal penalty, for every engine that supports the rule.

CP-SAT, the MILP and column generation support every rule; the referee (evaluate.py) must agree with each
solution.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from scheduler.solver.colgen import solve_colgen
from scheduler.solver.cpsat import solve_cpsat
from scheduler.solver.domain import (
    INFEASIBLE,
    OPTIMAL,
    Absence,
    Budget,
    Contract,
    Cover,
    Person,
    Pin,
    ShiftType,
    Weights,
)
from scheduler.solver.evaluate import evaluate
from scheduler.solver.milp import solve_milp

from .builders import DAY, MONDAY, NIGHT, avoids, person, problem, wants

ENGINES = ["cpsat", "milp", "colgen"]


def run(engine: str, prob):
    if engine == "cpsat":
        return solve_cpsat(prob, time_limit=5, workers=1, lns=False)
    if engine == "colgen":  # column generation alone: its own pool and proof, no CP-SAT polish
        return solve_colgen(prob, time_limit=10, workers=1, polish=False)
    return solve_milp(prob, time_limit=10, workers=1)


def solved(engine: str, prob, expected: int):
    # given the problem, when solved, then the optimum is exact and the referee agrees
    solution = run(engine, prob)
    if engine == "colgen" and solution.status != OPTIMAL:
        # without branching, column generation proves optimality only by its LP bound or a complete pool
        # (fairness over 21 days is neither); it must still find the optimum
        assert solution.bound is None or solution.bound <= expected, solution.message
    else:
        assert solution.status == OPTIMAL, solution.message
    assert solution.objective == expected
    referee = evaluate(prob, solution.roster)
    assert referee.violations == ()
    assert referee.objective == expected
    assert sum(p.amount for p in solution.penalties) == expected
    return solution


@pytest.mark.parametrize("engine", ENGINES)
def test_one_shift_per_day(engine):
    prob = problem(1, shifts=(DAY, NIGHT), requests=wants("A", [0], "D", 2) + wants("A", [0], "N", 3))
    solution = solved(engine, prob, 2)
    assert solution.roster["A"] == ("N",)


@pytest.mark.parametrize("engine", ENGINES)
def test_forbidden_successions(engine):
    prob = problem(
        2,
        shifts=(DAY, NIGHT),
        forbidden_successions=frozenset({("N", "D")}),
        requests=wants("A", [0], "N", 3) + wants("A", [1], "D", 2),
    )
    solution = solved(engine, prob, 2)
    assert solution.penalties_by_rule() == {"shift_on_requests": 2}


@pytest.mark.parametrize("engine", ENGINES)
def test_forbidden_successions_from_history(engine):
    prob = problem(
        1,
        shifts=(DAY, NIGHT),
        forbidden_successions=frozenset({("N", "D")}),
        history={"A": ("N",)},
        requests=wants("A", [0], "D", 2),
    )
    solved(engine, prob, 2)


@pytest.mark.parametrize("engine", ENGINES)
def test_min_rest_between_shifts(engine):
    late = ShiftType("L", 600, start_minute=14 * 60)
    early = ShiftType("E", 480, start_minute=6 * 60)
    prob = problem(
        2,
        staff=[person(min_rest_minutes=660)],
        shifts=(late, early),
        requests=wants("A", [0], "L", 3) + wants("A", [1], "E", 2),
    )
    solved(engine, prob, 2)


@pytest.mark.parametrize("engine", ENGINES)
def test_max_shifts_per_type(engine):
    prob = problem(3, staff=[person(max_shifts_per_type={"D": 1})], requests=wants("A", range(3)))
    solved(engine, prob, 2)


@pytest.mark.parametrize("engine", ENGINES)
def test_shift_types_in_contract(engine):
    prob = problem(2, staff=[person(max_shifts_per_type={"D": 0})], requests=wants("A", range(2), weight=4))
    solved(engine, prob, 8)


@pytest.mark.parametrize("engine", ENGINES)
def test_max_total_minutes(engine):
    prob = problem(3, staff=[person(max_total_minutes=960)], requests=wants("A", range(3)))
    solved(engine, prob, 1)


@pytest.mark.parametrize("engine", ENGINES)
def test_min_total_minutes(engine):
    prob = problem(3, staff=[person(min_total_minutes=960)], requests=avoids("A", range(3)))
    solved(engine, prob, 2)


@pytest.mark.parametrize("engine", ENGINES)
def test_max_weekly_minutes(engine):
    prob = problem(7, staff=[person(max_weekly_minutes=3 * 480)], requests=wants("A", range(7)))
    solved(engine, prob, 4)


@pytest.mark.parametrize("engine", ENGINES)
def test_min_weekly_minutes_only_full_weeks(engine):
    # given 10 days from a Monday: one full week and a partial one; only the full week has the minimum
    prob = problem(10, staff=[person(min_weekly_minutes=2 * 480)], requests=avoids("A", range(10)))
    solved(engine, prob, 2)


@pytest.mark.parametrize("engine", ENGINES)
def test_max_consecutive_shifts(engine):
    prob = problem(4, staff=[person(max_consecutive_shifts=2)], requests=wants("A", range(4)))
    solved(engine, prob, 1)


@pytest.mark.parametrize("engine", ENGINES)
def test_max_consecutive_shifts_counts_history(engine):
    prob = problem(
        2, staff=[person(max_consecutive_shifts=2)], history={"A": ("D", "D")}, requests=wants("A", range(2))
    )
    solved(engine, prob, 1)


@pytest.mark.parametrize("engine", ENGINES)
def test_min_consecutive_shifts(engine):
    prob = problem(
        5,
        staff=[person(min_consecutive_shifts=3)],
        requests=wants("A", [2], weight=5) + avoids("A", [0, 1, 3, 4]),
    )
    solved(engine, prob, 2)


@pytest.mark.parametrize("engine", ENGINES)
def test_min_consecutive_shifts_exempts_runs_at_the_edges(engine):
    prob = problem(
        3, staff=[person(min_consecutive_shifts=3)], requests=wants("A", [0], weight=5) + avoids("A", [1, 2])
    )
    solved(engine, prob, 0)


@pytest.mark.parametrize("engine", ENGINES)
def test_min_consecutive_shifts_with_history_is_not_exempt(engine):
    # given history ending with a day off, a run starting on day 0 is a real run and must reach the minimum
    prob = problem(
        3,
        staff=[person(min_consecutive_shifts=3)],
        history={"A": (None,)},
        requests=wants("A", [0], weight=5) + avoids("A", [1, 2]),
    )
    solved(engine, prob, 2)


@pytest.mark.parametrize("engine", ENGINES)
def test_min_consecutive_days_off(engine):
    prob = problem(
        5,
        staff=[person(min_consecutive_days_off=2)],
        requests=wants("A", [0, 1, 3, 4]) + avoids("A", [2], weight=5),
    )
    solved(engine, prob, 1)


@pytest.mark.parametrize("engine", ENGINES)
def test_max_weekends(engine):
    prob = problem(14, staff=[person(max_weekends=1)], requests=wants("A", [5, 12]))
    solved(engine, prob, 1)


@pytest.mark.parametrize("engine", ENGINES)
def test_max_consecutive_nights(engine):
    prob = problem(
        2, staff=[person(max_consecutive_nights=1)], shifts=(DAY, NIGHT), requests=wants("A", [0, 1], "N", 2)
    )
    solved(engine, prob, 2)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["day_off", "leave", "unavailable"])
def test_days_off(engine, kind):
    prob = problem(2, absences=(Absence("A", 0, kind),), requests=wants("A", [0, 1], weight=3))
    solved(engine, prob, 3)


@pytest.mark.parametrize("engine", ENGINES)
def test_skills_and_certifications_expire(engine):
    icu = ShiftType("S", 480, required_skills=frozenset({"icu"}))
    certified = Person("A", Contract(), skills={"icu": MONDAY + dt.timedelta(days=1)})
    prob = problem(3, staff=[certified], shifts=(icu,), requests=wants("A", range(3), "S"))
    solution = solved(engine, prob, 1)
    assert solution.roster["A"] == ("S", "S", None)


@pytest.mark.parametrize("engine", ENGINES)
def test_pinned_assignments(engine):
    prob = problem(
        2,
        pins=(Pin("A", 0, None), Pin("A", 1, "D")),
        requests=wants("A", [0], weight=2) + avoids("A", [1], weight=3),
    )
    solved(engine, prob, 5)


@pytest.mark.parametrize("engine", ENGINES)
def test_cover_minimum_reports_the_shortfall_instead_of_failing(engine):
    staff = [person("A"), person("B")]
    prob = problem(1, staff=staff, absences=(Absence("B", 0, "leave"),), cover=(Cover(0, "D", minimum=2),))
    # when the hard minimum cannot be met
    solution = run(engine, prob)
    # then the closest roster comes back with the shortfall as a violation, agreed by the referee
    assert solution.status == INFEASIBLE
    assert solution.roster["A"] == ("D",)
    assert [(v.rule, v.amount, v.day) for v in solution.violations] == [("cover_minimum", 1, 0)]
    assert [(v.rule, v.amount) for v in evaluate(prob, solution.roster).violations] == [("cover_minimum", 1)]


@pytest.mark.parametrize("engine", ENGINES)
def test_cover_under_preferred(engine):
    prob = problem(1, cover=(Cover(0, "D", preferred=2, weight_under=7),))
    solved(engine, prob, 7)


@pytest.mark.parametrize("engine", ENGINES)
def test_cover_over_preferred(engine):
    staff = [person("A", min_total_minutes=480), person("B", min_total_minutes=480)]
    prob = problem(1, staff=staff, cover=(Cover(0, "D", preferred=1, weight_over=3),))
    solved(engine, prob, 3)


@pytest.mark.parametrize("engine", ENGINES)
def test_cover_counts_only_skill_holders(engine):
    nurse = Person("A", Contract(), skills={"rn": None})
    helper = Person("B", Contract())
    prob = problem(
        1,
        staff=[nurse, helper],
        absences=(Absence("A", 0),),
        cover=(Cover(0, "D", preferred=1, weight_under=9, skill="rn"),),
    )
    solved(engine, prob, 9)


@pytest.mark.parametrize("engine", ENGINES)
def test_shift_on_and_off_requests(engine):
    prob = problem(1, requests=wants("A", [0], weight=4) + avoids("A", [0], None, 3))
    solved(engine, prob, 3)


def _pair(**contract):
    return [Person("A", Contract(id="c", **contract)), Person("B", Contract(id="c", **contract))]


@pytest.mark.parametrize("engine", ENGINES)
def test_fairness_nights(engine):
    prob = problem(
        3,
        staff=_pair(),
        shifts=(NIGHT,),
        weights=Weights(fairness_nights=4),
        cover=tuple(Cover(d, "N", preferred=1, weight_under=50, weight_over=50) for d in range(3)),
    )
    solved(engine, prob, 4)


@pytest.mark.parametrize("engine", ENGINES)
def test_fairness_weekends(engine):
    saturdays = [5, 12, 19]
    # Sundays off for both: otherwise working a Sunday evens the weekends out for free (optimum 0)
    sundays_off = tuple(Absence(p, d + 1) for p in "AB" for d in saturdays)
    prob = problem(
        21,
        staff=_pair(),
        weights=Weights(fairness_weekends=5),
        absences=sundays_off,
        cover=tuple(Cover(d, "D", preferred=1, weight_under=50, weight_over=50) for d in saturdays),
    )
    solved(engine, prob, 5)


@pytest.mark.parametrize("engine", ENGINES)
def test_fairness_weekends_counts_a_weekend_only_when_it_is_worked(engine):
    # given three covered Saturdays for two people on one contract, and Sundays free to work
    saturdays = [5, 12, 19]
    prob = problem(
        21,
        staff=_pair(),
        weights=Weights(fairness_weekends=5),
        cover=tuple(Cover(d, "D", preferred=1, weight_under=50, weight_over=50) for d in saturdays),
    )
    # then the engines find the even split (one works a Sunday of a weekend the other has): a model that
    # lets "weekend worked" be 1 on a weekend nobody worked stops at 5 and calls it optimal
    solved(engine, prob, 0)


@pytest.mark.parametrize("engine", ENGINES)
def test_fairness_minutes(engine):
    prob = problem(
        3,
        staff=_pair(),
        weights=Weights(fairness_minutes=1),
        cover=tuple(Cover(d, "D", preferred=1, weight_under=1000, weight_over=1000) for d in range(3)),
    )
    solved(engine, prob, 480)


@pytest.mark.parametrize("engine", ENGINES)
def test_labour_cost(engine):
    staff = [Person("A", hourly_rate=30), Person("B", hourly_rate=20)]
    prob = problem(1, staff=staff, cover=(Cover(0, "D", preferred=1, weight_under=1000),))
    solution = solved(engine, prob, 160)
    assert solution.roster == {"A": (None,), "B": ("D",)}


@pytest.mark.parametrize("engine", ENGINES)
def test_overtime_cost(engine):
    long_day = ShiftType("D", 500)
    staff = [Person("A", Contract(contract_minutes=480), overtime_premium=7)]
    prob = problem(
        2,
        staff=staff,
        shifts=(long_day,),
        cover=tuple(Cover(d, "D", preferred=1, weight_under=1000) for d in range(2)),
    )
    solved(engine, prob, 7 * 9)  # 1000 - 480 = 520 minutes: 9 started hours


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("change", "expected"), [(5, 3), (2, 2)])
def test_change_from_reference(engine, change, expected):
    prob = problem(
        1, reference={"A": ("D",)}, weights=Weights(change=change), requests=avoids("A", [0], weight=3)
    )
    solved(engine, prob, expected)


def test_external_cover_counts_towards_cover():
    prob = problem(1, cover=(Cover(0, "D", preferred=2, weight_under=5),), external_cover={(0, "D", None): 1})
    solved("cpsat", prob, 0)


def test_contracts_that_cannot_hold_name_the_blocking_rule():
    # given a person who must work 2 days but is absent on both
    prob = problem(2, staff=[person(min_total_minutes=960)], absences=(Absence("A", 0), Absence("A", 1)))
    solution = solve_cpsat(prob, time_limit=5, workers=1, lns=False)
    assert solution.status == INFEASIBLE
    assert solution.blocking_rules == {"A": ("min_total_minutes",)}


def test_problem_rejects_unknown_ids():
    with pytest.raises(ValueError):
        problem(1, requests=wants("Z", [0]))
    with pytest.raises(ValueError):
        dataclasses.replace(problem(1), cover=(Cover(3, "D"),))


@pytest.mark.parametrize("engine", ["cpsat", "milp"])  # colgen cannot price it (colgen.unsupported_rules)
def test_cover_shortfall_risk(engine):
    # given four people at 80 a shift and a chance of being short that is not convex in the cover (2 people
    # cut it most, a third barely helps, a fourth removes it), one person already on the shift from outside
    staff = [Person(pid, Contract(), hourly_rate=10) for pid in "ABCD"]
    risk = (1.0, 0.9, 0.3, 0.26, 0.0)  # chance demand needs more than 0, 1, 2, 3, 4 people
    prob = problem(
        1,
        staff=staff,
        cover=(Cover(0, "D", short_risk=risk),),
        external_cover={(0, "D", None): 1},
        weights=Weights(cover_shortfall_risk=1000),
    )
    # when solved, then three more people are rostered: 4 on duty, cost 240 + risk 0 beats 2 on duty
    # (80 + 300) and 3 (160 + 260); the referee scores the risk the same way
    solution = solved(engine, prob, 240)
    assert sum(shift == "D" for row in solution.roster.values() for shift in row) == 3
    # at a tenth of the price, nobody extra pays: one more person (80) would take only 60 of risk off
    cheaper = dataclasses.replace(prob, weights=Weights(cover_shortfall_risk=100))
    assert evaluate(cheaper, {"A": ("D",), "B": (None,), "C": (None,), "D": (None,)}).objective == 80 + 30
    solution = solved(engine, cheaper, 90)
    assert solution.penalties_by_rule() == {"cover_shortfall_risk": 90}


def test_cover_shortfall_risk_leaves_colgen_out_of_auto():
    # given a benchmark table colgen wins, and a problem pricing the shortfall risk
    from scheduler.solver.colgen import unsupported_rules
    from scheduler.solver.select import choose_engine

    row = {"instance": "x", "staff": "1", "days": "3", "shift_types": "1", "time_limit": "10", "t_best": "1"}
    table = [
        {**row, "engine": "colgen", "feasible": "True", "objective": "1", "gap": "0"},
        {**row, "engine": "cpsat", "feasible": "True", "objective": "2", "gap": "0.5"},
    ]
    prob = problem(3, cover=(Cover(0, "D", short_risk=(0.5,)),), weights=Weights(cover_shortfall_risk=100))
    # then colgen names the rule and auto picks another engine; without the weight colgen is back
    assert unsupported_rules(prob) == ("cover_shortfall_risk",)
    assert choose_engine(prob, time_limit=10, table=table).engine == "cpsat"
    assert choose_engine(dataclasses.replace(prob, weights=Weights()), time_limit=10, table=table).engine == (
        "colgen"
    )


def test_a_chance_of_being_short_that_rises_with_the_cover_is_refused():
    with pytest.raises(ValueError, match="never rise"):
        Cover(0, "D", short_risk=(0.5, 0.7))
    with pytest.raises(ValueError, match="never rise"):
        Cover(0, "D", short_risk=(1.5,))


def test_colgen_asked_for_by_name_says_it_does_not_optimise_the_shortfall_risk():
    from scheduler.solver import solve

    prob = problem(2, cover=(Cover(0, "D", short_risk=(0.5,)),), weights=Weights(cover_shortfall_risk=100))
    solution = solve(prob, engine="colgen", time_limit=5, workers=1)
    assert "colgen does not optimise cover_shortfall_risk (scored only)" in solution.message
    assert evaluate(prob, solution.roster).objective == solution.objective


def _budget_problem(weight: int):
    # three people at 5 an hour (40 a shift), three wanted on the shift (500 per one missing), and a budget
    # of 1000 minutes (two shifts and 40 minutes) and 90 of cost for the week
    staff = [Person(pid, Contract(), hourly_rate=5) for pid in "ABC"]
    return problem(
        1,
        staff=staff,
        cover=(Cover(0, "D", preferred=3, weight_under=500),),
        budgets=(Budget(days=(0,), minutes=1000, cost=90),),
        weights=Weights(labour_budget_over=weight),
    )


@pytest.mark.parametrize("engine", ["cpsat", "milp"])  # colgen cannot price it (colgen.unsupported_rules)
def test_labour_budget_over(engine):
    # given a weight of 10: all three on duty cost 120, 440 minutes over (8 started hours: 80) and 30 over
    # the cost (300), 500 in all, against two on duty at 80 + 500 for the missing person
    prob = _budget_problem(10)
    # when solved, then all three work and the budget rule charges exactly 80 + 300; the referee agrees
    solution = solved(engine, prob, 500)
    assert solution.penalties_by_rule() == {"labour_cost": 120, "labour_budget_over": 380}
    assert sorted(p.detail for p in solution.penalties if p.rule == "labour_budget_over") == ["cost", "hours"]
    # at a weight of 100 the third person costs 3,920 in all: two work, within the budget
    solution = solved(engine, _budget_problem(100), 580)
    assert solution.penalties_by_rule() == {"labour_cost": 80, "cover_under_preferred": 500}


def test_without_a_weight_or_a_budget_there_is_no_budget_term():
    # given the same roster of three on duty, without the weight, and with the weight but no budget
    everyone = {"A": ("D",), "B": ("D",), "C": ("D",)}
    unweighted = _budget_problem(0)
    no_budget = dataclasses.replace(_budget_problem(10), budgets=())
    # then neither the referee nor the rules charge anything for the budget
    for prob in (unweighted, no_budget):
        assert "labour_budget_over" not in {p.rule for p in evaluate(prob, everyone).penalties}
        assert solved("cpsat", prob, 120).penalties_by_rule() == {"labour_cost": 120}


def test_labour_budget_over_leaves_colgen_out_of_auto():
    from scheduler.solver.colgen import unsupported_rules

    assert unsupported_rules(_budget_problem(10)) == ("labour_budget_over",)
    assert unsupported_rules(_budget_problem(0)) == ()
    assert unsupported_rules(dataclasses.replace(_budget_problem(10), budgets=())) == ()


def test_a_budget_outside_the_horizon_is_refused():
    with pytest.raises(ValueError, match="budget days"):
        dataclasses.replace(_budget_problem(10), budgets=(Budget(days=(1,), minutes=60),))


def test_a_sub_problem_of_some_people_keeps_the_budget_term_of_the_whole():
    # given the three-person budget problem with everyone on duty, and the sub-problem of A alone
    from scheduler.solver.cpsat.horizon import only_people, window

    prob = _budget_problem(10)
    everyone = {"A": ("D",), "B": ("D",), "C": ("D",)}
    sub = only_people(prob, {"A"}, everyone)
    # then the budget left for A is what B and C did not spend, so the budget term is the whole one's
    assert sub.budgets == (Budget(days=(0,), minutes=1000 - 960, cost=90 - 80),)

    def budget_term(p, roster):
        return sum(t.amount for t in evaluate(p, roster).penalties if t.rule == "labour_budget_over")

    assert budget_term(sub, {"A": ("D",)}) == budget_term(prob, everyone) == 380
    # and a window of a longer horizon keeps each budget's share of the days inside it
    two_days = dataclasses.replace(prob, num_days=2, budgets=(Budget(days=(0, 1), minutes=1000, cost=91),))
    inside, _ = window(two_days, 1, 2)
    assert inside.budgets == (Budget(days=(0,), minutes=500, cost=45),)
