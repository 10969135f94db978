"""Train many series over worker processes that stay alive across series.

Workers are started by multiprocessing's ``forkserver`` by default: a single-threaded server process, started
fresh (so it is as safe as ``spawn`` from a threaded parent such as a Celery worker or a Django process, where
``fork`` can deadlock), imports Prophet, statsmodels and pandas once (about 2.7 s of CPU), and every worker
is forked from it with those imports done. With ``spawn`` each worker paid that import itself: 2.7 s of CPU
per worker, a third of a 100-series retrain's CPU budget at 2 workers. The server lives as long as the
parent process, so a later pool forks from it again.

Each worker is one core's worth of work, so its BLAS runs single-threaded: with OpenBLAS's default of one
thread per core, two workers on two cores run four threads that wait on each other. Measured on the shared
2-core machine: an ETS fit took 50 ms with two BLAS threads and 3 ms with one.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager

from .domain import Series, TrainResult
from .train import DEFAULT_HORIZON, DEFAULT_INTERVAL_WIDTH, DEFAULT_ORIGINS, train_one

Progress = Callable[[int, int, TrainResult], None]  # (done, total, the result just finished)


THREAD_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextmanager
def _single_threaded_children() -> Iterator[None]:
    """Spawned workers inherit the environment; BLAS reads it when numpy loads, before any initializer runs.

    Only variables the caller has not set are added, and they are removed again once the workers are started.
    """
    added = [name for name in THREAD_ENV if name not in os.environ]
    os.environ.update({name: "1" for name in added})
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


PRELOAD = ["forecasting.engine.worker_imports", "forecasting.engine.train"]


def _init_worker() -> None:
    """For ``spawn`` workers; with ``forkserver`` the imports were made before the fork and this is free."""
    from . import worker_imports  # noqa: F401


def train_many(
    series: Sequence[Series],
    *,
    workers: int = 1,
    horizon: int = DEFAULT_HORIZON,
    origins: int = DEFAULT_ORIGINS,
    candidates: tuple[str, ...] | None = None,
    interval_width: float | None = DEFAULT_INTERVAL_WIDTH,
    progress: Progress | None = None,
    start_method: str = "forkserver",
) -> list[TrainResult]:
    """Train every series; results come back in input order, each with its own duration and error.

    ``workers=1`` trains in this process, one series after another. A series that fails (or a worker that
    dies) yields a TrainResult with ``error`` set; the other series are unaffected. ``start_method`` "spawn"
    makes every worker import on its own; "fork" is unsafe in a threaded parent.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    total = len(series)
    options = {
        "horizon": horizon,
        "origins": origins,
        "candidates": candidates,
        "interval_width": interval_width,
    }
    results: list[TrainResult | None] = [None] * total
    if workers == 1 or total <= 1:
        for i, one in enumerate(series):
            results[i] = train_one(one, **options)
            if progress:
                progress(i + 1, total, results[i])
        return results  # type: ignore[return-value]

    context = multiprocessing.get_context(start_method)
    if start_method == "forkserver":
        context.set_forkserver_preload(PRELOAD)  # read when the server starts: the first pool of this process
    with ProcessPoolExecutor(
        max_workers=min(workers, total), mp_context=context, initializer=_init_worker
    ) as pool:
        with _single_threaded_children():  # spawn starts the workers during the first submits
            futures: dict[Future, int] = {
                pool.submit(train_one, one, **options): i for i, one in enumerate(series)
            }
        for done, future in enumerate(as_completed(futures), start=1):
            i = futures[future]
            try:
                results[i] = future.result()
            except Exception as exc:  # the worker died or the result could not be sent back
                results[i] = TrainResult(
                    series_key=series[i].key,
                    algorithm=None,
                    params={},
                    metrics={},
                    forecast=None,
                    model_json=None,
                    duration_s=0.0,
                    error=f"worker failed: {type(exc).__name__}: {exc}",
                )
            if progress:
                progress(done, total, results[i])
    return results  # type: ignore[return-value]
