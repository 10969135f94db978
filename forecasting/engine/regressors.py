"""Known calendar effects as regressors: public holidays of the unit's country and region, and user events.

Holidays come from the ``holidays`` package (the same one Prophet uses), with the subdivision, so a Scottish
ward gets St Andrew's Day and an English one does not. Each model that can take regressors (Prophet, MSTL)
reads them from here; seasonal naive and ETS cannot, and are left as they are.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

from .prepare import History

HOLIDAY_COLUMN = "holiday"


@lru_cache(maxsize=64)
def holiday_dates(country: str, subdivision: str | None, first_year: int, last_year: int) -> dict[date, str]:
    """Public holidays by date; built once per worker for a country, region and span of years.

    Raises ValueError (``holidays`` raises NotImplementedError) for a country or region it does not know.
    """
    import holidays

    try:
        calendar = holidays.country_holidays(
            country, subdiv=subdivision or None, years=range(first_year, last_year + 1)
        )
    except NotImplementedError as exc:
        raise ValueError(str(exc)) from exc
    return dict(sorted(calendar.items()))


def history_holidays(history: History, horizon: int) -> dict[date, str]:
    """The holidays over the history and its forecast horizon; empty without a country."""
    if not history.country:
        return {}
    last = history.future_index(horizon)[-1]
    return holiday_dates(history.country, history.subdivision, history.index[0].year, last.year)


def event_column(name: str) -> str:
    """A column name Prophet accepts for an event (letters, digits, underscores), prefixed to stay apart."""
    return "event_" + re.sub(r"\W+", "_", name.strip().lower()).strip("_")


def regressor_frame(history: History, index: pd.DatetimeIndex, holidays: dict[date, str]) -> pd.DataFrame:
    """0/1 columns over ``index``: one for any public holiday, one per event; columns that are all zero on
    ``index`` are kept (the caller decides which it can estimate)."""
    days = index.normalize()
    columns: dict[str, np.ndarray] = {}
    if holidays:
        columns[HOLIDAY_COLUMN] = days.isin(pd.DatetimeIndex(list(holidays))).astype(float)
    for event in history.events:
        inside = (days >= pd.Timestamp(event.start)) & (days <= pd.Timestamp(event.end))
        column = event_column(event.name)
        columns[column] = np.maximum(columns.get(column, 0.0), inside.astype(float))
    return pd.DataFrame(columns, index=index)
