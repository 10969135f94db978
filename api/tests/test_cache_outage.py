"""With Redis stopped mid-test, reads still answer 200 (uncached) and log a warning; with Redis back,
caching resumes. Uses a private redis-server on another loopback port, never the shared one."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest

from api.testing import api_client, make_user
from capacity.tests.factories import PersonFactory
from ops import cache

REDIS_SERVER = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="needs the redis-server binary")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    def __init__(self) -> None:
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def private_redis(settings):
    server = PrivateRedis()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "KEY_PREFIX": "outage-test",
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


def _reports_available() -> bool:
    from api.urls import _module_exists

    return _module_exists("api.capacity.aggregates.urls")


def _access_counts() -> dict:
    return cache.stats()["access"]


@pytest.mark.django_db
def test_reads_survive_a_redis_outage_and_caching_resumes(private_redis, org, caplog):
    # given: a warm cache on the private Redis
    person = PersonFactory(department=org["a"])
    client = api_client(make_user("viewer", departments=[org["a"]]))
    assert client.get("/api/people").status_code == 200
    before = _access_counts()
    assert client.get("/api/people").status_code == 200
    assert _access_counts()["hits"] > before["hits"]

    # when: Redis goes away mid-test
    private_redis.stop()
    caplog.clear()
    during = client.get("/api/people")
    detail = client.get(f"/api/people/{person.pk}")
    aggregate = client.get("/api/reports/heatmap") if _reports_available() else during

    # then: answered uncached (throttles included), with a warning
    assert during.status_code == 200 and detail.status_code == 200 and aggregate.status_code == 200
    assert [row["id"] for row in during.json()["results"]] == [person.pk]
    assert any(r.levelname == "WARNING" and "cache unavailable" in r.getMessage() for r in caplog.records)

    # when: Redis is back (empty, on the same port)
    private_redis.start()
    first = client.get("/api/people")
    after_miss = _access_counts()
    second = client.get("/api/people")

    # then: the first read fills the cache, the next is served from it
    assert first.status_code == second.status_code == 200
    assert _access_counts()["hits"] > after_miss["hits"]
