"""Role capacity: the semantics on a small worked example (every source), parity of the three sources on
randomised data (PostgreSQL, hypothesis), and the query count of each source."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from capacity.aggregates.role_capacity import compute_role_capacity, role_capacity
from capacity.models import Assignment
from capacity.services import clean_hours, week_hours_sync
from capacity.tests.factories import (
    AssignmentFactory,
    PersonFactory,
    ProjectFactory,
    RoleFactory,
    UnitFactory,
)
from capacity.weeks import parse_week_key, week_keys

pytestmark = pytest.mark.django_db

FIRST = date(2025, 3, 3)
SOURCES = [
    pytest.param("python"),
    pytest.param("normalized"),
    pytest.param("jsonb", marks=pytest.mark.postgres),
]


@pytest.fixture
def example():
    unit, other_unit = UnitFactory(), UnitFactory()
    nurse, carer = RoleFactory(name="Nurse"), RoleFactory(name="Carer")
    new_starter = PersonFactory(
        department=unit, role=nurse, hire_date=date(2025, 3, 12), weekly_capacity_hours=30
    )
    veteran = PersonFactory(
        department=unit, role=nurse, hire_date=date(2020, 1, 6), weekly_capacity_hours=37.5
    )
    leaver = PersonFactory(department=unit, role=nurse, active=False, weekly_capacity_hours=20)
    elsewhere = PersonFactory(department=other_unit, role=nurse)
    project = ProjectFactory(department=unit)
    AssignmentFactory(
        person=new_starter,
        project=project,
        weekly_hours={
            "2025-03-03": 10,  # before the hire week: not counted
            "2025-03-09": 5,  # a Sunday: counts for 10 March
            "2025-03-10": "3",
            "2025-03-17": -4,  # negative: 0
            "2025-03-24": "",  # blank: 0
        },
    )
    AssignmentFactory(person=veteran, project=project, weekly_hours={"2025-03-05": 8, "2025-03-14": 2.5})
    AssignmentFactory(person=None, project=project, role=nurse, weekly_hours={"2025-03-03": 4})  # open
    AssignmentFactory(person=leaver, project=project, weekly_hours={"2025-03-24": 1})
    AssignmentFactory(person=elsewhere, weekly_hours={"2025-03-03": 40})  # out of scope
    return {"unit": unit, "nurse": nurse, "carer": carer}


@pytest.mark.parametrize("source", SOURCES)
def test_role_capacity_counts_from_the_hire_date_and_cleans_hours(example, source):
    # when
    result = compute_role_capacity(
        department_ids=[example["unit"].pk], first_week=FIRST, weeks=4, source=source
    )
    # then
    assert result["weekKeys"] == ["2025-03-03", "2025-03-10", "2025-03-17", "2025-03-24"]
    assert result["roles"] == [
        {"id": example["carer"].pk, "name": "Carer"},
        {"id": example["nurse"].pk, "name": "Nurse"},
    ]
    nurse = next(s for s in result["series"] if s["roleId"] == example["nurse"].pk)
    assert nurse["roleName"] == "Nurse"
    assert nurse["assigned"] == [12.0, 8.0, 2.5, 1.0]
    assert nurse["capacity"] == [37.5, 67.5, 67.5, 67.5]
    carer = next(s for s in result["series"] if s["roleId"] == example["carer"].pk)
    assert carer["assigned"] == [0.0] * 4 and carer["capacity"] == [0.0] * 4


@pytest.mark.parametrize("source", SOURCES)
def test_role_capacity_filters_roles(example, source):
    result = compute_role_capacity(
        department_ids=[example["unit"].pk],
        first_week=FIRST,
        weeks=2,
        role_ids=[example["carer"].pk],
        source=source,
    )
    assert [s["roleId"] for s in result["series"]] == [example["carer"].pk]


@pytest.mark.parametrize("source", SOURCES)
def test_role_capacity_query_count_is_fixed(example, source, django_assert_num_queries):
    # given twice as much data as the example
    for _ in range(5):
        AssignmentFactory(
            person=PersonFactory(department=example["unit"], role=example["nurse"]),
            weekly_hours={"2025-03-03": 1},
        )
    # then: roles, capacity, assigned
    with django_assert_num_queries(3):
        compute_role_capacity(department_ids=[example["unit"].pk], first_week=FIRST, weeks=4, source=source)


def test_role_capacity_is_cached_until_a_write(example, django_assert_num_queries):
    # given a read that filled the cache
    first = role_capacity(department_ids=[example["unit"].pk], first_week=FIRST, weeks=4)
    # when read again: no query
    with django_assert_num_queries(0):
        again = role_capacity(department_ids=[example["unit"].pk], first_week=FIRST, weeks=4)
    assert again == first


# --- parity on randomised data (PostgreSQL) ------------------------------------------------------------

KEY_DAYS = [FIRST - timedelta(days=10) + timedelta(days=i) for i in range(80)]
raw_hours = st.one_of(
    st.integers(min_value=-10, max_value=60),
    st.decimals(min_value=-5, max_value=60, places=2, allow_nan=False, allow_infinity=False).map(float),
    st.sampled_from(["", None, "abc", "7.5", " 4 ", "-3", True]),
)
weekly = st.dictionaries(
    st.one_of(st.sampled_from(KEY_DAYS).map(date.isoformat), st.just("not-a-date")), raw_hours, max_size=12
)
person_spec = st.tuples(
    st.integers(0, 2),  # department: 0 and 1 in scope, 2 outside
    st.integers(0, 1),  # role
    st.integers(-30, 60),  # hire date offset from FIRST, in days
    st.booleans(),  # active
    st.sampled_from([0, 20, 37.5]),
)
assignment_spec = st.tuples(
    st.one_of(st.none(), st.integers(0, 5)), st.integers(0, 1), st.integers(0, 2), weekly
)


def reference_assigned(department_ids, mondays, role_ids):
    """An oracle that shares nothing with the sources: parse every key, keep what falls in the window."""
    totals = defaultdict(Decimal)
    for a in Assignment.objects.select_related("person", "project"):
        dept = a.person.department_id if a.person else a.project.department_id
        if dept not in department_ids or (role_ids and a.role_id not in role_ids):
            continue
        for key, raw in a.weekly_hours.items():
            try:
                monday = parse_week_key(key)
            except ValueError:
                continue
            if monday in mondays and (a.person is None or a.person.hire_date <= monday + timedelta(days=6)):
                totals[(a.role_id, monday)] += clean_hours(raw)
    return totals


@pytest.mark.postgres
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    people=st.lists(person_spec, min_size=1, max_size=6),
    assignments=st.lists(assignment_spec, max_size=12),
    weeks=st.integers(1, 8),
    filter_roles=st.booleans(),
)
def test_the_three_sources_agree_on_random_data(people, assignments, weeks, filter_roles):
    with transaction.atomic():
        # given
        units = [UnitFactory(), UnitFactory(), UnitFactory()]
        roles = [RoleFactory(name="Parity A"), RoleFactory(name="Parity B")]
        projects = [ProjectFactory(department=u) for u in units]
        persons = [
            PersonFactory(
                department=units[d],
                role=roles[r],
                hire_date=FIRST + timedelta(days=h),
                active=act,
                weekly_capacity_hours=cap,
            )
            for d, r, h, act, cap in people
        ]
        created = []
        for person_index, role_index, project_index, hours in assignments:
            person = persons[person_index % len(persons)] if person_index is not None else None
            created.append(
                Assignment.objects.create(
                    person=person,
                    project=projects[project_index],
                    role=person.role if person else roles[role_index],
                    weekly_hours=hours,
                )
            )
        week_hours_sync(assignments=created)
        scope = [units[0].pk, units[1].pk]
        role_ids = [roles[0].pk] if filter_roles else None
        # when
        results = {
            source: compute_role_capacity(
                department_ids=scope, first_week=FIRST, weeks=weeks, role_ids=role_ids, source=source
            )
            for source in ("python", "jsonb", "normalized")
        }
        # then
        assert results["python"] == results["jsonb"] == results["normalized"]
        mondays = week_keys(FIRST, weeks)
        oracle = reference_assigned(set(scope), set(mondays), role_ids)
        by_role = {s["roleId"]: s for s in results["normalized"]["series"]}
        for role in roles:
            if role_ids and role.pk not in role_ids:
                continue
            assert by_role[role.pk]["assigned"] == [float(round(oracle[(role.pk, m)], 2)) for m in mondays]
            expected_capacity = [
                float(
                    sum(
                        (
                            Decimal(str(cap))
                            for d, r, h, act, cap in people
                            if d < 2 and act and roles[r] == role and FIRST + timedelta(days=h - 6) <= m
                        ),
                        Decimal(0),
                    )
                )
                for m in mondays
            ]
            assert by_role[role.pk]["capacity"] == expected_capacity
        transaction.set_rollback(True)


def test_the_setting_picks_the_source(example, settings, monkeypatch):
    # given
    from capacity.aggregates import role_capacity as module

    called = []
    real = module.ASSIGNED_BY_SOURCE["python"]
    monkeypatch.setitem(module.ASSIGNED_BY_SOURCE, "python", lambda *a: called.append(a) or real(*a))
    settings.ROLE_CAPACITY_SOURCE = "python"
    # when
    compute_role_capacity(department_ids=[example["unit"].pk], first_week=FIRST, weeks=1)
    # then
    assert len(called) == 1
