import pytest
from django.core.management import call_command

from ops import cache

pytestmark = pytest.mark.django_db


def test_cache_stats_prints_hit_rates_per_namespace(capsys):
    # given one miss and two hits in the capacity namespace
    key = ("stats-test", id(object()))
    for _ in range(3):
        cache.cached("capacity", key, 60, lambda: {"n": 1})

    call_command("cache_stats")

    out = capsys.readouterr().out
    line = next(row for row in out.splitlines() if row.startswith("capacity"))
    hits, misses = (int(v) for v in line.split()[1:3])
    assert hits >= 2 and misses >= 1
    assert "%" in line


@pytest.mark.redis
def test_cache_stats_counts_entries_and_reports_redis_memory(capsys):
    cache.bump("roster")
    cache.cached("roster", ("stats-entry",), 60, lambda: [1, 2, 3])

    call_command("cache_stats")

    out = capsys.readouterr().out
    roster = next(row for row in out.splitlines() if row.startswith("roster"))
    assert int(roster.split()[5]) >= 1
    assert "redis memory:" in out
