"""Helpers the benchmarks share: a PostgreSQL database of their own, a SQLite medium demo, manage.py,
percentiles."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ensure_postgres_database(name: str, *, reseed: bool) -> bool:
    """Create the database when missing (drop it first with reseed); True when it needs seeding."""
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and reseed:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return not exists


def sqlite_medium_demo(path: str, *, reseed: bool) -> None:
    """Point Django at a SQLite file holding `seed_demo --size medium`, seeded once (again with reseed);
    call before django.setup()."""
    fresh = reseed or not Path(path).exists()
    if reseed and Path(path).exists():
        Path(path).unlink()
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-of-a-sqlite-demo-benchmark")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ops.settings")
    if fresh:
        manage("migrate", "--noinput", "-v", "0")
        manage("seed_demo", "--size", "medium", "--no-user", "-v", "0")


def manage(*command: str) -> None:
    subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, check=True, env=os.environ.copy())


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile, q in [0, 1]."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
