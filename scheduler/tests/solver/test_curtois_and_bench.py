"""The Curtois benchmark reader, the bench command, and engine selection from its table."""

from __future__ import annotations

import csv
import json

import pytest

from scheduler.solver import bench
from scheduler.solver.domain import OPTIMAL, Cover
from scheduler.solver.evaluate import evaluate
from scheduler.solver.formats.curtois import parse_curtois, read_curtois
from scheduler.solver.select import choose_engine, problem_kind

from .builders import CURTOIS, DAY, NIGHT, person, problem

needs_data = pytest.mark.skipif(
    not (CURTOIS / "Instance1.txt").exists(), reason=f"Curtois benchmark files not found at {CURTOIS}"
)

TINY = """# comment
SECTION_HORIZON
7

SECTION_SHIFTS
D,480,
N,600,D|x1

SECTION_STAFF
A,D=7|N=0,3360,0,5,1,1,1
AB,D=7|N=2,3360,960,5,2,2,1

SECTION_DAYS_OFF
A,0,
AB,6

SECTION_SHIFT_ON_REQUESTS
A,2,D,3

SECTION_SHIFT_OFF_REQUESTS
AB,3,N,1

SECTION_COVER
0,D,1,100,1
0,N,0,100,1
"""


def test_reader_maps_every_section():
    prob = parse_curtois(TINY.replace("D|x1", "D"), name="tiny")
    assert prob.num_days == 7 and [s.id for s in prob.shift_types] == ["D", "N"]
    assert prob.forbidden_successions == frozenset({("N", "D")})
    ab = prob.person("AB").contract
    assert (ab.max_shifts_per_type, ab.min_total_minutes, ab.min_consecutive_shifts) == (
        {"D": 7, "N": 2},
        960,
        2,
    )
    assert [(a.person, a.day) for a in prob.absences] == [("A", 0), ("AB", 6)]
    assert [(r.person, r.day, r.shift, r.weight, r.on) for r in prob.requests] == [
        ("A", 2, "D", 3, True),
        ("AB", 3, "N", 1, False),
    ]
    assert prob.cover[0].preferred == 1 and prob.cover[0].weight_under == 100 and prob.cover[0].minimum == 0
    assert prob.date(5).weekday() == 5


@needs_data
@pytest.mark.parametrize("engine", ["cpsat", "milp"])
def test_instance1_is_solved_to_its_proven_optimum(engine):
    from scheduler.solver.dispatch import solve

    prob = read_curtois(CURTOIS / "Instance1.txt")
    solution = solve(prob, engine=engine, time_limit=20, workers=2)
    assert solution.status == OPTIMAL
    assert evaluate(prob, solution.roster).objective == solution.objective == 607


@needs_data
def test_bench_command_prints_writes_json_and_csv(tmp_path, capsys):
    results = tmp_path / "solver.csv"
    code = bench.main(
        [
            "curtois",
            str(CURTOIS / "Instance1.txt"),
            "--engine",
            "cpsat",
            "--time-limit",
            "5",
            "--workers",
            "1",
            "--best-known",
            str(CURTOIS / "best_known.tsv"),
            "--solutions",
            str(tmp_path),
            "--results",
            str(results),
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "Instance1" in out and "607" in out
    document = json.loads((tmp_path / "Instance1.cpsat.json").read_text())
    assert document["instance"] == "Instance1" and document["objective"] == 607
    assert len(document["roster"]["A"]) == 14
    rows = list(csv.DictReader(results.open()))
    assert rows[0]["gap"] == "0.0" and rows[0]["feasible"] == "True"


def _row(instance, staff, engine, gap):
    return {
        "instance": instance,
        "staff": str(staff),
        "days": "28",
        "shift_types": "3",
        "engine": engine,
        "objective": "100",
        "gap": str(gap),
        "feasible": "True",
    }


def test_select_picks_the_engine_that_wins_the_nearest_size_class():
    table = [
        _row("Small", 10, "cpsat", 5.0),
        _row("Small", 10, "milp", 0.0),
        _row("Big", 200, "cpsat", 1.0),
        _row("Big", 200, "milp", 9.0),
    ]
    small = problem(
        28, staff=[person(str(i)) for i in range(10)], shifts=(DAY, NIGHT, DAY.__class__("L", 480))
    )
    choice = choose_engine(small, table=table)
    assert choice.engine == "milp" and "Small" in choice.reason
    big = problem(
        28, staff=[person(str(i)) for i in range(200)], shifts=(DAY, NIGHT, DAY.__class__("L", 480))
    )
    assert choose_engine(big, table=table).engine == "cpsat"


def test_select_uses_assignment_for_one_day_fills_and_cpsat_without_a_table():
    assert choose_engine(problem(1), table=[]).engine == "assign"
    choice = choose_engine(problem(7), table=[])
    assert choice.engine == "cpsat" and "no benchmark table" in choice.reason


def test_select_matches_a_product_problem_against_the_product_rows():
    # given benchmark rows where milp wins and product rows of the same size where cpsat does
    table = [
        _row("Small", 10, "cpsat", 5.0),
        _row("Small", 10, "milp", 0.0),
        dict(_row("Ward", 10, "cpsat", 0.0), kind="product"),
        dict(_row("Ward", 10, "milp", 4.0), kind="product"),
    ]
    shifts = (DAY, NIGHT, DAY.__class__("L", 480))
    staff = [person(str(i)) for i in range(10)]
    # then a benchmark-like problem follows the benchmark rows
    plain = problem(28, staff=staff, shifts=shifts)
    assert problem_kind(plain) == "benchmark"
    assert choose_engine(plain, table=table).engine == "milp"
    # and one with a hard cover minimum (the benchmark format has none) follows the product rows
    product = problem(28, staff=staff, shifts=shifts, cover=(Cover(0, "D", preferred=1, minimum=1),))
    assert problem_kind(product) == "product"
    choice = choose_engine(product, table=table)
    assert choice.engine == "cpsat" and "product size class Ward" in choice.reason
