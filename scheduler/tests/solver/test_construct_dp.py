"""The dynamic programme's pieces for long horizons: per-type maxima priced by bisection, total minutes
priced instead of counted, and window shares that follow the demand."""

from __future__ import annotations

import dataclasses

from scheduler.solver import construct
from scheduler.solver.construct import dp_row, person_gain
from scheduler.solver.cpsat.horizon import demand_weights, window
from scheduler.solver.domain import Cover, ShiftType
from scheduler.solver.evaluate import evaluate
from scheduler.solver.rules import forbidden_cells

from .builders import DAY, person, problem

EARLY = ShiftType("E", 480, start_minute=6 * 60)


def _allowed(prob, pid="A"):
    cells = forbidden_cells(prob)
    return cells, [
        [s.id for s in prob.shift_types if (pid, d, s.id) not in cells and (pid, d, None) not in cells]
        for d in range(prob.num_days)
    ]


def test_a_capped_type_is_worked_up_to_its_maximum_not_dropped():
    # given one person who may work the scarce early shift at most 3 times in 14 days, and cover that
    # values early shifts far above day shifts
    staff = [person("A", max_shifts_per_type={"E": 3}, max_consecutive_shifts=5, min_consecutive_days_off=1)]
    cover = tuple(Cover(d, "E", preferred=1, weight_under=100) for d in range(14)) + tuple(
        Cover(d, "D", preferred=1, weight_under=1) for d in range(14)
    )
    prob = problem(14, staff=staff, shifts=(EARLY, DAY), cover=cover)
    cells, allowed = _allowed(prob)
    # when the programme plans the row
    row = dp_row(prob, prob.staff[0], {}, allowed, cells)
    # then it keeps the maximum and works the early shift exactly that often (a price doubled until the
    # row fits drops the type altogether)
    assert row is not None and evaluate(prob, {"A": row}).violations == ()
    assert sum(1 for s in row if s == "E") == 3


def _year_problem():
    days = 364
    staff = [
        person(
            "A",
            max_total_minutes=480 * 200,
            min_total_minutes=480 * 198,
            max_consecutive_shifts=5,
            min_consecutive_shifts=2,
            min_consecutive_days_off=2,
            max_weekends=26,
        )
    ]
    cover = tuple(Cover(d, "D", preferred=1, weight_under=10 + d % 7, weight_over=1) for d in range(days))
    return problem(days, staff=staff, cover=cover)


def test_priced_totals_give_a_row_within_them_and_as_good_as_counted_totals(monkeypatch):
    # given a year for one person whose minimum and maximum totals are two shifts apart
    prob = _year_problem()
    cells, allowed = _allowed(prob)
    gain = person_gain(prob, prob.staff[0], {}, allowed)
    # when the pattern is planned with the minutes counted (the exact kernel) and with them priced
    monkeypatch.setattr(construct, "PRICE_MINUTES_ABOVE", 10**12)
    counted = construct.person_row(prob, prob.staff[0], allowed, gain)
    monkeypatch.setattr(construct, "PRICE_MINUTES_ABOVE", 0)
    landed = []
    real = construct._priced_pattern
    monkeypatch.setattr(construct, "_priced_pattern", lambda *args: landed.append(real(*args)) or landed[-1])
    priced = construct.person_row(prob, prob.staff[0], allowed, gain)
    # then a price landed within the totals, both rows keep every rule, and the priced row is within 1%
    # of the counted one's value
    assert landed and landed[0] is not None
    for row in (counted, priced):
        assert row is not None and evaluate(prob, {"A": row}).violations == ()
    counted_cost = evaluate(prob, {"A": counted}).objective
    assert evaluate(prob, {"A": priced}).objective <= counted_cost * 1.01


def test_an_exact_total_holds_priced_and_falls_back_to_counting_when_no_price_lands(monkeypatch):
    # given a year whose minimum and maximum total are the same 199 shifts
    prob = _year_problem()
    a = prob.staff[0]
    tight = dataclasses.replace(a.contract, min_total_minutes=480 * 199, max_total_minutes=480 * 199)
    prob = dataclasses.replace(prob, staff=(dataclasses.replace(a, contract=tight),))
    cells, allowed = _allowed(prob)
    gain = person_gain(prob, prob.staff[0], {}, allowed)
    monkeypatch.setattr(construct, "PRICE_MINUTES_ABOVE", 0)
    # when the row is planned priced, then with no price landing, then counted
    priced = construct.person_row(prob, prob.staff[0], allowed, gain)
    real = construct._priced_pattern
    monkeypatch.setattr(construct, "_priced_pattern", lambda *args: None)
    fallen_back = construct.person_row(prob, prob.staff[0], allowed, gain)
    monkeypatch.setattr(construct, "_priced_pattern", real)
    monkeypatch.setattr(construct, "PRICE_MINUTES_ABOVE", 10**12)
    counted = construct.person_row(prob, prob.staff[0], allowed, gain)
    # then the priced row holds the exact total, and the fallback is the counted row
    assert priced is not None and sum(1 for s in priced if s) == 199
    assert evaluate(prob, {"A": priced}).violations == ()
    assert fallen_back == counted and counted is not None


def test_window_shares_follow_the_demand():
    # given two people over 8 weeks whose cover doubles in the second four weeks
    staff = [person(pid, max_total_minutes=480 * 30, min_total_minutes=480 * 28) for pid in "AB"]
    cover = tuple(Cover(d, "D", preferred=1 if d < 28 else 2, weight_under=10) for d in range(56))
    prob = problem(56, staff=staff, cover=cover)
    # when the first four weeks are cut out with the future open, by the demand and by the days
    weights = demand_weights(prob)
    by_demand, _ = window(prob, 0, 28, None, future="open", weights=weights)
    by_days, _ = window(prob, 0, 28, None, future="open")
    # then the demand gives the first weeks a third of each total, the days half
    assert by_days.staff[0].contract.min_total_minutes == 480 * 14
    assert abs(by_demand.staff[0].contract.min_total_minutes - 480 * 28 / 3) <= 1
    assert sum(weights[28:]) == 2 * sum(weights[:28])


def test_a_pattern_past_the_totals_works_shorter_shifts_where_it_loses_least():
    # given a pattern of 8- and 10-hour options (4 and 5 units) that works 3 units over its maximum
    options = [
        [(4, 10.0, "E"), (5, 12.0, "L")],
        [(4, 10.0, "E"), (5, 19.0, "L")],
        [(4, 1.0, "E"), (5, 2.0, "L")],
    ]
    options += [[(4, 3.0, "E"), (5, 3.5, "L")]]
    pattern = [5, 5, 5, 5]
    # when it is brought within [15, 17] units
    fitted = construct._fit_lengths(pattern, options, 15, 17)
    # then the same days are worked, the total lands in range, and the days that lose least are shortened
    assert fitted == [4, 5, 4, 4]
    # and a range no lengths reach gives None
    assert construct._fit_lengths(pattern, options, 10, 12) is None
