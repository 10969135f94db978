import pytest

from capacity.models import Department
from capacity.tests.factories import DepartmentFactory, UnitFactory
from ops import cache


@pytest.fixture(autouse=True)
def _fresh_cache_namespaces():
    # Ids repeat across tests on SQLite; a new version per test keeps one test's cached access sets
    # (keyed by user id) from answering for another's.
    cache.bump(*cache.NAMESPACES)


@pytest.fixture
def org(db):
    """An organisation with one site and two units, A and B."""
    root = DepartmentFactory(name="Org")
    site = DepartmentFactory(name="Site", kind=Department.Kind.SITE, parent=root)
    unit_a = UnitFactory(name="Unit A", parent=site)
    unit_b = UnitFactory(name="Unit B", parent=site)
    return {"root": root, "site": site, "a": unit_a, "b": unit_b}
