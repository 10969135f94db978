from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from capacity.models import AssignmentWeekHours
from capacity.selectors import assignment_list, department_subtree_ids
from capacity.tests.factories import (
    AssignmentFactory,
    DepartmentFactory,
    PersonFactory,
    ProjectFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command("backfill_week_hours", *args, stdout=out)
    return out.getvalue()


def _facts():
    return sorted(AssignmentWeekHours.objects.values_list("assignment_id", "week_start", "hours"))


def test_backfill_writes_missing_rows_and_is_idempotent():
    # given assignments written behind the services' back (no fact rows)
    first = AssignmentFactory(weekly_hours={"2025-03-03": 8, "2025-03-09": "2"}, sync=False)
    AssignmentFactory(person=None, weekly_hours={"2025-03-10": 4}, sync=False)
    assert not AssignmentWeekHours.objects.exists()
    # when run twice, in chunks of one
    _run("--chunk", "1")
    once = _facts()
    _run("--chunk", "1")
    # then
    assert _facts() == once
    assert [(a, w.isoformat(), float(h)) for a, w, h in once if a == first.pk] == [
        (first.pk, "2025-03-03", 8.0)
    ] + [(first.pk, "2025-03-10", 2.0)]
    assert len(once) == 3


def test_backfill_of_one_department_leaves_others_alone():
    # given
    site = DepartmentFactory(kind="site")
    unit = UnitFactory(parent=site)
    mine = AssignmentFactory(
        person=PersonFactory(department=unit), weekly_hours={"2025-03-03": 8}, sync=False
    )
    theirs = AssignmentFactory(weekly_hours={"2025-03-03": 8}, sync=False)
    # when the site is backfilled (its unit included)
    _run("--department", str(site.pk))
    # then
    assert AssignmentWeekHours.objects.filter(assignment=mine).count() == 1
    assert not AssignmentWeekHours.objects.filter(assignment=theirs).exists()


def test_reconcile_reports_drift_and_writes_nothing():
    # given one exact assignment and one whose JSON changed behind the services' back
    AssignmentFactory(weekly_hours={"2025-03-03": 8})
    drifted = AssignmentFactory(weekly_hours={"2025-03-03": 8})
    type(drifted).objects.filter(pk=drifted.pk).update(weekly_hours={"2025-03-03": 5})
    before = _facts()
    # when
    report = _run("--reconcile")
    # then
    assert "JSON hours 13.00, fact-table hours 16.00, drift -3.00" in report
    assert "1 assignments differ" in report and str(drifted.pk) in report
    assert _facts() == before
    with pytest.raises(CommandError):
        _run("--reconcile", "--fail-on-drift")
    # and a backfill clears it
    _run()
    assert "no drift" in _run("--reconcile")


def test_department_subtree_ids_walks_the_tree_in_one_query(django_assert_num_queries):
    org = DepartmentFactory()
    site = DepartmentFactory(kind="site", parent=org)
    unit = UnitFactory(parent=site)
    other = UnitFactory()
    with django_assert_num_queries(1):
        assert department_subtree_ids(department_ids=[org.pk]) == {org.pk, site.pk, unit.pk}
    assert department_subtree_ids(department_ids=[site.pk], include_children=False) == {site.pk}
    assert other.pk not in department_subtree_ids(department_ids=[org.pk])


def test_assignment_list_sorts_by_client_then_project_ignoring_case_blank_clients_last():
    unit = UnitFactory()
    person = PersonFactory(department=unit, hire_date=date(2020, 1, 6))
    for client, name in [("", "Alpha"), ("beta corp", "Zed"), ("Beta Corp", "apple"), ("acme", "Mid")]:
        AssignmentFactory(person=person, project=ProjectFactory(department=unit, client=client, name=name))
    rows = [(a.project.client, a.project.name) for a in assignment_list(department_ids=[unit.pk])]
    assert rows == [("acme", "Mid"), ("Beta Corp", "apple"), ("beta corp", "Zed"), ("", "Alpha")]


def test_assignment_list_ordering_survives_a_distinct_scope_filter():
    # the API's scoped lists filter on two department paths and add DISTINCT
    unit = UnitFactory()
    person = PersonFactory(department=unit)
    for client, name in [("", "Alpha"), ("Beta", "Zed"), ("acme", "Mid")]:
        AssignmentFactory(person=person, project=ProjectFactory(department=unit, client=client, name=name))
    scoped = assignment_list().filter(project__department_id__in=[unit.pk]).distinct()
    assert [a.project.name for a in scoped] == ["Mid", "Zed", "Alpha"]
