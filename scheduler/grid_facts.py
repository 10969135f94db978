"""What a planner needs beside each cell of the roster grid: approved leave by kind, shift requests (and
whether the roster grants them), locked days off and overrides, each person's skills and contracted hours.

A fixed number of queries whatever the roster's size (`roster_grid` pins the count in its tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

from capacity.models import Leave, PersonSkill
from scheduler.models import PersonContract, Roster, RosterDayOff, ShiftRequest


@dataclass(frozen=True)
class PersonFacts:
    skills: list[dict]  # [{"name", "level", "certified_until"}]
    contract_hours: float | None  # over the roster's span; None without a contract
    contract: str  # the contract's (work rules') name; "" without one
    contract_minutes_per_week: int | None


def leave_by_cell(person_ids, start: date, end: date) -> dict[tuple[int, str], str]:
    """(person id, ISO date) -> the kind of approved leave that day (annual, sick, training, unavailable)."""
    cells: dict[tuple[int, str], str] = {}
    rows = Leave.objects.filter(
        person_id__in=person_ids, status=Leave.Status.APPROVED, start_date__lte=end, end_date__gte=start
    ).values_list("person_id", "start_date", "end_date", "kind")
    for person_id, first, last, kind in rows:
        day = max(first, start)
        while day <= min(last, end):
            cells[(person_id, day.isoformat())] = kind
            day += timedelta(days=1)
    return cells


def requests_by_cell(person_ids, start: date, end: date) -> dict[tuple[int, str], dict]:
    """(person id, ISO date) -> the weightiest request that day: {"kind", "weight", "shift"} (shift None:
    any shift, a whole day)."""
    cells: dict[tuple[int, str], dict] = {}
    rows = ShiftRequest.objects.filter(person_id__in=person_ids, date__range=(start, end)).values_list(
        "person_id", "date", "kind", "weight", "shift_type__code"
    )
    for person_id, day, kind, weight, code in rows:
        key = (person_id, day.isoformat())
        if key not in cells or weight > cells[key]["weight"]:
            cells[key] = {"kind": kind, "weight": weight, "shift": code}
    return cells


def request_granted(request: dict, shift: str | None) -> bool:
    """An "on" request is granted when the person works (that shift, if it names one); an "off" request
    when they do not."""
    works = shift is not None if request["shift"] is None else shift == request["shift"]
    return works if request["kind"] == ShiftRequest.Kind.ON else not works


def locked_days_off(roster: Roster) -> dict[tuple[int, str], str]:
    """(person id, ISO date) -> the override reason ("" when none) of each day off a planner locked."""
    return {
        (person_id, day.isoformat()): reason
        for person_id, day, reason in RosterDayOff.objects.filter(roster=roster).values_list(
            "person_id", "date", "override_reason"
        )
    }


def person_facts(person_ids, *, days: int) -> dict[int, PersonFacts]:
    """Skills with their certification dates, and the contract's hours over `days` days."""
    skills: dict[int, list[dict]] = {pid: [] for pid in person_ids}
    for person_id, name, level, until in (
        PersonSkill.objects.filter(person_id__in=person_ids)
        .order_by("skill__name")
        .values_list("person_id", "skill__name", "level", "certified_until")
    ):
        skills[person_id].append(
            {"name": name, "level": level, "certified_until": until.isoformat() if until else None}
        )
    contract = {
        pid: (minutes, name)
        for pid, minutes, name in PersonContract.objects.filter(person_id__in=person_ids).values_list(
            "person_id", "work_rules__contract_minutes_per_week", "work_rules__name"
        )
    }
    return {
        pid: PersonFacts(
            skills=skills[pid],
            contract_hours=round(contract[pid][0] * days / 7 / 60, 2) if pid in contract else None,
            contract=contract[pid][1] if pid in contract else "",
            contract_minutes_per_week=contract[pid][0] if pid in contract else None,
        )
        for pid in person_ids
    }


def hours_flagged(rostered: float, contracted: float | None) -> bool:
    """Whether rostered hours differ from contracted ones by more than ROSTER_HOURS_FLAG_PERCENT."""
    if contracted is None:
        return False
    if contracted == 0:
        return rostered > 0
    return abs(rostered - contracted) > contracted * settings.ROSTER_HOURS_FLAG_PERCENT / 100
