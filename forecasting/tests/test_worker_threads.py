"""Forecast workers run one BLAS thread per process, however they are started."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _procfile_command(process: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process:
            return command.strip()
    raise AssertionError(f"no {process!r} line in the Procfile")


def test_the_procfile_starts_forecast_workers_with_one_blas_thread(tmp_path):
    process = "forecast"
    # given a stand-in `celery` on PATH that reports the environment it was started with
    fake = tmp_path / "celery"
    fake.write_text("#!/bin/sh\n" + "".join(f'echo "{v}=${v}"\n' for v in THREAD_VARIABLES))
    fake.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    env["PATH"] = f"{tmp_path}{os.pathsep}{env.get('PATH', '')}"

    # when the Procfile's command runs through a shell, as honcho runs it
    command = ["sh", "-c", _procfile_command(process)]
    output = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30, check=True).stdout

    # then the worker starts with single-threaded BLAS
    assert set(output.splitlines()) == {f"{v}=1" for v in THREAD_VARIABLES}
