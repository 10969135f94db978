"""Throttled scopes answer 429 with Retry-After, counted in the shared cache."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings as django_settings

from api import throttles
from api.testing import api_client, make_user


@pytest.fixture
def tight_rates(settings, monkeypatch):
    rest = dict(django_settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "bulk": "2/min"}
    settings.REST_FRAMEWORK = rest
    # User ids repeat across tests on SQLite: give this test's counters their own identity.
    run = uuid.uuid4().hex
    real = throttles.rate_hit
    monkeypatch.setattr(throttles, "rate_hit", lambda scope, ident, *a: real(scope, f"{run}:{ident}", *a))
    return run


@pytest.mark.django_db
def test_a_throttled_scope_answers_429_with_retry_after(org, tight_rates):
    # given
    client = api_client(make_user("planner", departments=[org["a"]]))

    # when
    answers = [client.post("/api/people/bulk", {"rows": []}, format="json") for _ in range(3)]

    # then
    assert [a.status_code for a in answers[:2]] == [201, 201]
    assert answers[2].status_code == 429
    retry_after = int(answers[2].headers["Retry-After"])
    assert 1 <= retry_after <= 60
    assert answers[2].json()["extra"]["retry_after_seconds"] == retry_after


@pytest.mark.django_db
def test_throttles_count_per_user(org, tight_rates):
    # given
    first = api_client(make_user("planner", departments=[org["a"]]))
    second = api_client(make_user("planner", departments=[org["a"]]))
    for _ in range(2):
        first.post("/api/people/bulk", {"rows": []}, format="json")

    # when
    response = second.post("/api/people/bulk", {"rows": []}, format="json")

    # then
    assert response.status_code == 201


def _in_subprocess(code: str, **env) -> str:
    import os
    import subprocess
    import sys

    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ops.settings_test", **env}
    prelude = "import django; django.setup(); from django.conf import settings; "
    done = subprocess.run(
        [sys.executable, "-c", prelude + code], env=full_env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_rates_are_overridable_per_scope_by_environment():
    # when
    rate = _in_subprocess(
        "print(settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']['bulk'])", THROTTLE_BULK="7/hour"
    )

    # then
    assert rate == "7/hour"


@pytest.mark.redis
@pytest.mark.django_db
def test_the_limit_holds_across_processes(org, tight_rates):
    # given: another process spends this user's allowance in the shared Redis
    user = make_user("planner", departments=[org["a"]])
    _in_subprocess(
        "from ops.cache import rate_hit; "
        f"[rate_hit('bulk', '{tight_rates}:user:{user.pk}', 2, 60) for _ in range(2)]",
        CACHE_KEY_PREFIX=django_settings.CACHE_KEY_PREFIX,
    )

    # when
    response = api_client(user).post("/api/people/bulk", {"rows": []}, format="json")

    # then
    assert response.status_code == 429
