"""Error tracking: sentry-sdk reports web and Celery errors when SENTRY_DSN is set, without personal data."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import path
from sentry_sdk.transport import Transport

from ops.celery import app as celery_app
from ops.error_tracking import error_tracking_init

ROOT = Path(__file__).resolve().parents[2]
DSN = "https://public-key@sentry.invalid/1"  # never contacted: the transport below replaces HTTP


class CapturingTransport(Transport):
    """The SDK's transport interface, keeping each envelope in memory instead of sending it."""

    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)

    def events(self) -> list[dict]:
        return [item.payload.json for env in self.envelopes for item in env.items if item.type == "event"]


def _broken_view(request):
    raise RuntimeError("the roster grid fell over")


urlpatterns = [path("broken/", _broken_view)]


@celery_app.task(name="ops.tests.failing_task")
def failing_task(unit_id: int) -> None:
    raise ValueError(f"unit {unit_id} cannot be planned")


@pytest.fixture
def sentry_transport():
    import sentry_sdk

    transport = CapturingTransport()
    error_tracking_init(
        dsn=DSN, release="crewplan@test", environment="ci", traces_sample_rate=1.0, transport=transport
    )
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


def _settings_probe(env: dict) -> dict:
    """Loads the real settings, the Celery app and the URL configuration in a fresh interpreter."""
    code = (
        "import json, sys, django; django.setup();"
        "import ops.celery, ops.urls;"
        "loaded = 'sentry_sdk' in sys.modules; out = {'loaded': loaded};"
        "client = sys.modules['sentry_sdk'].get_client() if loaded else None;"
        "out.update({k: client.options[k] for k in ('release', 'environment', 'data_collection',"
        " 'traces_sample_rate')} if client else {});"
        "out['integrations'] = sorted(client.integrations) if client else [];"
        "print(json.dumps(out))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ops.settings_test", **env}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_sentry_dsn_the_sdk_is_never_imported():
    # given no SENTRY_DSN, when settings, Celery and the URLs load, then sentry_sdk is not even imported
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    code = (
        "import json, sys, django; django.setup(); import ops.celery, ops.urls;"
        "print(json.dumps('sentry_sdk' in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "ops.settings_test"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) is False


def test_with_sentry_dsn_settings_start_the_sdk_with_django_and_celery_tagged_and_without_pii():
    # given a DSN, a release, an environment and a sample rate in the environment
    env = {
        "SENTRY_DSN": DSN,
        "SENTRY_RELEASE": "crewplan@1.2.3",
        "SENTRY_ENVIRONMENT": "staging",
        "SENTRY_TRACES_SAMPLE_RATE": "0.25",
    }

    # when the settings load
    probe = _settings_probe(env)

    # then the SDK runs with both integrations, the tags, the sample rate and personal data off
    assert probe["loaded"] is True
    assert {"django", "celery"} <= set(probe["integrations"])
    assert probe["release"] == "crewplan@1.2.3"
    assert probe["environment"] == "staging"
    assert probe["traces_sample_rate"] == 0.25
    assert probe["data_collection"]["user_info"] is False
    assert probe["data_collection"]["cookies"] == {"mode": "off"}
    assert probe["data_collection"]["stack_frame_variables"] is False


def test_a_malformed_sample_rate_stops_start_up_naming_the_variable():
    # given a sample rate above 1, when the settings load, then start-up stops naming the variable
    code = "import django; django.setup()"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ops.settings_test",
        "SENTRY_DSN": DSN,
        "SENTRY_TRACES_SAMPLE_RATE": "1.5",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "SENTRY_TRACES_SAMPLE_RATE" in result.stderr


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_view_error_is_captured_with_release_and_environment_and_no_personal_data(
    sentry_transport, client, django_user_model
):
    # given a signed-in user with an e-mail address
    user = django_user_model.objects.create_user("ada", email="ada@example.org", password="pw-for-test")
    client.force_login(user)
    client.raise_request_exception = False

    # when a view raises
    response = client.get("/broken/", HTTP_X_FORWARDED_FOR="203.0.113.7")
    import sentry_sdk

    sentry_sdk.flush()

    # then one error event reached the transport, tagged, with no user, cookie or address in it
    assert response.status_code == 500
    (event,) = [e for e in sentry_transport.events() if e.get("level") == "error"]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["release"] == "crewplan@test"
    assert event["environment"] == "ci"
    text = json.dumps(event)
    assert "ada@example.org" not in text and '"ada"' not in text
    assert "203.0.113.7" not in text
    assert client.cookies["sessionid"].value not in text
    assert "cookies" not in event.get("request", {})


def test_a_celery_task_error_is_captured_with_the_task_name(sentry_transport):
    # when a task fails (run through Celery's tracer, as a worker runs it)
    result = failing_task.apply(args=[7], throw=False)
    import sentry_sdk

    sentry_sdk.flush()

    # then the failure is reported once, naming the task
    assert result.failed()
    (event,) = [e for e in sentry_transport.events() if e.get("level") == "error"]
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    assert event["transaction"] == "ops.tests.failing_task"
    assert event["release"] == "crewplan@test"
