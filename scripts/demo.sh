#!/usr/bin/env bash
# The embedded demo: SQLite, a local-memory cache and Celery's filesystem transport, so nothing but this
# machine's Python is needed. A worker runs beside the web server; both stop together.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
PORT=${PORT:-8000}
export DEBUG=${DEBUG:-true}

"$PY" manage.py migrate --no-input -v 0
"$PY" manage.py seed_demo --size medium

# One BLAS thread per worker process: the forecast fits are single-core work, and OpenBLAS's default of a
# thread per core made two processes on two cores wait on each other (an ETS fit 50 ms instead of 3 ms).
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
    "$PY" -m celery -A ops worker -Q solve,forecast,default --concurrency 2 --loglevel WARNING \
    --without-gossip --without-mingle > var/demo-worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true; wait $worker 2>/dev/null || true' EXIT INT TERM

cat <<MSG

  crewplan demo is starting at http://127.0.0.1:${PORT}/
  Log in as: planner / crewplan-demo
  Readiness: http://127.0.0.1:${PORT}/readyz    API docs: http://127.0.0.1:${PORT}/api/docs/
  Worker log: var/demo-worker.log    Stop with Ctrl-C.

MSG
"$PY" manage.py runserver "127.0.0.1:${PORT}" --noreload
