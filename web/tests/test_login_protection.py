"""Login protection: repeated wrong passwords lock the user name out (the right one then fails too), on
the pages' login and the admin's alike; passwords are checked by Django's validators; the demo login is
not created in production by accident; production refuses example or short secrets."""

from __future__ import annotations

import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from conftest import ROOT
from ops.tests.test_deploy_settings import _production_env

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-enough-password-42"


@pytest.fixture
def person(db):
    return get_user_model().objects.create_user(username="guarded", password=PASSWORD, is_staff=True)


@pytest.mark.parametrize("login_url", ["/login/", "/admin/login/"])
def test_repeated_wrong_passwords_lock_the_login_out(client, person, login_url):
    # given as many wrong passwords as the limit allows
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login_url, {"username": "guarded", "password": "wrong-guess"})

    # when the right password follows
    response = client.post(login_url, {"username": "guarded", "password": PASSWORD})

    # then it is refused, and no session was opened
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_right_password_before_the_limit_logs_in(client, person):
    client.post("/login/", {"username": "guarded", "password": "wrong-guess"})
    response = client.post("/login/", {"username": "guarded", "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(person.pk)


@pytest.mark.parametrize("weak", ["12345678", "password123", "guarded"])
def test_weak_passwords_are_refused_by_the_validators(person, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, user=person)


def test_seed_demo_refuses_the_demo_login_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--yes-i-know"):
        call_command("seed_demo", size="small", verbosity=0)
    assert not get_user_model().objects.filter(username="planner").exists()


def _start(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "name, value",
    [
        ("SECRET_KEY", "change-me-to-50-random-characters"),
        ("SECRET_KEY", "short-but-not-the-example"),
        ("METRICS_KEY", "change-me"),
        ("METRICS_KEY", "x" * 31),
    ],
)
def test_production_refuses_placeholder_or_short_secrets(tmp_path, name, value):
    env = {**_production_env(tmp_path), name: value}
    result = _start(env)
    assert result.returncode != 0 and name in result.stderr


def test_production_starts_with_real_secrets(tmp_path):
    env = {**_production_env(tmp_path), "METRICS_KEY": secrets.token_urlsafe(40)}
    assert _start(env).returncode == 0


def test_metrics_without_a_key_refuse_proxied_requests(client, settings):
    settings.METRICS_KEY = None
    assert client.get("/metrics").status_code == 200  # loopback, direct
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    settings.BEHIND_TLS_PROXY = True
    assert client.get("/metrics").status_code == 404
