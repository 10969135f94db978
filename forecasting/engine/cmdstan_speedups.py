"""cmdstanpy's CmdStanModel without its busy wait for a finished cmdstan process to exit, its inputs
written by orjson.

``CmdStanModel._run_cmdstan`` (cmdstanpy 1.3.2) reads cmdstan's output in ``while proc.poll() is None:
proc.stdout.readline()``. Once cmdstan has written its last line and closed its output, ``readline`` returns
at once with nothing, so the loop spins on ``poll()`` for as long as the process takes to exit: measured on
Prophet's backtest fits here, about 1,150 turns and 3.5-4 ms of Python CPU a fit, a tenth of what the fit
itself costs in cmdstan. Without a console to echo, a progress hook or a timeout (the only uses of that
loop) the output can go straight to the file cmdstanpy reads it from, and the process be waited for: the
same command, the same files, the same return code.

cmdstanpy writes a dict of inputs through stanio, which turns every array into nested lists for ujson:
2.4 ms for the 406 KB of a two-year Prophet fit. orjson writes numpy arrays itself, in 0.6 ms, and the same
bytes (shortest round-trip floats in both; checked in ``test_cmdstan_speedups.py``). Inputs it would write
differently (booleans, which stanio writes as 0/1; NaN and infinities, which orjson writes as null;
float32) stay with cmdstanpy.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Iterator
from typing import Any

import numpy as np
import orjson
from cmdstanpy import CmdStanModel
from cmdstanpy.utils.logging import get_logger


class LeanCmdStanModel(CmdStanModel):
    def optimize(self, data: Any = None, *args: Any, inits: Any = None, **kwargs: Any) -> Any:
        with _json_file(data) as data_file, _json_file(inits) as inits_file:
            return super().optimize(data_file, *args, inits=inits_file, **kwargs)

    def _run_cmdstan(
        self,
        runset: Any,
        idx: int,
        show_progress: bool = False,
        show_console: bool = False,
        progress_hook: Any = None,
        timeout: float | None = None,
    ) -> None:
        if show_progress or show_console or progress_hook is not None or timeout:
            return super()._run_cmdstan(runset, idx, show_progress, show_console, progress_hook, timeout)
        try:
            with open(runset.stdout_files[idx], "w") as out:
                retcode = subprocess.call(
                    runset.cmd(idx),
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=os.environ,
                )
        except OSError as exc:  # as cmdstanpy reports a command that cannot start
            raise RuntimeError(f"Failed with error {exc}\n") from exc
        runset._set_retcode(idx, retcode)
        if retcode != 0:
            get_logger().error("CmdStan error: code '%d'", retcode)
        return None


def _orjson_writes_as_stanio(value: Any) -> bool:
    """Finite integers and doubles, lists of them and such arrays: what orjson writes as stanio does.

    Not booleans (stanio writes 0/1), NaN or infinities (orjson writes null), nor float32 (orjson writes its
    shortest float32 form, stanio the double it widens to).
    """
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(value, int | np.integer):
        return True
    if isinstance(value, float):  # np.float64 is one, np.float32 is not
        return bool(np.isfinite(value))
    if isinstance(value, list):
        return all(not isinstance(v, np.ndarray) and _orjson_writes_as_stanio(v) for v in value)
    if isinstance(value, np.ndarray):
        numeric = value.dtype.kind in "iu" or value.dtype == np.float64
        return numeric and bool(np.isfinite(value).all())
    return False


@contextlib.contextmanager
def _json_file(inputs: Any) -> Iterator[Any]:
    """A mapping of inputs as a JSON file written by orjson, or the inputs as given for cmdstanpy to write."""
    if not isinstance(inputs, dict) or not all(map(_orjson_writes_as_stanio, inputs.values())):
        yield inputs
        return
    contiguous = {k: np.ascontiguousarray(v) if isinstance(v, np.ndarray) else v for k, v in inputs.items()}
    handle, path = tempfile.mkstemp(suffix=".json")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(orjson.dumps(contiguous, option=orjson.OPT_SERIALIZE_NUMPY))
        yield path
    finally:
        os.remove(path)
