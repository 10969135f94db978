"""With Redis stopped, /readyz answers 503 naming the cache (Redis) while the database and broker stay
ready, and writes still commit; with Redis back, readiness returns and the write is what readers see.
Uses a private redis-server on another loopback port (as test_cache_outage does), never the shared one."""

from __future__ import annotations

import pytest

from api.testing import api_client, make_user
from api.tests.test_cache_outage import REDIS_SERVER, PrivateRedis
from capacity.models import Person
from capacity.tests.factories import RoleFactory

pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="needs the redis-server binary")


@pytest.fixture
def private_redis_cache(settings):
    server = PrivateRedis()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "KEY_PREFIX": "readiness-test",
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SERIALIZER": "django_redis.serializers.json.JSONSerializer",
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    yield server
    server.stop()


def _new_person(org, n: int) -> dict:
    return {
        "department": org["a"].pk,
        "role": RoleFactory(name="Nurse").pk,
        "name": f"Outage {n}",
        "email": f"outage{n}@example.test",
        "hire_date": "2024-01-01",
    }


@pytest.mark.django_db
def test_readyz_names_redis_while_it_is_down_and_writes_still_commit(private_redis_cache, org, client):
    # given: a ready service with a warm cache of the people list
    planner = api_client(make_user("planner", departments=[org["a"]]))
    assert client.get("/readyz").status_code == 200
    before = planner.get("/api/people").json()["count"]

    # when: Redis goes away, a planner adds a person and someone reads the list
    private_redis_cache.stop()
    ready = client.get("/readyz")
    created = planner.post("/api/people", _new_person(org, 1), format="json")
    listed = planner.get("/api/people")

    # then: not ready because of the cache alone, named as Redis; the write committed exactly once
    assert ready.status_code == 503
    body = ready.json()
    assert body["message"] == "Not ready: cache"
    assert body["checks"]["database"] == "ok" and body["checks"]["cache"].startswith("failed")
    assert "redis" in body["checks"]["cache"].lower()
    assert created.status_code == 201, created.content
    assert Person.objects.filter(email="outage1@example.test").count() == 1
    assert listed.status_code == 200 and listed.json()["count"] == before + 1

    # when: Redis is back
    private_redis_cache.start()
    ready_again = client.get("/readyz")
    after = planner.get("/api/people")

    # then: ready again, and readers see the write made during the outage
    assert ready_again.status_code == 200
    assert after.status_code == 200 and after.json()["count"] == before + 1
