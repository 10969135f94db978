"""CP-SAT search pieces: the portfolio's incumbent exchange, windows of days, the DP with history."""

from __future__ import annotations

import dataclasses

from scheduler.solver.construct import dp_row
from scheduler.solver.cpsat import solve_cpsat
from scheduler.solver.cpsat.horizon import only_people, window
from scheduler.solver.domain import Cover
from scheduler.solver.evaluate import evaluate
from scheduler.solver.incumbent import IncumbentPool
from scheduler.solver.rules import forbidden_cells

from .builders import DAY, NIGHT, person, problem, wants


def _cover_problem(days=14, people=5):
    staff = [
        person(chr(65 + i), max_consecutive_shifts=3, min_consecutive_shifts=2, max_total_minutes=480 * 8)
        for i in range(people)
    ]
    cover = tuple(Cover(d, "D", preferred=3, weight_under=10, weight_over=1) for d in range(days))
    return problem(days, staff=staff, cover=cover, requests=wants("A", [0, 1, 2]))


def test_cpsat_offers_its_rosters_to_the_pool():
    # given a pool shared with other engines
    prob = _cover_problem()
    pool = IncumbentPool()
    # when CP-SAT solves
    solution = solve_cpsat(prob, time_limit=5, workers=2, incumbents=pool)
    # then the pool holds its best roster, scored as the referee scores it
    best = pool.best()
    assert best is not None and best.source.startswith("cpsat")
    assert best.objective == evaluate(prob, best.roster).objective == solution.objective


def test_cpsat_starts_from_a_better_roster_another_engine_put_in_the_pool():
    # given an optimal roster already in the pool (found by "another engine")
    prob = _cover_problem()
    first = solve_cpsat(prob, time_limit=10, workers=2)
    pool = IncumbentPool()
    pool.offer(first.roster, first.objective, "colgen:dive")
    # when CP-SAT runs with almost no time
    solution = solve_cpsat(prob, time_limit=5, workers=1, incumbents=pool, lns=True)
    # then it is never worse than the pool's roster
    assert solution.objective <= first.objective
    assert evaluate(prob, solution.roster).objective == solution.objective


def test_an_open_window_gets_its_share_of_the_totals_and_the_roster_before_it_as_history():
    # given a 4-week problem with horizon totals and a roster for the first two weeks
    staff = [person("A", max_total_minutes=480 * 16, min_total_minutes=480 * 12, max_weekends=2)]
    prob = problem(28, staff=staff)
    roster = {"A": ("D",) * 5 + (None,) * 9 + (None,) * 14}
    # when the last two weeks are cut out, the future still open
    sub, free = window(prob, 14, 28, roster, future="open")
    # then the window has what is left (16 - 5 shifts at most, 12 - 5 at least) and the history
    contract = sub.staff[0].contract
    assert free == 14 and sub.num_days == 14 and sub.start_date == prob.date(14)
    assert contract.max_total_minutes == 480 * 11 and contract.min_total_minutes == 480 * 7
    assert contract.max_weekends == 2
    assert sub.history["A"] == roster["A"][0:14]


def test_a_fixed_window_pins_a_tail_and_only_people_counts_the_others_as_cover():
    # given two people and a full roster
    prob = problem(
        21,
        staff=[person("A", max_total_minutes=480 * 10), person("B")],
        shifts=(DAY, NIGHT),
        cover=tuple(Cover(d, "D", preferred=1, weight_under=5) for d in range(21)),
    )
    roster = {"A": ("D", None) * 10 + ("D",), "B": ("N",) * 21}
    # when days 7-13 are cut out with the rest fixed, for A only
    sub, free = window(prob, 7, 14, roster, future="fixed", tail=3)
    sub = only_people(sub, {"A"}, {p: row[7:17] for p, row in roster.items()})
    # then the tail is pinned, A's total is exact, and B's shifts are external cover
    assert free == 7 and sub.num_days == 10
    assert {(p.day, p.shift) for p in sub.pins} == {(7 + k, roster["A"][14 + k]) for k in range(3)}
    used_outside = sum(1 for d, s in enumerate(roster["A"]) if s and not 7 <= d < 17)
    assert sub.staff[0].contract.max_total_minutes == 480 * (10 - used_outside)
    assert [p.id for p in sub.staff] == ["A"] and sub.external_cover == {}  # B works nights only


def test_the_dynamic_programme_continues_the_run_the_history_leaves_open():
    # given a person who worked the last day of the previous period, with runs of at least 2 days
    staff = [person("A", min_consecutive_shifts=2, max_consecutive_shifts=3, min_consecutive_days_off=2)]
    prob = problem(7, staff=staff, history={"A": (None, None, "D")})
    prob = dataclasses.replace(prob, requests=wants("A", [3, 4]))
    cells = forbidden_cells(prob)
    allowed = [[s.id for s in prob.shift_types if ("A", d, s.id) not in cells] for d in range(7)]
    # when the DP builds the row
    row = dp_row(prob, prob.staff[0], {}, allowed, cells)
    # then day 0 continues the run (a 1-day run would break the minimum) and the referee accepts the row
    assert row is not None and row[0] == "D"
    assert evaluate(prob, {"A": row}).violations == ()
