from scheduler.solver.incumbent import IncumbentPool


def test_pool_keeps_only_strictly_better_rosters_and_counts_versions():
    # given an empty pool
    pool = IncumbentPool()
    # when three rosters are offered, the second no better than the first
    first = pool.offer({"a": ("E",)}, 10, "cpsat")
    same = pool.offer({"a": (None,)}, 10, "colgen")
    better = pool.offer({"a": ("L",)}, 7, "colgen:dive")
    # then only strictly better offers are kept, and versions say what is new
    assert (first, same, better) == (True, False, True)
    best = pool.best()
    assert best.roster == {"a": ("L",)} and best.objective == 7 and best.source == "colgen:dive"
    assert best.version == 2
    assert pool.newer_than(1) is best and pool.newer_than(2) is None
