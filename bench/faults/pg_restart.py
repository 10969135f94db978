"""Fault test: PostgreSQL restarted under load. Requests fail cleanly and the service recovers by itself.

    .venv/bin/python bench/faults/pg_restart.py [--database crewplan_ops_faults] [--redis redis://127.0.0.1:6379/4]
        [--clients 8] [--before 5] [--after 15] [--wait-quiet 300] [--force]

It starts gunicorn (deploy/gunicorn.conf.py, persistent connections as in production) and a Celery worker on
the small demo in a database of its own, drives reads (people, heatmap, roster grid), all-or-nothing bulk
edits (POST /api/people/bulk, 10 tagged rows each) and a roster solve, and in the middle restarts the
cluster with `pg_ctlcluster --skip-systemctl-redirect 15 main restart`. It then checks:

1. no response is a 500, and no body carries a traceback: while the database is away the API answers 503
   in its {"message", "extra"} contract (ops.unavailable / api.errors);
2. the web processes recover without a restart: the same gunicorn worker pids answer 200 again;
3. nothing is half-written or written twice: every bulk batch is in the database with all of its rows or
   none, every batch answered 201 is there exactly once, and the roster solved across the restart is
   either finished with all its assignments or failed with none (its job is not left running).

The PostgreSQL cluster is shared: before restarting, it waits (up to --wait-quiet seconds) until no other
database has a client connection, and refuses otherwise (unless --force). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.load import VAR, _free_port, _manage, _start_stack, _stop_stack  # noqa: E402

RESTART = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"]
BATCH_ROWS = 10


def _setup_env(args) -> None:
    os.environ.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}",
            "REDIS_URL": args.redis,
            "CACHE_KEY_PREFIX": "crewplan-faults-pg",
            "CELERY_BROKER_KEY_PREFIX": "crewplan-faults-pg:",
            "SECRET_KEY": "bench-only-secret-key-not-for-production-use",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "LOG_LEVEL": "WARNING",
            "DEBUG": "0",
            "SECURE_COOKIES": "0",
            "THROTTLE_AGGREGATE": "10000000/min",
            "THROTTLE_BULK": "10000000/min",
            "THROTTLE_SOLVE": "10000000/min",
            "DJANGO_SETTINGS_MODULE": "ops.settings",
        }
    )


def _admin_connect():
    import psycopg

    return psycopg.connect(
        "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=3
    )


def _ensure_database(name: str) -> bool:
    with _admin_connect() as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


def _other_clients(own: str) -> list[tuple]:
    with _admin_connect() as conn:
        return conn.execute(
            "SELECT datname, usename, application_name, state FROM pg_stat_activity "
            "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() "
            "AND datname IS NOT NULL AND datname NOT IN (%s, 'postgres')",
            (own,),
        ).fetchall()


def _wait_until_quiet(own: str, wait_s: int, force: bool) -> None:
    deadline = time.monotonic() + wait_s
    while True:
        others = _other_clients(own)
        if not others or force:
            if others:
                print(f"--force: restarting although others are connected: {others}", flush=True)
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"others are using the cluster, not restarting it: {others}")
        print(f"waiting for a quiet cluster ({len(others)} other client connection(s)) ...", flush=True)
        time.sleep(5)


def _gunicorn_worker_pids(master_pid: int) -> set[int]:
    pids = set()
    for task in Path(f"/proc/{master_pid}/task").iterdir():
        pids.update(int(c) for c in (task / "children").read_text().split())
    return pids


class Driver:
    """Client threads that record every answer: status, whether the body is the error contract or holds
    a traceback, and which bulk batches were sent and how they were answered."""

    def __init__(self, base: str, headers: dict, reads: list[str], unit: int, role: int) -> None:
        self.base, self.headers, self.reads = base, headers, reads
        self.unit, self.role = unit, role
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.timeline: list[tuple[float, int]] = []
        self.tracebacks: list[str] = []
        self.not_contract: list[str] = []
        self.batches: dict[str, int] = {}
        self.next_batch = 0

    def _call(self, method: str, path: str, body: dict | None = None) -> int:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={**self.headers, **({"Content-Type": "application/json"} if data else {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, exc.read()
        except OSError:
            status, payload = 0, b""  # the connection itself failed
        text = payload.decode(errors="replace")
        with self.lock:
            self.statuses[status] += 1
            self.timeline.append((time.monotonic(), status))
            if "Traceback" in text:
                self.tracebacks.append(f"{method} {path} -> {status}: {text[:300]}")
            if status >= 500 and path.startswith("/api/"):
                try:
                    if set(json.loads(text)) != {"message", "extra"}:
                        raise ValueError
                except ValueError:
                    self.not_contract.append(f"{method} {path} -> {status}: {text[:200]}")
        return status

    def _bulk(self) -> None:
        with self.lock:
            self.next_batch += 1
            tag = f"f{os.getpid()}-{self.next_batch}"
        rows = [
            {
                "department": self.unit,
                "role": self.role,
                "name": f"Fault {tag} {i}",
                "email": f"fault-{tag}-{i}@example.test",
                "hire_date": "2024-01-01",
            }
            for i in range(BATCH_ROWS)
        ]
        status = self._call("POST", "/api/people/bulk", {"rows": rows})
        with self.lock:
            self.batches[tag] = status

    def run(self, seed: int) -> None:
        n = seed
        while not self.stop.is_set():
            n += 1
            if n % 4 == 0:
                self._bulk()
            else:
                self._call("GET", self.reads[n % len(self.reads)])


def _roster_to_solve(unit):
    """A roster whose solve is queued for the worker: it runs across the restart."""
    from django.utils import timezone

    from scheduler.services.rosters import roster_generate

    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday() + 70)
    return roster_generate(unit=unit, start_date=monday, end_date=monday + timedelta(days=27), time_limit=20)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="crewplan_ops_faults")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--before", type=float, default=5.0, help="seconds of load before the restart")
    parser.add_argument("--after", type=float, default=15.0, help="seconds of load after the restart")
    parser.add_argument("--wait-quiet", type=int, default=300)
    parser.add_argument("--force", action="store_true", help="restart even if others are connected")
    parser.add_argument("--no-restart", action="store_true", help="rehearse: the same run without the fault")
    args = parser.parse_args()
    VAR.mkdir(exist_ok=True)
    _setup_env(args)
    if _ensure_database(args.database):
        _manage("migrate", "--verbosity", "0")
        _manage("seed_demo", "--size", "small", "--no-user")
    else:
        _manage("migrate", "--verbosity", "0")

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from api.services import api_key_create
    from capacity.models import Department, Person, Role
    from ops.models import Job
    from scheduler.models import Roster

    admin, _ = get_user_model().objects.get_or_create(username="faults", defaults={"is_superuser": True})
    _, raw_key = api_key_create(user=admin, name=f"faults {time.time():.0f}", scopes=["read", "write"])
    unit = Department.objects.filter(kind=Department.Kind.UNIT).order_by("id").first()
    bulk_unit = (
        Department.objects.filter(kind=Department.Kind.UNIT).order_by("-id").first()
    )  # not the rostered one
    Person.objects.filter(email__startswith="fault-").delete()  # rows of earlier runs
    role = Role.objects.order_by("id").first()
    reads = ["/api/people?page_size=50", "/api/reports/heatmap?weeks=8", f"/api/departments/{unit.id}"]
    solved = Roster.objects.filter(assignments__isnull=False).first()
    if solved is not None:
        reads.append(f"/api/rosters/{solved.id}/grid")

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    stack = _start_stack(port, workers=4, wsgi="ops.wsgi")
    gunicorn = stack[0]
    try:
        workers_before = _gunicorn_worker_pids(gunicorn.pid)
        driver = Driver(base, {"Authorization": f"Api-Key {raw_key}"}, reads, bulk_unit.id, role.id)
        threads = [threading.Thread(target=driver.run, args=(i,), daemon=True) for i in range(args.clients)]
        for thread in threads:
            thread.start()
        with mock.patch("django.db.transaction.on_commit", lambda fn, using=None, robust=False: fn()):
            roster = _roster_to_solve(unit)  # enqueued at once: the worker solves it across the restart
        connection.close()
        time.sleep(args.before)

        restart_at = time.monotonic()
        if not args.no_restart:
            _wait_until_quiet(args.database, args.wait_quiet, args.force)
            restart_at = time.monotonic()
            subprocess.run(RESTART, check=True)
        restarted_at = time.monotonic()
        print(f"PostgreSQL restarted in {restarted_at - restart_at:.1f} s", flush=True)
        time.sleep(args.after)
        driver.stop.set()
        for thread in threads:
            thread.join(timeout=30)

        first_ok_after = next(
            (
                t - restarted_at
                for t, status in driver.timeline
                if t > restarted_at and status < 500 and status
            ),
            None,
        )
        last_bad = max((t for t, status in driver.timeline if status >= 500 or status == 0), default=None)
        workers_after = _gunicorn_worker_pids(gunicorn.pid)
        job_deadline = time.monotonic() + 90
        while time.monotonic() < job_deadline:
            job = Job.objects.get(pk=roster.job_id)
            if job.status in Job.FINISHED:
                break
            time.sleep(1)
        roster.refresh_from_db()
        assignments = roster.assignments.count()
    finally:
        _stop_stack(stack)

    people = Counter(
        email.split("@")[0].rsplit("-", 1)[0].removeprefix("fault-")
        for email in Person.objects.filter(email__startswith="fault-f").values_list("email", flat=True)
    )
    half_written = {tag: n for tag, n in people.items() if n not in (0, BATCH_ROWS)}
    lost = [tag for tag, status in driver.batches.items() if status == 201 and people.get(tag) != BATCH_ROWS]
    ambiguous = {tag: people.get(tag, 0) for tag, status in driver.batches.items() if status != 201}
    # whole: the job finished, and the roster holds exactly what its result says it wrote (a solve that
    # found no roster in time writes none and says so; a failed one writes none)
    roster_ok = (
        job.status == Job.Status.SUCCEEDED and assignments == (job.result or {}).get("assignments")
    ) or (job.status == Job.Status.FAILED and assignments == 0)
    result = {
        "requests": sum(driver.statuses.values()),
        "statuses": {str(k): v for k, v in sorted(driver.statuses.items())},
        "server_errors_500": driver.statuses.get(500, 0),
        "tracebacks": driver.tracebacks[:5],
        "5xx_not_in_contract": driver.not_contract[:5],
        "first_success_after_restart_s": None if first_ok_after is None else round(first_ok_after, 2),
        "last_failure_after_restart_s": None if last_bad is None else round(last_bad - restarted_at, 2),
        "gunicorn_workers_unchanged": workers_before == workers_after,
        "bulk_batches": len(driver.batches),
        "bulk_batches_201": sum(1 for s in driver.batches.values() if s == 201),
        "bulk_half_written": half_written,
        "bulk_201_missing": lost,
        "bulk_failed_batches_rows_in_db": ambiguous,
        "roster_job": {"status": job.status, "attempts": job.attempts, "error": job.error[:200]},
        "roster_assignments": assignments,
    }
    checks = {
        "no 500 and no traceback": result["server_errors_500"] == 0 and not driver.tracebacks,
        "every 5xx in the error contract": not driver.not_contract,
        "recovered without restarting gunicorn": first_ok_after is not None
        and result["gunicorn_workers_unchanged"],
        "no half-written or lost bulk edit": not half_written and not lost,
        "roster finished whole or failed empty": roster_ok,
    }
    result["checks"] = checks
    result["restarted"] = not args.no_restart
    print(json.dumps(result, indent=2))
    if args.no_restart:
        out = VAR / "faults-pg-rehearsal.json"
    else:
        out = ROOT / "bench" / "results" / "faults-pg-restart.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {out.relative_to(ROOT)}")
    failed = [name for name, ok in checks.items() if not ok]
    print("PASS" if not failed else f"FAIL: {', '.join(failed)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
