"""Read-replica routing against a real streaming replica (.ci/replica.sh): reports read the replica, a
client that just wrote reads the primary, a lagging replica never serves a read older than the request,
and a replica that is down costs nothing but a degraded /readyz."""

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.http import JsonResponse
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path

from api.testing import api_client, make_user
from capacity.models import Department, Person
from capacity.tests.factories import (
    AssignmentFactory,
    DepartmentFactory,
    PersonFactory,
    ProjectFactory,
    RoleFactory,
    UnitFactory,
)
from conftest import wait_for
from ops import cache as ops_cache
from ops.db_routing import PIN_COOKIE, REPLICA_DB_ALIAS, replica_caught_up
from ops.etags import version_etag

ROOT = Path(__file__).resolve().parents[2]
WEEK = "2025-03-03"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.replica,
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


def _probe(request):
    """Which database each kind of read would use, from inside a view."""
    from capacity.models import AccessGrant

    outside = Person.objects.all().db
    with transaction.atomic():
        inside = Person.objects.all().db
    return JsonResponse({"outside": outside, "inside": inside, "grants": AccessGrant.objects.all().db})


urlpatterns = [
    path("reports/probe", _probe, name="report-probe"),
    path("rosters/probe", _probe, name="roster-probe"),
]


def override_urls():
    return override_settings(ROOT_URLCONF=__name__)


def _replica(sql: str):
    with connections[REPLICA_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def _replica_script(action: str) -> None:
    port = str(settings.DATABASES[REPLICA_DB_ALIAS]["PORT"] or 5433)
    env = {**os.environ, "REPLICA_PORT": port}
    subprocess.run(["bash", ".ci/replica.sh", action], cwd=ROOT, env=env, check=True, timeout=120)


@pytest.fixture
def replica_reads(settings):
    settings.DATABASE_REPLICA_READS = True
    settings.REPLICA_RETRY_SECONDS = 0
    # the shared primary's WAL moves with every other database on it: on a loaded machine replay can trail
    # by more than the default 100 ms, and a test that expects a replica read must not read the primary then
    settings.REPLICA_MAX_WAIT_MS = 5000
    ops_cache.bump(*ops_cache.NAMESPACES)
    yield
    if _replica("SELECT pg_is_in_recovery()") and _replica("SELECT pg_is_wal_replay_paused()"):
        _replica("SELECT pg_wal_replay_resume()::text")


@pytest.fixture
def org():
    root = DepartmentFactory(name="Org")
    site = DepartmentFactory(name="Site", kind=Department.Kind.SITE, parent=root)
    unit = UnitFactory(name="Unit A", parent=site)
    ada = PersonFactory(name="Ada", department=unit, role=RoleFactory(name="Nurse"), weekly_capacity_hours=40)
    project = ProjectFactory(department=unit)
    assignment = AssignmentFactory(person=ada, project=project, weekly_hours={WEEK: 10})
    return {"root": root, "site": site, "assignment": assignment}


def _assigned(client, org) -> list[float]:
    response = client.get(
        "/api/reports/role-capacity", {"department": org["site"].pk, "start": WEEK, "weeks": 1}
    )
    assert response.status_code == 200, response.content
    return response.json()["series"][0]["assigned"]


def _reads_of(captured: CaptureQueriesContext, table: str) -> int:
    return sum(table in query["sql"] for query in captured.captured_queries)


def _computed_report(client, org) -> tuple[list[float], int]:
    """The report computed afresh (a new cache version), and how many capacity reads the replica served."""
    ops_cache.bump("capacity")
    with CaptureQueriesContext(connections[REPLICA_DB_ALIAS]) as on_replica:
        assigned = _assigned(client, org)
    return assigned, _reads_of(on_replica, "capacity_")


def test_a_report_reads_the_replica_and_other_views_and_transactions_read_the_primary(replica_reads, org):
    # given a replica that has replayed the organisation
    wait_for(replica_caught_up, timeout=30)
    viewer = api_client(make_user("viewer", [org["root"]]))

    # when a report is read
    with CaptureQueriesContext(connections[REPLICA_DB_ALIAS]) as on_replica:
        assert _assigned(viewer, org) == [10.0]

    # then its aggregate came from the replica
    assert _reads_of(on_replica, "capacity_") > 0

    # and inside a report view, reads in a transaction and reads of access grants use the primary,
    # while a view that is not a report reads the primary throughout
    with override_urls():
        report = viewer.get("/reports/probe").json()
        roster = viewer.get("/rosters/probe").json()
    assert report == {"outside": "replica", "inside": "default", "grants": "default"}
    assert roster == {"outside": "default", "inside": "default", "grants": "default"}


def test_a_writer_is_pinned_and_nobody_reads_the_lagging_replica(replica_reads, org, settings):
    # given a caught-up replica whose replay is then paused, so it lags every later write
    wait_for(replica_caught_up, timeout=30)
    planner = api_client(make_user("planner", [org["root"]]))
    assert _assigned(planner, org) == [10.0]
    _replica("SELECT pg_wal_replay_pause()::text")
    wait_for(lambda: _replica("SELECT pg_get_wal_replay_pause_state()") == "paused", timeout=10)

    # when the planner changes the hours
    item = {
        "assignmentId": org["assignment"].pk,
        "weeklyHours": {WEEK: 25},
        "etag": version_etag("assignment", org["assignment"].pk, 1),
    }
    written = planner.patch("/api/assignments/bulk-update-hours", [item], format="json")
    assert written.status_code == 200, written.content
    assert PIN_COOKIE in written.cookies

    # then the replica really is behind (it still holds the old hours) ...
    pk = org["assignment"].pk
    on_replica_now = _replica(f"SELECT weekly_hours::text FROM capacity_assignment WHERE id = {pk}")
    assert on_replica_now == '{"2025-03-03": 10}'
    # ... the planner's next read is pinned to the primary and sees the write, without touching the replica
    with CaptureQueriesContext(connections[REPLICA_DB_ALIAS]) as on_replica:
        assert _assigned(planner, org) == [25.0]
    assert on_replica.captured_queries == []
    # ... and another reader (no pin) is not served the stale replica either: it waits, then reads the primary
    settings.REPLICA_MAX_WAIT_MS = 200
    other = api_client(make_user("viewer", [org["root"]]))
    assert _computed_report(other, org) == ([25.0], 0)  # computed, not the planner's cached answer

    # when replay resumes, unpinned reads go back to the replica and see the write there
    settings.REPLICA_MAX_WAIT_MS = 5000
    _replica("SELECT pg_wal_replay_resume()::text")
    wait_for(replica_caught_up, timeout=30)
    assigned, replica_reads = _computed_report(other, org)
    assert assigned == [25.0] and replica_reads > 0


def test_with_the_replica_down_reports_read_the_primary_and_readiness_says_so(replica_reads, org, client):
    # given a report that reads the replica
    wait_for(replica_caught_up, timeout=30)
    viewer = api_client(make_user("viewer", [org["root"]]))
    assert _assigned(viewer, org) == [10.0]
    assert client.get("/readyz").json()["checks"]["replica"].startswith("ok")

    _replica_script("stop")
    try:
        # when the replica is down, then reports still answer, from the primary
        assert _computed_report(viewer, org) == ([10.0], 0)
        # and readiness stays 200 (the primary serves) but reports the replica as failed
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["status"] == "degraded"
        assert ready.json()["checks"]["replica"].startswith("failed: psycopg.OperationalError")
    finally:
        _replica_script("start")

    # when it is back, reads return to it and readiness is ok again
    wait_for(replica_caught_up, timeout=60)
    assigned, replica_reads = _computed_report(viewer, org)
    assert assigned == [10.0] and replica_reads > 0
    assert client.get("/readyz").json()["status"] == "ok"
