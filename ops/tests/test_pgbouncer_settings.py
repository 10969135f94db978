"""Behind pgbouncer in transaction mode nothing may outlive a transaction: no server-side cursor, no
prepared statement, on the primary and on the replica alike."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _database_settings(env: dict) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings;"
        "print(json.dumps({alias: {'cursors_off': db.get('DISABLE_SERVER_SIDE_CURSORS', False),"
        " 'prepare': db['OPTIONS'].get('prepare_threshold', 'default')}"
        " for alias, db in settings.DATABASES.items()}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "ops.settings_test", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_transaction_pooling_turns_off_server_side_cursors_and_prepared_statements_on_both_databases():
    # given a primary and a replica reached through pgbouncer in transaction mode (nothing connects here)
    env = {
        "DATABASE_URL": "postgres://app@127.0.0.1:6432/crewplan",
        "DATABASE_REPLICA_URL": "postgres://app@127.0.0.1:6433/crewplan",
        "DB_PGBOUNCER_TRANSACTION_POOLING": "true",
    }

    # when the settings load, then both aliases read with client-side cursors and never PREPARE
    databases = _database_settings(env)
    assert set(databases) == {"default", "replica"}
    for alias in databases.values():
        assert alias == {"cursors_off": True, "prepare": None}


def test_without_transaction_pooling_the_connection_settings_stay_as_they_were():
    env = {"DATABASE_URL": "postgres://app@127.0.0.1:6432/crewplan", "DATABASE_REPLICA_URL": ""}
    assert _database_settings(env) == {"default": {"cursors_off": False, "prepare": "default"}}
