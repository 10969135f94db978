import pytest

from ops import cache as ops_cache


@pytest.fixture(autouse=True)
def fresh_capacity_cache():
    """Each test reads aggregates under a version no earlier test wrote (ids repeat after a rollback)."""
    ops_cache.bump("capacity")
    yield
