"""Staff per hour to cover per shift: the fewest staff-hours of the unit's shift types that meet every hour.

Each hour a shift spans must have at least the staff its hour needs, counting every shift that overlaps it.
That is a small integer covering problem (an integer per day and shift type, a row per hour) solved exactly by
``scipy.optimize.milp`` (HiGHS). Where the shift pattern cannot follow the hourly curve (an eight-hour shift
over a two-hour peak) the cover over-staffs; those hours are reported with the surplus.

Hours are the unit's wall-clock hours. On the night clocks go back the repeated hour is one hour of the grid,
needing the most either of its instants needs; the hour that does not exist in spring needs nobody.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from .staffing import StaffingRequirement


@dataclass(frozen=True)
class ShiftType:
    """A shift of the unit: starts at ``start_hour`` (local, 0-23) and lasts ``length_hours`` (1-24)."""

    code: str
    start_hour: int
    length_hours: int

    def __post_init__(self) -> None:
        if not 0 <= self.start_hour <= 23 or not 1 <= self.length_hours <= 24:
            raise ValueError(f"shift {self.code!r}: start_hour must be 0-23 and length_hours 1-24")


@dataclass(frozen=True)
class ShiftCover:
    day: date
    shift: str
    staff: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class HourCover:
    hour: datetime
    required: int
    staffed: int

    @property
    def surplus(self) -> int:
        return self.staffed - self.required


@dataclass(frozen=True)
class CoverPlan:
    """The staff per shift, the staff per hour it gives, and the hours it over-staffs.

    ``shifts`` includes the shifts of the day before the first hour that reach into it (a night shift), so
    the first hours are met too; they belong to the previous roster period.
    """

    shifts: tuple[ShiftCover, ...]
    hours: tuple[HourCover, ...]
    staff_hours: int

    @property
    def over_staffed(self) -> tuple[HourCover, ...]:
        return tuple(hour for hour in self.hours if hour.surplus > 0)


def hourly_requirements(
    requirements: Sequence[StaffingRequirement], *, time_zone: str | None = None
) -> dict[datetime, int]:
    """Staff needed per local wall-clock hour; aware timestamps are converted to ``time_zone`` first."""
    from zoneinfo import ZoneInfo

    needed: dict[datetime, int] = defaultdict(int)
    for requirement in requirements:
        stamp = requirement.timestamp
        if stamp.tzinfo is not None:
            if time_zone is None:
                raise ValueError("aware requirement timestamps need the unit's time_zone")
            stamp = stamp.astimezone(ZoneInfo(time_zone)).replace(tzinfo=None)
        hour = stamp.replace(minute=0, second=0, microsecond=0)
        needed[hour] = max(needed[hour], requirement.staff)
    return dict(needed)


def shift_cover(
    requirements: Sequence[StaffingRequirement],
    shift_types: Sequence[ShiftType],
    *,
    time_zone: str | None = None,
    time_limit_s: float = 10.0,
) -> CoverPlan:
    """The cover per day and shift type with the fewest staff-hours that meets every hour's requirement.

    Raises ValueError when an hour that needs staff lies in no shift type, or the solver finds no solution.
    """
    from scipy.optimize import LinearConstraint, milp

    if not shift_types:
        raise ValueError("no shift types to cover the hours with")
    needed = hourly_requirements(requirements, time_zone=time_zone)
    if not needed:
        raise ValueError("no hourly requirements")
    first_day = min(needed).date()
    last_day = max(needed).date()
    origin = datetime.combine(first_day, datetime.min.time())
    n_hours = ((last_day - first_day).days + 1) * 24
    required = np.zeros(n_hours)
    for hour, staff in needed.items():
        required[int((hour - origin).total_seconds() // 3600)] = staff

    columns = []  # (day, shift type, first hour index, last hour index exclusive), clipped to the grid
    for offset in range(-1, (last_day - first_day).days + 1):
        day = first_day + timedelta(days=offset)
        for shift in shift_types:
            start = offset * 24 + shift.start_hour
            end = start + shift.length_hours
            if end > 0 and start < n_hours:
                columns.append((day, shift, start, end))
    covers = np.zeros((n_hours, len(columns)))
    for j, (_, _, start, end) in enumerate(columns):
        covers[max(start, 0) : min(end, n_hours), j] = 1
    uncovered = np.flatnonzero((required > 0) & (covers.sum(axis=1) == 0))
    if len(uncovered):
        hours = [str(origin + timedelta(hours=int(h))) for h in uncovered[:5]]
        raise ValueError(f"{len(uncovered)} hour(s) need staff but no shift type spans them, e.g. {hours}")

    lengths = np.array([shift.length_hours for _, shift, _, _ in columns], dtype=float)
    result = milp(
        c=lengths,
        constraints=LinearConstraint(covers, lb=required, ub=np.inf),
        integrality=np.ones(len(columns)),
        bounds=(0, np.inf),
        options={"time_limit": time_limit_s},
    )
    if result.x is None or result.status != 0:
        raise ValueError(f"shift cover not solved to optimality: {result.message}")
    staff = np.round(result.x).astype(int)
    staffed = covers @ staff
    shifts = tuple(
        ShiftCover(
            day=day,
            shift=shift.code,
            staff=int(count),
            start=datetime.combine(day, datetime.min.time()) + timedelta(hours=shift.start_hour),
            end=datetime.combine(day, datetime.min.time())
            + timedelta(hours=shift.start_hour + shift.length_hours),
        )
        for (day, shift, _, _), count in zip(columns, staff, strict=True)
        if count > 0
    )
    hours = tuple(
        HourCover(origin + timedelta(hours=h), int(required[h]), int(staffed[h])) for h in range(n_hours)
    )
    return CoverPlan(shifts, hours, int(lengths @ staff))
