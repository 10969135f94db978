"""Early stop in the dispatch layer: at a gap, on a stall, and the reason every solve ends with."""

from __future__ import annotations

import threading

import pytest

from scheduler.solver import solve
from scheduler.solver.dispatch import STOP_REASONS, EarlyStop, stop_reason
from scheduler.solver.domain import FEASIBLE, INFEASIBLE, OPTIMAL, Cover, Progress, Solution
from scheduler.solver.options import SolveOptions, SolveOptionsError

from .builders import person, problem, wants


def _problem(days=14, people=6):
    staff = [person(chr(65 + i), max_consecutive_shifts=3) for i in range(people)]
    cover = tuple(Cover(d, "D", preferred=3, weight_under=10, weight_over=1) for d in range(days))
    return problem(days, staff=staff, cover=cover, requests=wants("A", [0, 1]))


def test_the_gap_watch_stops_once_the_incumbent_is_within_the_gap():
    # given a watch at 10%
    watch = EarlyStop(gap=0.10, stall_s=None, progress=None, cancel=None)
    # when the incumbent is 50% away, then 5% away
    watch.watch(Progress(1.0, 100, 50.0))
    assert not watch.stop() and watch.reason == ""
    watch.watch(Progress(2.0, 100, 95.0))
    # then it stops, and says why
    assert watch.stop() and watch.reason == "gap"


def test_the_stall_watch_stops_when_the_incumbent_does_not_improve():
    # given a watch that allows no time at all without improvement
    watch = EarlyStop(gap=None, stall_s=0.0, progress=None, cancel=None)
    assert not watch.stop()  # no incumbent yet: nothing has stalled
    watch.watch(Progress(1.0, 100, None))
    # then the first poll after an incumbent stops the search as stalled
    assert watch.stop() and watch.reason == "stalled"


def test_a_persons_cancel_is_not_an_early_stop():
    event = threading.Event()
    event.set()
    watch = EarlyStop(gap=0.5, stall_s=None, progress=None, cancel=event)
    assert watch.stop() and watch.reason == ""


def test_progress_still_reaches_the_caller():
    seen = []
    watch = EarlyStop(gap=None, stall_s=None, progress=seen.append, cancel=None)
    watch.watch(Progress(1.0, 7, None))
    assert [p.objective for p in seen] == [7]


@pytest.mark.parametrize(
    ("status", "watched", "cancelled", "ran", "expected"),
    [
        (OPTIMAL, "gap", False, 1.0, "optimal"),
        (INFEASIBLE, "", False, 1.0, "optimal"),
        (FEASIBLE, "gap", False, 1.0, "gap"),
        (FEASIBLE, "stalled", False, 1.0, "stalled"),
        (FEASIBLE, "", True, 1.0, "cancelled"),
        (FEASIBLE, "", False, 1.0, "completed"),
        (FEASIBLE, "", False, 10.0, "time_limit"),
    ],
)
def test_stop_reason(status, watched, cancelled, ran, expected):
    solution = Solution(roster={}, objective=1, bound=None, status=status)
    reason = stop_reason(solution, watched, cancelled=cancelled, ran_s=ran, time_limit=10.0)
    assert reason == expected and reason in STOP_REASONS


def test_a_solve_with_a_wide_gap_stops_early_and_says_so():
    # given a small problem and a gap every first incumbent with a bound meets
    solution = solve(_problem(), engine="cpsat", time_limit=60, workers=1, early_stop_gap=0.99)
    # then the solve ended on the gap or with a proof, never on the clock
    assert solution.stop_reason in ("gap", "optimal")
    assert solution.objective is not None


def test_a_solve_that_stalls_at_once_says_stalled_or_optimal():
    solution = solve(_problem(28, 8), engine="cpsat", time_limit=60, workers=1, stall_share=0.0001)
    assert solution.stop_reason in ("stalled", "optimal")


def test_stall_share_is_bounded():
    with pytest.raises(SolveOptionsError) as err:
        SolveOptions(stall_share=0).validated()
    assert err.value.field == "stall_share"
    with pytest.raises(SolveOptionsError):
        SolveOptions(stall_share=1.5).validated()


def test_progress_says_what_the_best_roster_so_far_breaks():
    # given a solve whose engines share their best roster
    seen = []
    solve(_problem(), engine="cpsat", time_limit=10, workers=1, progress=seen.append)
    # then once a roster is shared, the reports carry the referee's facts about it
    described = [p for p in seen if p.hard_violations is not None]
    assert described, [p.phase for p in seen]
    assert described[-1].hard_violations == 0 and described[-1].below_preferred is not None


def test_the_words_of_progress_and_summary():
    from scheduler.solve_words import progress_words, summary_words

    assert progress_words(objective=None, gap=None) == "no roster found yet"
    assert (
        progress_words(objective=120, gap=0.06, hard_violations=0, below_preferred=3)
        == "best roster so far breaks no rule; 3 shifts below preferred cover; "
        "at most 6% from the best possible"
    )
    assert summary_words(
        {"hard_violations": 2, "below_preferred": 0, "gap": 0.0, "stop_reason": "optimal"}
    ) == (
        "best roster breaks 2 hard rules; every preferred cover met; the best possible; "
        "stopped: proven the best possible"
    )
