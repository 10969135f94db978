"""Prophet with seven of its Python-side costs removed, same forecasts to the last bit.

A Prophet fit and forecast here cost about 110 ms of Python against 35 ms of cmdstan. Two of the Python costs
are bookkeeping that does not change the numbers:

- ``CmdStanPyBackend.prepare_data`` turns every array into a Python list, which ``stanio`` then walks value
  by value (about 300,000 calls for a two-year feature matrix) before writing the JSON file cmdstan reads.
  Left as arrays, ``stanio`` writes them with one ``tolist()`` each: the same file, about 20 ms sooner.
- cmdstanpy polls a finished cmdstan in a busy loop until it exits, 4-8 ms of Python a fit; the backend here
  runs it through ``cmdstan_speedups.LeanCmdStanModel``, which waits for it instead.
- ``regressor_column_matrix`` (which feature columns make up which component) builds its indicator table
  with ``pd.crosstab``, 9-13 ms a call, and Prophet calls it once in ``fit`` and again in ``predict``. The
  same table from a few lists and one numpy array takes well under a millisecond.

- ``fourier_series`` computes each seasonality's sines and cosines through pandas Series arithmetic (3.5 ms
  for a yearly order-10 series of two years, twice per fit and forecast); on the same numbers as a numpy
  array it takes 0.2 ms and gives the same bits.
- ``make_holiday_features`` looks every holiday row up in the dates one by one (``get_loc`` per row, 2-3 ms a
  call); holidays as this engine gives them (a date and a name, no windows or prior scales) are looked up in
  one ``get_indexer``; ``construct_holiday_dataframe`` hands such a frame back without Prophet's filtering
  (two ``isin``, a ``drop`` and a ``concat``, about 0.6 ms a call) when that would leave it as it is.
- ``predict_seasonal_components`` works out every component (each holiday, each seasonality) with its own
  matrix product; a backtest forecast without intervals reads only ``yhat``, which needs the additive and
  multiplicative totals alone. With ``uncertainty_samples=0`` only those two are computed.

Each is checked against Prophet's own code in ``forecasting/tests/engine/test_prophet_speedups.py``; the
module is imported lazily with Prophet (see ``prophet_model.load_prophet``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from prophet import Prophet
from prophet.models import CmdStanPyBackend

from .cmdstan_speedups import LeanCmdStanModel


def stan_inputs_as_arrays(init: dict[str, Any], data: dict[str, Any]) -> tuple[dict, dict]:
    """``CmdStanPyBackend.prepare_data`` with numpy arrays kept as arrays (stanio's fast path)."""
    inputs = {
        "T": data["T"],
        "S": data["S"],
        "K": data["K"],
        "tau": data["tau"],
        "trend_indicator": data["trend_indicator"],
        "y": np.asarray(data["y"]),
        "t": np.asarray(data["t"]),
        "cap": np.asarray(data["cap"]),
        "t_change": np.asarray(data["t_change"]),
        "s_a": np.asarray(data["s_a"]),
        "s_m": np.asarray(data["s_m"]),
        "X": data["X"].to_numpy(),
        "sigmas": data["sigmas"],
    }
    inits = {
        "k": init["k"],
        "m": init["m"],
        "delta": np.asarray(init["delta"]),
        "beta": np.asarray(init["beta"]),
        "sigma_obs": init["sigma_obs"],
    }
    return inits, inputs


class LeanCmdStanPyBackend(CmdStanPyBackend):
    """Prophet's cmdstanpy backend with ``stan_inputs_as_arrays`` and the process's one
    ``cmdstan_speedups.LeanCmdStanModel`` (no busy wait for cmdstan to exit)."""

    prepare_data = staticmethod(stan_inputs_as_arrays)
    _model: LeanCmdStanModel | None = None  # one per process: a model holds no state between runs

    def load_model(self) -> LeanCmdStanModel:
        if LeanCmdStanPyBackend._model is None:
            LeanCmdStanPyBackend._model = LeanCmdStanModel(exe_file=super().load_model().exe_file)
        return LeanCmdStanPyBackend._model


class LeanProphet(Prophet):
    """Prophet, with ``LeanCmdStanPyBackend``, numpy ``regressor_column_matrix``, ``fourier_series`` and
    ``make_holiday_features``; without intervals, ``predict`` returns the two component totals only."""

    def _load_stan_backend(self, stan_backend: str | None) -> None:
        if stan_backend not in (None, CmdStanPyBackend.get_type()):
            return super()._load_stan_backend(stan_backend)
        self.stan_backend = LeanCmdStanPyBackend()
        return None

    def regressor_column_matrix(
        self, seasonal_features: pd.DataFrame, modes: dict[str, list[str]]
    ) -> tuple[pd.DataFrame, dict[str, list[str]]]:
        """Prophet's own steps in the same order, with the crosstab counted by numpy."""
        pairs = [(col, name.split("_delim_")[0]) for col, name in enumerate(seasonal_features.columns)]

        def add_group(name: str, group) -> None:
            members = set(group)
            cols = list(dict.fromkeys(col for col, component in pairs if component in members))
            pairs.extend((col, name) for col in cols)

        if self.train_holiday_names is not None:
            add_group("holidays", self.train_holiday_names.unique())
        for mode in ("additive", "multiplicative"):
            add_group(mode + "_terms", modes[mode])
            regressors = [r for r, props in self.extra_regressors.items() if props["mode"] == mode]
            add_group("extra_regressors_" + mode, regressors)
            modes[mode].append(mode + "_terms")
            modes[mode].append("extra_regressors_" + mode)
        modes[self.holidays_mode].append("holidays")

        components = sorted({component for _, component in pairs})
        rows = sorted({col for col, _ in pairs})
        counts = np.zeros((len(rows), len(components)), dtype=np.int64)
        row_of = {col: i for i, col in enumerate(rows)}
        column_of = {component: j for j, component in enumerate(components)}
        for col, component in pairs:
            counts[row_of[col], column_of[component]] += 1
        component_cols = pd.DataFrame(
            counts,
            index=pd.Index(np.asarray(rows, dtype=np.int64), name="col"),
            columns=pd.Index(components, name="component"),
        )
        # from here on as Prophet does it
        for name in ["additive_terms", "multiplicative_terms"]:
            if name not in component_cols:
                component_cols[name] = 0
        component_cols.drop("zeros", axis=1, inplace=True, errors="ignore")
        if max(component_cols["additive_terms"] + component_cols["multiplicative_terms"]) > 1:
            raise Exception("A bug occurred in seasonal components.")
        if self.train_component_cols is not None:
            component_cols = component_cols[self.train_component_cols.columns]
            if not component_cols.equals(self.train_component_cols):
                raise Exception("A bug occurred in constructing regressors.")
        return component_cols, modes

    @staticmethod
    def fourier_series(dates: pd.Series, period: float, series_order: int) -> np.ndarray:
        """Prophet's ``fourier_series`` on a numpy array (its arithmetic in the same order)."""
        values = dates.to_numpy()
        if values.dtype != np.dtype("datetime64[ns]") or np.isnat(values).any() or series_order < 1:
            return Prophet.fourier_series(dates, period, series_order)  # time zones, gaps, its own errors
        # as pandas' Timedelta.total_seconds does it: nanoseconds / 10**9, then days
        t = (values - np.datetime64("1970-01-01", "ns")).astype(np.int64) / 10**9 / (24 * 60 * 60)
        x_t = np.pi * 2 * t
        components = np.empty((len(values), 2 * series_order))
        for i in range(series_order):
            c = (i + 1) / period * x_t
            components[:, 2 * i] = np.sin(c)
            components[:, 2 * i + 1] = np.cos(c)
        return components

    def predict_seasonal_components(self, df: pd.DataFrame) -> pd.DataFrame:
        """Without intervals, only the totals ``predict`` adds into ``yhat``, computed as Prophet does."""
        if self.uncertainty_samples:
            return super().predict_seasonal_components(df)
        seasonal_features, _, component_cols, _ = self.make_all_seasonality_features(df)
        features = seasonal_features.values
        totals = {}
        for component in ("additive_terms", "multiplicative_terms"):
            beta = self.params["beta"] * component_cols[component].values
            total = np.matmul(features, beta.transpose())
            if component in self.component_modes["additive"]:
                total *= self.y_scale
            totals[component] = np.nanmean(total, axis=1)
        return pd.DataFrame(totals)

    def construct_holiday_dataframe(self, dates: pd.Series) -> pd.DataFrame:
        """Prophet's frame where it comes back as given: the holidays frame alone (no country's own), with
        every name fit saw and no other, so that there is nothing to drop and nothing to add."""
        holidays = self.holidays
        if self.country_holidays is not None or holidays is None:
            return super().construct_holiday_dataframe(dates)
        if self.train_holiday_names is None:
            return holidays.copy()
        if set(holidays["holiday"]) != set(self.train_holiday_names):
            return super().construct_holiday_dataframe(dates)
        return holidays.reset_index(drop=True)  # a copy, indexed as Prophet's concat leaves it

    def make_holiday_features(
        self, dates: pd.Series, holidays: pd.DataFrame
    ) -> tuple[pd.DataFrame, list[float], list[str]]:
        """Prophet's holiday indicator columns, for a holidays frame of dates and names only."""
        days = pd.DatetimeIndex(dates.dt.date)
        simple = list(holidays.columns) == ["ds", "holiday"] and days.is_unique
        prior_scale = float(self.holidays_prior_scale)
        if not simple or holidays["ds"].dt.tz is not None or not prior_scale > 0:
            return super().make_holiday_features(dates, holidays)  # windows, own prior scales, its errors
        names = list(dict.fromkeys(holidays["holiday"]))
        # Prophet takes each row's calendar date at midnight; a missing date (NaT) matches no day
        rows = days.get_indexer(pd.DatetimeIndex(holidays["ds"]).normalize())
        indicators = np.zeros((len(days), len(names)))
        column_of = {name: j for j, name in enumerate(names)}
        for row, name in zip(rows, holidays["holiday"], strict=True):
            if row >= 0:
                indicators[row, column_of[name]] = 1.0
        columns = ["{}_delim_+0".format(name) for name in names]  # noqa: UP032 - Prophet's own format
        features = pd.DataFrame(indicators, columns=columns)
        features = features[sorted(features.columns.tolist())]
        if self.train_holiday_names is None:
            self.train_holiday_names = pd.Series(names)
        return features, [prior_scale] * len(columns), names
