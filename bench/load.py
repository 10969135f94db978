"""Load test of the whole stack against its own ceiling: gunicorn (deploy/gunicorn.conf.py), a Celery
worker, PostgreSQL and Redis, on the medium demo, driven by wrk.

    .venv/bin/python bench/load.py [--database crewplan_bench_load] [--redis redis://127.0.0.1:6379/4]
        [--duration 10] [--rounds 4] [--workers N] [--max-requests N] [--skip-mixed] [--no-edits] [--reseed]

Why wrk: it is a small C program (Debian's `wrk`) that keeps hundreds of connections open from two
threads at a few percent of a core. On a 2-core machine the load generator shares the CPUs with gunicorn,
so a Python generator such as locust would spend much of the machine on itself and lower the very ceiling
we measure against; wrk's Lua hooks are enough to mix requests, send headers and count statuses.

What it measures, in one run of one gunicorn:
1. The ceiling: `GET /bench/ceiling` (bench/load_wsgi.py), a bare Django view that reads the cached body of
   the heatmap report from the same Django cache (Redis) and returns it through the same middleware.
2. Cached aggregate reads, the same bytes through the real API: `GET /api/reports/heatmap` (and role
   capacity) with an API key: authentication, department scoping, the throttle counter, the namespace
   version, ETag and the cached JSON text. Target: at least 70% of the ceiling's req/s, p99 under 15 ms,
   both at 16 clients. Beside them the same view through DRF alone, without its cached fast path
   (`/bench/drf/reports/heatmap`, api/capacity/aggregates/cached_reads.py): the path before the fast
   one, measured in the same run. The three rotate their order over --rounds rounds and the median
   shares are reported, so drift in a shared machine's load hits every side alike.
3. Mixed scenarios at 50 (normal), 100 (peak) and 200 (stress) clients: dashboard page reads (session),
   aggregate reads over several scopes and horizons, roster reads (detail and grid) and edits (PATCH of a
   person with `If-Match: *`; each edit bumps the capacity cache version, so aggregates recompute while
   the test runs, as they do in production). Target: zero errors (non-2xx/3xx statuses or socket errors).

Throttle rates are raised for the run (the counters still run): this measures capacity, not the policy.
Results go to bench/results/load.json. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import ensure_postgres_database  # noqa: E402
from bench.common import manage as _manage  # noqa: E402

VAR = ROOT / "var"
WRK = shutil.which("wrk")
CEILING_SHARE_TARGET = 0.70
P99_TARGET_MS = 15.0
BUDGET_CLIENTS = 16
SCENARIOS = [("normal", 50), ("peak", 100), ("stress", 200)]

REPORT_LUA = r"""
statuses = {}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      merged[tostring(status)] = (merged[tostring(status)] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(merged) do
    table.insert(parts, string.format('"%s": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "mean_us": %.1f, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "socket_errors": %d, "bad_status": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency.mean, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect + e.read + e.write + e.timeout, e.status,
    table.concat(parts, ", ")))
end
"""


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal for our ASCII values


def _mix_script(entries: list[tuple[int, str, str, dict, str | None]]) -> str:
    """A wrk script choosing each request at random, in proportion to its weight."""
    rows = []
    for weight, method, path, headers, body in entries:
        header_lua = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items())
        body_lua = _lua_string(body) if body is not None else "nil"
        request = f"wrk.format({_lua_string(method)}, {_lua_string(path)}, {{{header_lua}}}, {body_lua})"
        rows.extend([request] * weight)
    return (
        REPORT_LUA
        + "\nlocal prepared = {}\n"
        + "function init(args)\n  math.randomseed(os.time() + math.floor(os.clock() * 1e6))\n"
        + "".join(f"  prepared[{i + 1}] = {row}\n" for i, row in enumerate(rows))
        + "end\n"
        + "function request()\n  return prepared[math.random(#prepared)]\nend\n"
    )


def _single_script(path: str, headers: dict) -> str:
    return _mix_script([(1, "GET", path, headers, None)])


# --- the stack ------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _setup_env(args) -> None:
    os.environ.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}",
            "REDIS_URL": args.redis,
            "CACHE_KEY_PREFIX": "crewplan-bench-load",
            "CELERY_BROKER_KEY_PREFIX": "crewplan-bench-load:",
            "SECRET_KEY": "bench-only-secret-key-not-for-production-use",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "LOG_LEVEL": "WARNING",
            "DEBUG": "0",
            "SECURE_COOKIES": "0",
            "THROTTLE_AGGREGATE": "10000000/min",
            "THROTTLE_SOLVE": "10000000/min",
            "THROTTLE_BULK": "10000000/min",
            "DJANGO_SETTINGS_MODULE": "ops.settings",
        }
    )


def _ensure_database(args) -> bool:
    return ensure_postgres_database(args.database, reseed=args.reseed)


def _start_stack(
    port: int, workers: int, wsgi: str = "bench.load_wsgi", max_requests: int | None = None
) -> list[subprocess.Popen]:
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers)}
    # gunicorn's workers share their Prometheus samples through this directory (the config recreates it)
    web_env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(VAR / "bench-load-metrics")}
    log = open(VAR / "bench-load-stack.log", "w")  # noqa: SIM115 - the processes write to it until stopped
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", wsgi, "--config", "deploy/gunicorn.conf.py"]
        + ([] if max_requests is None else ["--max-requests", str(max_requests)]),
        cwd=ROOT,
        env=web_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ops", "worker", "-Q", "solve,forecast,default"]
        + ["--concurrency", "1", "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return [gunicorn, worker]
        except OSError:
            time.sleep(0.3)
    _stop_stack([gunicorn, worker])
    raise SystemExit("gunicorn did not answer /healthz within 60 s; see var/bench-load-stack.log")


def _stop_stack(processes: list[subprocess.Popen]) -> None:
    for proc in processes:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in processes:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


# --- data -----------------------------------------------------------------------------------------------


def _solved_roster():
    """A solved 4-week roster of the demo with assignments, solved in this process (once)."""
    from django.utils import timezone

    from capacity.models import Department
    from scheduler.models import Roster
    from scheduler.services.rosters import roster_generate
    from scheduler.services.solving import roster_solve_run

    existing = Roster.objects.filter(status=Roster.Status.SOLVED, assignments__isnull=False).first()
    if existing:
        return existing
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    for unit in Department.objects.filter(kind=Department.Kind.UNIT).order_by("id"):
        with mock.patch("ops.jobs.job_enqueue_on_commit"):  # solved below, in this process
            roster = roster_generate(
                unit=unit, start_date=monday, end_date=monday + timedelta(days=27), time_limit=10
            )
        roster_solve_run(job_id=roster.job_id)
        roster.refresh_from_db()
        if roster.assignments.exists():
            return roster
    raise SystemExit("no demo unit gave a roster with assignments")


def _credentials() -> tuple[str, str]:
    """(API key of a bench superuser, session cookie of the demo planner)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from api.services import api_key_create

    users = get_user_model()
    admin, _ = users.objects.get_or_create(username="bench-load", defaults={"is_superuser": True})
    _, raw_key = api_key_create(user=admin, name=f"bench-load {time.time():.0f}", scopes=["read", "write"])
    client = Client()
    client.force_login(users.objects.get(username="planner"))
    return raw_key, client.cookies["sessionid"].value


def _fetch(url: str, headers: dict) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read()


# --- runs -----------------------------------------------------------------------------------------------


def _wrk(base: str, script: str, clients: int, duration: int, name: str) -> dict:
    path = VAR / f"bench-load-{name}.lua"
    path.write_text(script)
    threads = min(2, clients)
    completed = subprocess.run(
        [
            WRK,
            "-t",
            str(threads),
            "-c",
            str(clients),
            "-d",
            f"{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(path),
        ]
        + [base],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in completed.stdout.splitlines() if x.startswith("WRK_JSON "))
    raw = json.loads(line.removeprefix("WRK_JSON "))
    seconds = raw["duration_us"] / 1e6
    errors = raw["socket_errors"] + raw["bad_status"]
    return {
        "name": name,
        "clients": clients,
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1),
        "mean_ms": round(raw["mean_us"] / 1000, 2),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p95_ms": round(raw["p95_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "errors": errors,
        "error_rate": round(errors / max(raw["requests"], 1), 5),
        "statuses": raw["statuses"],
    }


def _print_table(rows: list[dict]) -> None:
    header = (
        f"{'run':<34} {'clients':>7} {'req/s':>8} {'mean ms':>8} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'errors':>7} {'err %':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['name']:<34} {r['clients']:>7} {r['rps']:>8} {r['mean_ms']:>8} {r['p95_ms']:>7} "
            f"{r['p99_ms']:>7} {r['errors']:>7} {100 * r['error_rate']:>6.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="crewplan_bench_load")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=4, help="ceiling / aggregate pairs (median reported)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: the config's)")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--skip-mixed", action="store_true", help="only the ceiling comparison")
    parser.add_argument("--no-edits", action="store_true", help="mixed scenarios of reads only")
    parser.add_argument(
        "--max-requests",
        type=int,
        default=None,
        help="override the config's worker recycling (0: never); at 2,000 req/s its 5,000 recycles "
        "every worker every few seconds",
    )
    args = parser.parse_args()
    if WRK is None:
        raise SystemExit(
            "bench/load.py needs wrk, the HTTP load generator; install it with `apt-get install wrk` "
            "(Debian and Ubuntu) and run again"
        )
    VAR.mkdir(exist_ok=True)
    _setup_env(args)
    fresh = _ensure_database(args)
    _manage("migrate", "--verbosity", "0")
    if fresh:
        print("seeding the medium demo (once) ...", flush=True)
        _manage("seed_demo", "--size", "medium", "--yes-i-know")

    import django

    django.setup()
    from django.core.cache import cache

    from bench.load_wsgi import CEILING_KEY
    from capacity.models import Department, Person

    print("preparing a solved roster and credentials ...", flush=True)
    roster = _solved_roster()
    api_key, session = _credentials()
    units = list(
        Department.objects.filter(kind=Department.Kind.UNIT).order_by("id").values_list("id", flat=True)
    )
    people = list(Person.objects.filter(active=True).order_by("id").values_list("id", flat=True)[:50])
    workers = args.workers or os.cpu_count() * 2
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    api = {"Authorization": f"Api-Key {api_key}"}
    web = {"Cookie": f"sessionid={session}"}
    heatmap = "/api/reports/heatmap?weeks=12"

    stack = _start_stack(port, workers, max_requests=args.max_requests)
    try:
        status, body = _fetch(base + heatmap, api)
        assert status == 200, status
        cache.set(CEILING_KEY, body.decode(), timeout=None)
        assert _fetch(base + "/bench/ceiling", {})[1] == body, "the ceiling must serve the same bytes"
        assert _fetch(base + "/bench/drf/reports/heatmap?weeks=12", api)[1] == body, "DRF alone: same bytes"
        print(f"stack up on {base}: {workers} gunicorn workers, 1 Celery worker; heatmap body {len(body)} B")

        reads = [
            (3, "GET", f"/api/reports/heatmap?department={u}&weeks={w}", api, None)
            for u in units
            for w in (4, 12)
        ] + [(3, "GET", f"/api/reports/role-capacity?department={u}&weeks=12", api, None) for u in units]
        dashboard = [(4, "GET", "/dashboard/", web, None)] + [
            (2, "GET", f"/dashboard/?unit={u}", web, None) for u in units[:3]
        ]
        rosters = [
            (6, "GET", f"/api/rosters/{roster.id}/grid", api, None),
            (4, "GET", f"/api/rosters/{roster.id}", api, None),
        ]
        edits = [
            (
                1,
                "PATCH",
                f"/api/people/{p}",
                {**api, "Content-Type": "application/json", "If-Match": "*"},
                json.dumps({"weekly_capacity_hours": "37.5"}),
            )
            for p in people[:2]
            if not args.no_edits
        ]
        mix = reads + dashboard + rosters + edits
        weights = {
            "aggregate reads": sum(e[0] for e in reads),
            "dashboard reads": sum(e[0] for e in dashboard),
            "roster reads": sum(e[0] for e in rosters),
            "edits": sum(e[0] for e in edits),
        }
        total = sum(weights.values())
        for _, method, path, headers, _body in mix:  # warm every cache the mix reads, and check it answers
            if method == "GET":
                code, _ = _fetch(base + path, headers)
                assert code == 200, (path, code)

        rows = []
        budget = []
        sides = {
            "ceiling": ("/bench/ceiling", {}, "ceiling (bare view)"),
            "api": (heatmap, api, "cached heatmap (API)"),
            "drf": ("/bench/drf/reports/heatmap?weeks=12", api, "cached heatmap (DRF only)"),
        }
        for round_no in range(1, args.rounds + 1):
            # rotate the order, so drift in the machine's load hits every side alike
            names = list(sides)
            shift = (round_no - 1) % len(names)
            pair = {}
            load = os.getloadavg()[0]
            for side in names[shift:] + names[:shift]:
                url, headers, label = sides[side]
                pair[side] = _wrk(
                    base + url,
                    _single_script(url, headers),
                    BUDGET_CLIENTS,
                    args.duration,
                    f"{label} r{round_no}",
                )
            rows += [pair["ceiling"], pair["api"], pair["drf"]]
            budget.append(
                {
                    "round": round_no,
                    "load_average_1m": round(load, 2),
                    "ceiling_rps": pair["ceiling"]["rps"],
                    "api_rps": pair["api"]["rps"],
                    "share": round(pair["api"]["rps"] / pair["ceiling"]["rps"], 3),
                    "p99_ms": pair["api"]["p99_ms"],
                    "ceiling_p99_ms": pair["ceiling"]["p99_ms"],
                    "drf_rps": pair["drf"]["rps"],
                    "drf_share": round(pair["drf"]["rps"] / pair["ceiling"]["rps"], 3),
                    "drf_p99_ms": pair["drf"]["p99_ms"],
                }
            )
        role = "/api/reports/role-capacity?weeks=12"
        rows.append(
            _wrk(
                base + role,
                _single_script(role, api),
                BUDGET_CLIENTS,
                args.duration,
                "cached role capacity (API)",
            )
        )
        if not args.skip_mixed:
            for name, clients in SCENARIOS:
                rows.append(_wrk(base + "/", _mix_script(mix), clients, args.duration, f"mixed: {name}"))
    finally:
        _stop_stack(stack)

    print()
    _print_table(rows)
    print()
    print("mix: " + ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in weights.items()))
    for b in budget:
        print(
            f"round {b['round']} (load {b['load_average_1m']}): cached heatmap {b['api_rps']} req/s = "
            f"{100 * b['share']:.0f}% of the ceiling's {b['ceiling_rps']}; p99 {b['p99_ms']} ms "
            f"(ceiling's own p99 {b['ceiling_p99_ms']} ms); DRF alone {b['drf_rps']} req/s = "
            f"{100 * b['drf_share']:.0f}%, p99 {b['drf_p99_ms']} ms"
        )
    share = statistics.median(b["share"] for b in budget)
    p99 = statistics.median(b["p99_ms"] for b in budget)
    print(f"DRF alone: median {100 * statistics.median(b['drf_share'] for b in budget):.0f}% of the ceiling")
    print(
        f"median over {len(budget)} rounds: {100 * share:.0f}% of the ceiling (target >= "
        f"{100 * CEILING_SHARE_TARGET:.0f}%: {'met' if share >= CEILING_SHARE_TARGET else 'NOT met'}), "
        f"p99 {p99} ms (target < {P99_TARGET_MS} ms: {'met' if p99 < P99_TARGET_MS else 'NOT met'})"
    )
    errors = sum(r["errors"] for r in rows)
    print(f"errors over every run: {errors}" + ("" if not errors else " -> NOT met"))
    for r in rows:
        bad = {k: v for k, v in r["statuses"].items() if not k.startswith(("2", "3"))}
        if bad:
            print(f"  {r['name']}: {bad}")
    name = (
        "load"
        + ("-no-edits" if args.no_edits else "")
        + ("" if args.max_requests is None else "-no-recycling")
    )
    out = ROOT / "bench" / "results" / f"{name}.json"
    out.write_text(
        json.dumps(
            {
                "max_requests_override": args.max_requests,
                "cpus": os.cpu_count(),
                "gunicorn_workers": workers,
                "duration_s": args.duration,
                "mix_weights": weights,
                "runs": rows,
                "budget": budget,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written {out.relative_to(ROOT)}")
    table = out.with_suffix(".md")
    table.write_text(_markdown(rows, budget, share, p99, args, workers))
    print(f"written {table.relative_to(ROOT)} (the README links the headline figure there)")


def _markdown(rows: list[dict], budget: list[dict], share: float, p99: float, args, workers: int) -> str:
    """The run as the table bench/results/load*.md keeps (the README carries only the headline)."""
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# Load test, {started}",
        "",
        f"`bench/load.py` on {os.cpu_count()} CPUs (load average at the start "
        f"{os.getloadavg()[0]:.1f}), {workers} gunicorn workers, {args.duration} s per wrk run"
        + ("" if args.max_requests is None else f", --max-requests {args.max_requests}")
        + (", reads only" if args.no_edits else "")
        + ".",
        "",
        f"Cached API read against the bare-view ceiling: median {100 * share:.0f}% over {len(budget)} rounds "
        f"(target {100 * CEILING_SHARE_TARGET:.0f}%), median p99 {p99} ms (target {P99_TARGET_MS} ms); "
        f"through DRF alone (no fast path) median "
        f"{100 * statistics.median(b['drf_share'] for b in budget):.0f}%.",
        "",
        "| round | load average (1 min) | ceiling req/s | fast path req/s (share, p99 ms) | DRF alone req/s "
        "(share, p99 ms) |",
        "|---:|---:|---:|---:|---:|",
        *(
            f"| {b['round']} | {b['load_average_1m']} | {b['ceiling_rps']:.0f} | {b['api_rps']:.0f} "
            f"({100 * b['share']:.0f}%, {b['p99_ms']}) | {b['drf_rps']:.0f} ({100 * b['drf_share']:.0f}%, "
            f"{b['drf_p99_ms']}) |"
            for b in budget
        ),
        "",
        "| run | clients | req/s | mean ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['clients']} | {r['rps']:.0f} | {r['mean_ms']} | {r['p95_ms']} | "
            f"{r['p99_ms']} | {r['errors']} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
