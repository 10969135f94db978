import pytest

from web.tests.builders import planning_unit, user_with_role
from web.tests.test_browser import browser, page  # noqa: F401 - the browser fixtures, for every browser test file


@pytest.fixture
def ward(db):
    return planning_unit(name="Ash Ward")


@pytest.fixture
def other_ward(db):
    return planning_unit(name="Elm Ward", people=3, assignments=False)


@pytest.fixture
def planner(ward):
    return user_with_role("ash-planner", ward.unit.parent, "planner")


@pytest.fixture
def viewer(ward):
    return user_with_role("ash-viewer", ward.unit, "viewer")
