import subprocess
import sys

import pytest

from ops.env import EnvError, env_bool, env_int, env_list, env_rate, env_url


def test_env_bool_accepts_the_usual_spellings(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", True) is False


def test_env_bool_refuses_maybe_and_names_the_variable(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(EnvError, match="FLAG"):
        env_bool("FLAG", False)


def test_unset_and_blank_fall_back_to_the_default(monkeypatch):
    monkeypatch.delenv("NUMBER", raising=False)
    assert env_int("NUMBER", 7) == 7
    monkeypatch.setenv("NUMBER", "  ")
    assert env_int("NUMBER", 7) == 7


@pytest.mark.parametrize("value", ["ten", "1.5", "-3"])
def test_env_int_refuses_malformed_or_out_of_range(monkeypatch, value):
    monkeypatch.setenv("NUMBER", value)
    with pytest.raises(EnvError, match="NUMBER"):
        env_int("NUMBER", 1, minimum=0)


def test_env_list_refuses_empty_items(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example,,b.example")
    with pytest.raises(EnvError, match="HOSTS"):
        env_list("HOSTS", [])


def test_env_url_checks_the_scheme(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://x/y")
    with pytest.raises(EnvError, match="DATABASE_URL"):
        env_url("DATABASE_URL", None, ("postgres", "sqlite"))


def test_env_rate_checks_the_form(monkeypatch):
    monkeypatch.setenv("THROTTLE_SOLVE", "fast")
    with pytest.raises(EnvError, match="THROTTLE_SOLVE"):
        env_rate("THROTTLE_SOLVE", "1/min")


def test_a_malformed_value_stops_start_up_with_a_message(tmp_path):
    # given DEBUG=maybe, when manage.py starts, then it exits non-zero naming the variable
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env={"DEBUG": "maybe", "PATH": "/usr/bin:/bin", "CREWPLAN_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "DEBUG='maybe'" in result.stderr
    assert "Traceback" not in result.stderr


def test_secret_key_is_required_without_debug(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env={"DEBUG": "false", "PATH": "/usr/bin:/bin", "CREWPLAN_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr
