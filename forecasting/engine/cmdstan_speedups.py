"""cmdstanpy's CmdStanModel without its busy wait for a finished cmdstan process to exit.

``CmdStanModel._run_cmdstan`` (cmdstanpy 1.3.2) reads cmdstan's output in ``while proc.poll() is None:
proc.stdout.readline()``. Once cmdstan has written its last line and closed its output, ``readline`` returns
at once with nothing, so the loop spins on ``poll()`` for as long as the process takes to exit: measured on
Prophet's backtest fits here, about 1,150 turns and 3.5-4 ms of Python CPU a fit, a tenth of what the fit
itself costs in cmdstan. Without a console to echo, a progress hook or a timeout (the only uses of that
loop) the output can go straight to the file cmdstanpy reads it from, and the process be waited for: the
same command, the same files, the same return code.
"""

from __future__ import annotations

import os
import subprocess
from typing import Any

from cmdstanpy import CmdStanModel
from cmdstanpy.utils.logging import get_logger


class LeanCmdStanModel(CmdStanModel):
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
