"""Week keys. Monday is canonical everywhere; a stored key that is not a Monday maps to the Monday
within ±3 days of it (legacy data keyed by Sundays or Wednesdays lands on the week it belongs to)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from ops.planning_window import check_planning_date


def parse_week_key(value: str | date) -> date:
    """The Monday a stored week key belongs to. Raises ValueError for what is not a date in the planning
    window."""
    day = value if isinstance(value, date) else date.fromisoformat(str(value).strip()[:10])
    check_planning_date(day)
    offset = day.weekday()  # Monday 0 .. Sunday 6
    # Thursday..Sunday (3..6 days after Monday) are nearer the next Monday for 4..6; ±3 rounds to nearest.
    return day - timedelta(days=offset) if offset <= 3 else day + timedelta(days=7 - offset)


def monday_of(day: date) -> date:
    """The Monday of the calendar week that contains `day` (for dates, not stored keys)."""
    return day - timedelta(days=day.weekday())


def week_keys(first_monday: date, weeks: int) -> list[date]:
    return [first_monday + timedelta(weeks=i) for i in range(weeks)]


def iter_days(start: date, end: date) -> Iterator[date]:
    """Every day from start to end, both included."""
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)
