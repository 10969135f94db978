"""GET /api/audit: the trail scoped to the caller's departments, filtered by object, actor and time."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from api.testing import api_client, make_user
from capacity import catalogue
from capacity.budgets import labour_budget_set
from capacity.tests.factories import PersonFactory
from ops import audit
from ops.models import AuditEntry

pytestmark = pytest.mark.django_db
MONDAY = timezone.datetime(2025, 3, 3).date()


@pytest.fixture
def trail(org):
    """Ann (unit A) renamed by the planner of A; a budget of unit B set by the planner of B."""
    planner_a = make_user("planner", [org["a"]], username="plan-a")
    planner_b = make_user("planner", [org["b"]], username="plan-b")
    ann = PersonFactory(department=org["a"], name="Ann")
    with audit.acting_as(planner_a):
        catalogue.person_update(person=ann, name="Ann Able")
    with audit.acting_as(planner_b):
        labour_budget_set(unit=org["b"], week=MONDAY, hours=Decimal(100), cost=Decimal(2000))
    return {"ann": ann, "planner_a": planner_a, "planner_b": planner_b, **org}


def _actions(response):
    assert response.status_code == 200, response.content
    return [row["action"] for row in response.json()["results"]]


def test_a_reader_sees_the_entries_of_their_departments_only(trail):
    # given a viewer of unit A (who wrote nothing)
    viewer = make_user("viewer", [trail["a"]])

    # when they read the trail
    rows = api_client(viewer).get("/api/audit").json()["results"]

    # then they see Ann's rename, with before and after and who did it, and nothing of unit B
    # (the grants of unit A are there too: make_user granted them)
    assert {r["department_id"] for r in rows} == {trail["a"].pk}
    rows = [r for r in rows if r["object_type"] == "capacity.person"]
    assert [(r["action"], r["actor"], r["object_id"]) for r in rows] == [
        ("person_update", "plan-a", str(trail["ann"].pk))
    ]
    assert rows[0]["changes"] == {"name": {"before": "Ann", "after": "Ann Able"}}


def test_a_superuser_sees_every_entry(trail):
    admin = make_user(is_superuser=True)

    actions = _actions(api_client(admin).get("/api/audit"))

    assert {"person_update", "labour_budget_set"} <= set(actions)


def test_filters_by_object_actor_and_time(trail):
    client = api_client(make_user(is_superuser=True))
    ann = trail["ann"]

    assert _actions(client.get(f"/api/audit?object=capacity.person:{ann.pk}")) == ["person_update"]
    assert _actions(client.get("/api/audit?object=capacity.labourbudget")) == ["labour_budget_set"]
    assert _actions(client.get("/api/audit?actor=plan-b")) == ["labour_budget_set"]
    later = (timezone.now() + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    assert _actions(client.get("/api/audit", {"since": later})) == []


@pytest.mark.parametrize("query", ["since=yesterday", "object=person", "colour=red", "page_size=0"], ids=str)
def test_bad_queries_answer_400_in_the_error_contract(trail, query):
    response = api_client(make_user(is_superuser=True)).get(f"/api/audit?{query}")

    assert response.status_code == 400
    assert set(response.json()) == {"message", "extra"}


def test_the_trail_is_paged(trail):
    client = api_client(make_user(is_superuser=True))

    body = client.get("/api/audit?page_size=1").json()

    assert body["count"] == AuditEntry.objects.count()
    assert len(body["results"]) == 1 and body["next"]


def test_queries_do_not_grow_with_the_entries(trail, django_assert_max_num_queries):
    client = api_client(trail["planner_a"])
    for i in range(20):
        with audit.acting_as(trail["planner_a"]):
            catalogue.person_update(person=trail["ann"], name=f"Ann {i}")

    with django_assert_max_num_queries(8):
        rows = client.get("/api/audit?page_size=20").json()["results"]
    assert len(rows) == 20


def test_the_admin_lists_the_trail_read_only(trail, client):
    client.force_login(make_user(is_superuser=True))

    listing = client.get("/admin/ops/auditentry/")
    add = client.get("/admin/ops/auditentry/add/")

    assert listing.status_code == 200
    assert "person_update" in listing.content.decode()
    assert add.status_code == 403


def test_a_change_made_in_the_admin_is_audited_too(trail, client):
    # given a role, renamed by a superuser in the admin (which writes rows directly, not via a service)
    admin = make_user(is_superuser=True)
    role = catalogue.role_create(name="Porter")
    client.force_login(admin)

    response = client.post(f"/admin/capacity/role/{role.pk}/change/", {"name": "Head porter"})

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="admin_change", object_id=str(role.pk))
    assert (entry.actor, entry.changes) == (admin, {"name": {"before": "Porter", "after": "Head porter"}})
