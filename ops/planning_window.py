"""The planning window: the one range of dates crewplan accepts, wherever a date enters (API serializers,
page forms, uploads, query parameters). A roster for year 1 or 9999 is refused at the door, rather than
failing later when a week is added to it or a time zone moves it past the calendar's end.

1900-01-01 .. 2200-12-31 leaves room for any horizon the code adds (a roster is at most 12 weeks; reports
look 52 weeks ahead) and any UTC offset, far inside Python's years 1..9999.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError

PLANNING_WINDOW_START = date(1900, 1, 1)
PLANNING_WINDOW_END = date(2200, 12, 31)
MESSAGE = f"must be between {PLANNING_WINDOW_START.isoformat()} and {PLANNING_WINDOW_END.isoformat()}"


class OutsidePlanningWindow(ValueError):
    """For code that parses dates itself and reports ValueErrors (week keys, upload rows)."""


def check_planning_date(value: date | datetime) -> date | datetime:
    """`value` when inside the window; else OutsidePlanningWindow with the validator's message."""
    try:
        validate_planning_date(value)
    except ValidationError as exc:
        raise OutsidePlanningWindow(exc.messages[0]) from exc
    return value


def validate_planning_date(value: date | datetime) -> None:
    """A Django validator (serializers and forms take it as it is): the date, or a date-time's own wall
    date before any time-zone conversion, lies inside the planning window."""
    day = value.date() if isinstance(value, datetime) else value
    if not PLANNING_WINDOW_START <= day <= PLANNING_WINDOW_END:
        raise ValidationError(
            f"{day.isoformat()} is outside the planning window: dates {MESSAGE}", code="window"
        )
