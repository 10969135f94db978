#!/usr/bin/env bash
# The embedded demo: SQLite, a file cache under var/ and Celery's filesystem transport, so nothing but this
# machine's Python is needed. A worker runs beside the web server; both stop together, within seconds.
#
# Why the stop is explicit: a Celery worker that gets TERM or INT makes a warm shutdown and waits for the
# running task, and a solve may run for minutes (the demo's roster is lost work anyway: its job is failed
# as stale later). So the worker runs in its own process group, is asked to stop, and is killed with its
# pool after STOP_GRACE_S seconds if it is still there.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
PORT=${PORT:-8000}
SEED_SIZE=${SEED_SIZE:-medium}
STOP_GRACE_S=${STOP_GRACE_S:-4}
export DEBUG=${DEBUG:-true}
VAR=${CREWPLAN_VAR_DIR:-var}
mkdir -p "$VAR"

"$PY" manage.py migrate --no-input -v 0
"$PY" manage.py seed_demo --size "$SEED_SIZE"

worker=""
web=""
stop() {
    trap - EXIT INT TERM
    [ -n "$web" ] && kill -TERM "$web" 2>/dev/null || true
    if [ -n "$worker" ]; then
        kill -TERM -- "-$worker" 2>/dev/null || true
        for _ in $(seq $((STOP_GRACE_S * 10))); do
            kill -0 -- "-$worker" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$worker" 2>/dev/null || true
    fi
    [ -n "$web" ] && { sleep 0.5; kill -KILL "$web" 2>/dev/null || true; }
    wait 2>/dev/null || true
    exit 0
}
trap stop EXIT INT TERM

# One BLAS thread per worker process: the forecast fits are single-core work, and OpenBLAS's default of a
# thread per core made two processes on two cores wait on each other (an ETS fit 50 ms instead of 3 ms).
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
    setsid "$PY" -m celery -A ops worker -Q solve,forecast,default --concurrency 2 --loglevel WARNING \
    --without-gossip --without-mingle > "$VAR/demo-worker.log" 2>&1 &
worker=$!

cat <<MSG

  crewplan demo is starting at http://127.0.0.1:${PORT}/
  Log in as: planner / crewplan-demo   (or manager / crewplan-demo, viewer / crewplan-demo: read-only roles)
  Readiness: http://127.0.0.1:${PORT}/readyz    API docs: http://127.0.0.1:${PORT}/api/docs/
  Worker log: $VAR/demo-worker.log    Stop with Ctrl-C.

MSG
# In the background, so this shell runs its trap at once when a signal arrives (bash defers traps while
# a foreground child runs).
"$PY" manage.py runserver "127.0.0.1:${PORT}" --noreload &
web=$!
wait "$web"
