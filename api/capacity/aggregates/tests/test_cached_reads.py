"""The cached aggregate reads' fast path (api/capacity/aggregates/cached_reads.py) answers exactly as the
DRF view does, on the real Redis: same status, body and headers for every outcome, the throttle counted
once, a revoke or a grant change seen on the next request, and no DRF and no query on a cached hit."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.views import APIView

from api.capacity.aggregates.cached_reads import CachedAggregateRead
from api.services import api_key_create, api_key_revoke
from api.testing import make_user
from api.tests.test_cache_outage import private_redis  # noqa: F401 - a fixture (its own redis-server)
from capacity.access import access_grant_delete
from capacity.models import AccessGrant, Department
from capacity.tests.factories import (
    AssignmentFactory,
    DepartmentFactory,
    PersonFactory,
    ProjectFactory,
    RoleFactory,
    UnitFactory,
)
from ops import cache as ops_cache

pytestmark = [pytest.mark.redis, pytest.mark.django_db]
WEEK = "2025-03-03"


@pytest.fixture(autouse=True)
def _fresh_cache():
    ops_cache.bump(*ops_cache.NAMESPACES)


@pytest.fixture
def org():
    root = DepartmentFactory(name="Org")
    site = DepartmentFactory(name="Site", kind=Department.Kind.SITE, parent=root)
    a, b = UnitFactory(name="Unit A", parent=site), UnitFactory(name="Unit B", parent=site)
    nurse = RoleFactory(name="Nurse")
    ada = PersonFactory(name="Ada", department=a, role=nurse, weekly_capacity_hours=40)
    bea = PersonFactory(name="Bea", department=b, role=nurse, weekly_capacity_hours=40)
    AssignmentFactory(person=ada, project=ProjectFactory(department=a), weekly_hours={WEEK: 10})
    AssignmentFactory(person=bea, project=ProjectFactory(department=b), weekly_hours={WEEK: 20})
    return {"root": root, "site": site, "a": a, "b": b, "nurse": nurse, "ada": ada}


def _key_client(user, scopes=("read",)) -> tuple[APIClient, object]:
    key, raw = api_key_create(user=user, name="fast path", scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client, key


def _both_ways(monkeypatch, client, path, **headers):
    """(fast path on, fast path off) answers to the same request."""
    fast = client.get(path, **headers)
    monkeypatch.setattr(CachedAggregateRead, "cached_fast_path", False)
    slow = client.get(path, **headers)
    monkeypatch.setattr(CachedAggregateRead, "cached_fast_path", True)
    return fast, slow


def _same(fast, slow) -> None:
    assert fast.status_code == slow.status_code, (fast.content, slow.content)
    assert fast.content == slow.content
    assert dict(fast.headers) == dict(slow.headers)


@pytest.mark.parametrize(
    "query",
    [
        "heatmap?weeks=4",
        "heatmap?department={a}&start=" + WEEK + "&weeks=2",
        "heatmap?department={site}&include_children=false&weeks=1",
        "heatmap?department={site}&roles={nurse}&start=" + WEEK,
        "role-capacity?start=" + WEEK + "&weeks=3",
        "role-capacity?department={a}&source=python&start=" + WEEK,
        "heatmap?weeks=99",  # 400
        "heatmap?week=" + WEEK,  # 400: unknown parameter
        "heatmap?start=1800-01-01",  # 400: outside the planning window
        "heatmap?department={b}",  # 404: outside the grant
        "role-capacity?department=999999",  # 404
    ],
)
def test_the_fast_path_answers_every_query_as_the_drf_view(org, monkeypatch, query):
    # given a viewer of unit A and the site itself (not unit B), reading with an API key
    user = make_user("viewer", [org["a"]])
    AccessGrant.objects.create(user=user, department=org["site"], role="viewer", include_children=False)
    client, _ = _key_client(user)
    path = "/api/reports/" + query.format(
        a=org["a"].pk, b=org["b"].pk, site=org["site"].pk, nurse=org["nurse"].pk
    )
    client.get(path)  # cached, and the principal remembered

    # when
    fast, slow = _both_ways(monkeypatch, client, path)

    # then
    _same(fast, slow)
    if fast.status_code == 200:
        # and a revalidation answers 304 alike
        _same(*_both_ways(monkeypatch, client, path, HTTP_IF_NONE_MATCH=fast.headers["ETag"]))
        assert client.get(path, HTTP_IF_NONE_MATCH=fast.headers["ETag"]).status_code == 304


def test_refused_keys_and_roles_answer_as_the_drf_view(org, monkeypatch):
    # given a key without the read scope, a user without any grant, a revoked key and a wrong secret
    writer, _ = _key_client(make_user("planner", [org["a"]]), scopes=["write"])
    nobody, _ = _key_client(make_user("viewer", []))
    revoked, key = _key_client(make_user("viewer", [org["a"]]))
    revoked.get("/api/reports/heatmap")
    api_key_revoke(key=key)
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION=f"Api-Key cp_{key.prefix}_not-the-secret")

    for client, status in ((writer, 403), (nobody, 403), (revoked, 401), (wrong, 401)):
        # when
        fast, slow = _both_ways(monkeypatch, client, "/api/reports/heatmap")

        # then
        assert fast.status_code == status
        _same(fast, slow)


def test_a_cached_hit_goes_around_drf_and_the_database(org, monkeypatch, django_assert_num_queries):
    # given a key whose principal and heatmap are cached (and its last use just recorded)
    client, _ = _key_client(make_user("viewer", [org["root"]]))
    first = client.get("/api/reports/heatmap?weeks=2")
    drf_initial = []
    real_initial = APIView.initial
    monkeypatch.setattr(
        APIView, "initial", lambda self, *a, **kw: drf_initial.append(1) or real_initial(self, *a, **kw)
    )

    # when
    with django_assert_num_queries(0):
        second = client.get("/api/reports/heatmap?weeks=2")

    # then
    assert second.status_code == 200 and second.content == first.content
    assert drf_initial == []
    assert second.wsgi_request.user.pk == first.wsgi_request.user.pk  # as DRF leaves it, for the request log


def test_a_revoke_a_deactivation_and_a_lost_grant_take_effect_on_the_next_request(org):
    # given three callers whose principals are remembered by the fast path
    viewer = make_user("viewer", [org["a"]])
    revoked, key = _key_client(make_user("viewer", [org["a"]]))
    deactivated_user = make_user("viewer", [org["a"]])
    deactivated, _ = _key_client(deactivated_user)
    regranted, _ = _key_client(viewer)
    for client in (revoked, deactivated, regranted):
        assert client.get(f"/api/reports/heatmap?department={org['a'].pk}").status_code == 200

    # when
    api_key_revoke(key=key)
    deactivated_user.is_active = False
    deactivated_user.save()
    access_grant_delete(grant=AccessGrant.objects.get(user=viewer))

    # then
    assert revoked.get("/api/reports/heatmap").status_code == 401
    assert deactivated.get("/api/reports/heatmap").status_code == 401
    assert regranted.get(f"/api/reports/heatmap?department={org['a'].pk}").status_code == 403


def test_a_write_makes_the_fast_paths_etag_and_body_stale(org):
    # given a cached read
    client, _ = _key_client(make_user("viewer", [org["a"]]))
    path = f"/api/reports/heatmap?start={WEEK}&weeks=1"
    before = client.get(path)

    # when hours are assigned through the ORM (the rollup bumps the namespace)
    AssignmentFactory(person=org["ada"], project=ProjectFactory(department=org["a"]), weekly_hours={WEEK: 5})

    # then the old ETag is stale and the body is the new one
    after = client.get(path, HTTP_IF_NONE_MATCH=before.headers["ETag"])
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.json()["people"][0]["assignedByWeek"] == [15.0]


def test_a_new_week_moves_a_default_week_read_and_its_etag_on_the_fast_path_too(org, monkeypatch):
    # given a default-week read answered (and its parameters kept) by the fast path
    client, _ = _key_client(make_user("viewer", [org["a"]]))
    path = "/api/reports/heatmap?weeks=1"
    client.get(path)
    before = client.get(path)

    # when the date moves a week on
    today = timezone.localdate()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today + timedelta(days=7))

    # then both paths answer the new week, alike
    fast, slow = _both_ways(monkeypatch, client, path)
    _same(fast, slow)
    assert fast.json()["weekKeys"] != before.json()["weekKeys"]
    assert fast.headers["ETag"] != before.headers["ETag"]


def _window_key(scope: str, user_id: int) -> str:
    return f"throttle:{scope}:user:{user_id}:{int(time.time() // 60)}"


def test_the_throttle_counts_each_fast_read_once_and_drf_answers_the_429(org, settings):
    # given a tight aggregate rate, and a minute window with time left in it
    rest = dict(django_settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "aggregate": "3/min"}
    settings.REST_FRAMEWORK = rest
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)
    user = make_user("viewer", [org["a"]])
    client, _ = _key_client(user)
    cache.delete(_window_key("aggregate", user.pk))  # ids repeat across tests on SQLite

    # when
    answers = [client.get("/api/reports/heatmap").status_code for _ in range(4)]
    refused = client.get("/api/reports/heatmap")

    # then
    assert answers == [200, 200, 200, 429]
    assert cache.get(_window_key("aggregate", user.pk)) == 5
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["extra"]["retry_after_seconds"] == int(refused.headers["Retry-After"])


def test_an_unrelated_access_change_is_answered_by_drf_once_and_counted_once(org, settings, monkeypatch):
    # given a remembered principal, a counted throttle, and someone else's grant changing meanwhile
    rest = dict(django_settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "aggregate": "100/min"}
    settings.REST_FRAMEWORK = rest
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)
    user = make_user("viewer", [org["a"]])
    client, _ = _key_client(user)
    cache.delete(_window_key("aggregate", user.pk))
    first = client.get("/api/reports/heatmap")
    make_user("planner", [org["b"]])  # bumps "access"
    drf_initial = []
    real_initial = APIView.initial
    monkeypatch.setattr(
        APIView, "initial", lambda self, *a, **kw: drf_initial.append(1) or real_initial(self, *a, **kw)
    )

    # when
    second = client.get("/api/reports/heatmap")
    third = client.get("/api/reports/heatmap")

    # then: the same answer; DRF answered the second only; three requests, three counts
    assert first.content == second.content == third.content
    assert drf_initial == [1]
    assert cache.get(_window_key("aggregate", user.pk)) == 3


def test_a_redis_outage_is_answered_by_drf_and_the_fast_path_resumes(org, private_redis, monkeypatch):  # noqa: F811
    # given a fast read from a private Redis
    client, _ = _key_client(make_user("viewer", [org["a"]]))
    path = f"/api/reports/heatmap?start={WEEK}&weeks=1"
    warm = client.get(path)
    assert warm.status_code == 200

    # when Redis goes away
    private_redis.stop()
    during = client.get(path)

    # then DRF's path answers it, uncached, with the same body
    assert during.status_code == 200 and during.content == warm.content

    # when Redis is back (empty): one DRF answer reads the principal again, then the fast path serves
    private_redis.start()
    assert [client.get(path).status_code for _ in range(3)] == [200, 200, 200]
    drf_initial = []
    real_initial = APIView.initial
    monkeypatch.setattr(
        APIView, "initial", lambda self, *a, **kw: drf_initial.append(1) or real_initial(self, *a, **kw)
    )
    assert client.get(path).content == warm.content
    assert drf_initial == []
