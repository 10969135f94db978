"""LeanCmdStanModel runs cmdstan as cmdstanpy does: the same optimum, console file and errors."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cmdstanpy import CmdStanModel
from prophet.models import CmdStanPyBackend
from stanio.json import dump_stan_json

from forecasting.engine.cmdstan_speedups import LeanCmdStanModel, _json_file
from forecasting.engine.prophet_speedups import LeanCmdStanPyBackend, LeanProphet

from .conftest import weekly_series


def _without_paths(console: str) -> str:
    """cmdstan's console with the run's own temporary file names taken out."""
    return "\n".join(line for line in console.splitlines() if "/" not in line)


def _stan_inputs() -> tuple[dict, dict]:
    """The init and data a Prophet fit hands its backend, captured from a real fit."""
    captured = {}

    class Capture(LeanCmdStanPyBackend):
        def fit(self, stan_init, stan_data, **kwargs):
            captured["inputs"] = self.prepare_data(stan_init, stan_data)
            return super().fit(stan_init, stan_data, **kwargs)

    series = weekly_series(days=120)
    model = LeanProphet(yearly_seasonality=False, uncertainty_samples=0)
    model.stan_backend.__class__ = Capture
    model.fit(pd.DataFrame({"ds": pd.DatetimeIndex(series.timestamps), "y": series.values}))
    return captured["inputs"]


def _models() -> tuple[CmdStanModel, LeanCmdStanModel]:
    exe_file = CmdStanPyBackend().model.exe_file
    return CmdStanModel(exe_file=exe_file), LeanCmdStanModel(exe_file=exe_file)


def test_the_optimum_and_the_console_file_are_cmdstanpys():
    # given Prophet's inputs and the library's model beside the lean one
    inits, data = _stan_inputs()
    plain, lean = _models()

    # when both optimise them with the same seed
    fits = [m.optimize(data=data, inits=inits, algorithm="LBFGS", iter=10_000, seed=1) for m in (plain, lean)]

    # then the optimum is the same to the last bit and cmdstan said the same
    np.testing.assert_array_equal(fits[1].optimized_params_np, fits[0].optimized_params_np)
    consoles = [_without_paths(Path(fit.runset.stdout_files[0]).read_text()) for fit in fits]
    assert consoles[1] == consoles[0] and "Optimization terminated normally" in consoles[1]


def test_a_failing_run_raises_cmdstans_message_as_cmdstanpy_does():
    # given data cmdstan refuses (one observation fewer than the model is told)
    inits, data = _stan_inputs()
    data = {**data, "y": data["y"][:-1]}
    plain, lean = _models()

    # when both try to optimise it
    messages = []
    for model in (plain, lean):
        with pytest.raises(RuntimeError) as caught:
            model.optimize(data=data, inits=inits, algorithm="LBFGS", iter=10_000, seed=1)
        messages.append(str(caught.value))

    # then the error carries cmdstan's own explanation in both
    assert "mismatch in dimension declared and found in context" in messages[1]
    assert _without_paths(messages[1]) == _without_paths(messages[0])


def test_a_console_or_a_timeout_takes_cmdstanpys_own_loop(monkeypatch):
    # given the lean model with the library's loop stubbed so that its use shows
    inits, data = _stan_inputs()
    _, lean = _models()
    calls = []
    original = CmdStanModel._run_cmdstan

    def library_loop(self, runset, idx, *args, **kwargs):
        calls.append(kwargs)
        return original(self, runset, idx, *args, **kwargs)

    monkeypatch.setattr(CmdStanModel, "_run_cmdstan", library_loop)

    # when it is asked to time out, and then not
    lean.optimize(data=data, inits=inits, algorithm="LBFGS", iter=10_000, seed=1, timeout=60)
    lean.optimize(data=data, inits=inits, algorithm="LBFGS", iter=10_000, seed=1)

    # then only the first went through the library's loop (it alone can enforce a timeout)
    assert len(calls) == 1


def test_prophets_inputs_are_written_byte_for_byte_as_stanio_writes_them():
    # given the init and data of a Prophet fit (numbers, lists and float64 and int64 arrays)
    for inputs in _stan_inputs():
        # when written for cmdstan
        with _json_file(inputs) as path:
            written = Path(path).read_text()

        # then the file is the one cmdstanpy would have written through stanio
        assert written == dump_stan_json(inputs)


@pytest.mark.parametrize(
    "inputs",
    [
        {"flag": True},
        {"y": np.array([1.0, np.nan])},
        {"y": np.ones(3, dtype=np.float32)},
        {"x": float("inf")},
    ],
    ids=["a boolean", "a NaN", "float32", "an infinity"],
)
def test_inputs_orjson_would_write_differently_are_left_to_cmdstanpy(inputs):
    with _json_file(inputs) as given:
        assert given is inputs
