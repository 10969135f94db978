"""Roster reads: the grid, cover against requirements, hours and cost, fairness, CSV and iCalendar.

Each read issues a fixed number of queries whatever the roster's size (tests pin the counts).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from scheduler.models import CoverRequirement, PersonContract, Roster, RosterAssignment, ShiftType


def shift_types_for_unit(unit) -> list[ShiftType]:
    """The unit's own shift types and those of its ancestors (organisation-wide ones); the nearest wins."""
    chain = []
    node = unit
    while node is not None:
        chain.append(node.id)
        node = node.parent
    by_code: dict[str, ShiftType] = {}
    rank = {dept_id: i for i, dept_id in enumerate(chain)}
    for shift in ShiftType.objects.filter(department_id__in=chain):
        current = by_code.get(shift.code)
        if current is None or rank[shift.department_id] < rank[current.department_id]:
            by_code[shift.code] = shift
    return sorted(by_code.values(), key=lambda s: (s.start_time, s.code))


def roster_days(roster: Roster) -> list[date]:
    """Every day the roster covers, first to last."""
    return [
        roster.start_date + timedelta(days=i) for i in range((roster.end_date - roster.start_date).days + 1)
    ]


@dataclass(frozen=True)
class RosterGrid:
    days: list
    people: list[dict]
    shift_types: list[dict]
    cells: dict[int, dict[str, dict]]  # person id -> ISO date -> {"shift", "pinned"}


def _assignments(roster: Roster):
    return list(
        RosterAssignment.objects.filter(roster=roster)
        .select_related("person__role", "shift_type")
        .order_by("person__name", "person_id", "date")
    )


def roster_grid(*, roster: Roster) -> RosterGrid:
    assignments = _assignments(roster)
    unit_people = {
        p.id: p
        for p in roster.department.people.filter(active=True).select_related("role").order_by("name", "id")
    }
    for a in assignments:
        unit_people.setdefault(a.person_id, a.person)
    cells: dict[int, dict[str, dict]] = defaultdict(dict)
    for a in assignments:
        cells[a.person_id][a.date.isoformat()] = {"shift": a.shift_type.code, "pinned": a.pinned}
    shifts = shift_types_for_unit(roster.department)
    return RosterGrid(
        days=roster_days(roster),
        people=[{"id": p.id, "name": p.name, "role": p.role.name} for p in unit_people.values()],
        shift_types=[
            {
                "code": s.code,
                "name": s.name,
                "start": s.start_time.strftime("%H:%M"),
                "minutes": s.duration_minutes,
                "night": s.is_night,
            }
            for s in shifts
        ],
        cells=dict(cells),
    )


def roster_cover(*, roster: Roster) -> list[dict]:
    """Per day and shift type: required (minimum, preferred; manual overrides forecast) against assigned."""
    required: dict[tuple, CoverRequirement] = {}
    for row in CoverRequirement.objects.filter(
        department=roster.department, date__range=(roster.start_date, roster.end_date), skill__isnull=True
    ).select_related("shift_type"):
        key = (row.date, row.shift_type.code)
        if key not in required or row.source == CoverRequirement.Source.MANUAL:
            required[key] = row
    assigned: dict[tuple, int] = defaultdict(int)
    for day, code in RosterAssignment.objects.filter(roster=roster).values_list("date", "shift_type__code"):
        assigned[(day, code)] += 1
    result = []
    for key in sorted(set(required) | set(assigned)):
        row = required.get(key)
        minimum = row.minimum if row else 0
        count = assigned.get(key, 0)
        result.append(
            {
                "date": key[0].isoformat(),
                "shift": key[1],
                "minimum": minimum,
                "preferred": row.preferred if row else 0,
                "assigned": count,
                "shortfall": max(0, minimum - count),
                "source": row.source if row else None,
            }
        )
    return result


def roster_hours_and_cost(*, roster: Roster) -> list[dict]:
    """Paid hours per person, overtime above contract hours priced with the contract's multiplier."""
    weeks = Decimal((roster.end_date - roster.start_date).days + 1) / 7
    assignments = _assignments(roster)
    contracts = {
        c.person_id: c.work_rules
        for c in PersonContract.objects.filter(person__roster_assignments__roster=roster)
        .select_related("work_rules")
        .distinct()
    }
    per_person: dict[int, dict] = {}
    for a in assignments:
        entry = per_person.setdefault(a.person_id, {"person": a.person, "minutes": 0, "shifts": 0})
        entry["minutes"] += a.shift_type.paid_minutes
        entry["shifts"] += 1
    result = []
    for person_id, entry in per_person.items():
        person = entry["person"]
        rules = contracts.get(person_id)
        contract_minutes = (
            Decimal(rules.contract_minutes_per_week) * weeks if rules else Decimal(entry["minutes"])
        )
        multiplier = rules.overtime_multiplier if rules else Decimal(1)
        worked = Decimal(entry["minutes"])
        overtime = max(Decimal(0), worked - contract_minutes)
        cost = person.hourly_rate * (worked - overtime) / 60 + person.hourly_rate * multiplier * overtime / 60
        result.append(
            {
                "person_id": person_id,
                "name": person.name,
                "shifts": entry["shifts"],
                "hours": float(round(worked / 60, 2)),
                "contract_hours": float(round(contract_minutes / 60, 2)),
                "overtime_hours": float(round(overtime / 60, 2)),
                "cost": float(round(cost, 2)),
            }
        )
    return sorted(result, key=lambda r: (r["name"], r["person_id"]))


def roster_fairness(*, roster: Roster) -> dict:
    """Nights, weekends worked and hours per person, and their spread within each group of comparable
    people (same role and contract)."""
    assignments = _assignments(roster)
    contracts = dict(
        PersonContract.objects.filter(person__roster_assignments__roster=roster)
        .values_list("person_id", "work_rules__name")
        .distinct()
    )
    people: dict[int, dict] = {}
    weekends: dict[int, set] = defaultdict(set)
    for a in assignments:
        entry = people.setdefault(
            a.person_id,
            {
                "person_id": a.person_id,
                "name": a.person.name,
                "role": a.person.role.name,
                "contract": contracts.get(a.person_id, ""),
                "nights": 0,
                "weekends": 0,
                "hours": 0.0,
            },
        )
        entry["nights"] += int(a.shift_type.is_night)
        entry["hours"] += a.shift_type.paid_minutes / 60
        if a.date.weekday() >= 5:
            weekends[a.person_id].add(a.date - timedelta(days=a.date.weekday()))
    for person_id, entry in people.items():
        entry["weekends"] = len(weekends[person_id])
        entry["hours"] = round(entry["hours"], 2)
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for entry in people.values():
        groups[(entry["role"], entry["contract"])].append(entry)
    spreads = []
    for (role, contract), members in sorted(groups.items()):
        spreads.append(
            {
                "role": role,
                "contract": contract,
                "people": len(members),
                **{
                    f"{m}_spread": round(max(e[m] for e in members) - min(e[m] for e in members), 2)
                    for m in ("nights", "weekends", "hours")
                },
            }
        )
    return {"people": sorted(people.values(), key=lambda e: (e["name"], e["person_id"])), "groups": spreads}


def roster_csv(*, roster: Roster) -> str:
    grid = roster_grid(roster=roster)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["person_id", "name", "role", *[d.isoformat() for d in grid.days]])
    for person in grid.people:
        row = grid.cells.get(person["id"], {})
        writer.writerow(
            [
                person["id"],
                person["name"],
                person["role"],
                *[row.get(d.isoformat(), {}).get("shift", "") for d in grid.days],
            ]
        )
    return out.getvalue()


def _ical_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def roster_ical(*, roster: Roster, person_id: int) -> str:
    """RFC 5545 calendar of one person's shifts in this roster, in the unit's time zone, shown in UTC."""
    zone = roster.department.zone
    stamp = datetime.now(tz=ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//crewplan//roster//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ical_escape(str(roster.department))} shifts",
    ]
    rows = RosterAssignment.objects.filter(roster=roster, person_id=person_id).select_related("shift_type")
    for a in rows.order_by("date"):
        start = datetime.combine(a.date, a.shift_type.start_time, tzinfo=zone).astimezone(ZoneInfo("UTC"))
        end = start + timedelta(minutes=a.shift_type.duration_minutes)
        lines += [
            "BEGIN:VEVENT",
            f"UID:roster{roster.id}-v{roster.version}-p{person_id}-{a.date:%Y%m%d}@crewplan",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{end:%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{_ical_escape(a.shift_type.name)} shift ({a.shift_type.code})",
            f"LOCATION:{_ical_escape(str(roster.department))}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def rosters_in_force(*, unit_ids: list[int], start, end) -> dict[int, Roster]:
    """Per unit, the roster in force over the days: the newest published one, else the newest solved."""
    chosen: dict[int, Roster] = {}
    rank = {Roster.Status.PUBLISHED: 0, Roster.Status.SOLVED: 1}
    candidates = Roster.objects.filter(
        department_id__in=unit_ids,
        start_date__lte=end,
        end_date__gte=start,
        status__in=list(rank),
    ).order_by("-created_at")
    for roster in candidates.select_related("department"):
        best = chosen.get(roster.department_id)
        if best is None or rank[roster.status] < rank[best.status]:
            chosen[roster.department_id] = roster
    return chosen


def roster_figures_by_unit(*, unit_ids: list[int], monday) -> dict[str, dict]:
    """Per unit, this week and next: cover required, filled and open in the roster in force, its fill rate,
    and the hours, overtime and cost of the first roster found (the dashboard's roster part)."""
    weeks = [(monday, monday + timedelta(days=6)), (monday + timedelta(days=7), monday + timedelta(days=13))]
    per_unit: dict[str, dict] = {str(u): {"weeks": [], "roster": None} for u in unit_ids}
    seen_hours: dict[int, list[dict]] = {}
    for start, end in weeks:
        rosters = rosters_in_force(unit_ids=unit_ids, start=start, end=end)
        for unit_id in unit_ids:
            roster = rosters.get(unit_id)
            entry = {"start": start.isoformat(), "roster_id": None, "required": 0, "filled": 0, "open": 0}
            if roster is not None:
                entry["roster_id"] = roster.id
                entry["status"] = roster.status
                for row in roster_cover(roster=roster):
                    if start.isoformat() <= row["date"] <= end.isoformat():
                        entry["required"] += row["minimum"]
                        entry["filled"] += min(row["assigned"], row["minimum"])
                        entry["open"] += row["shortfall"]
                if roster.id not in seen_hours:
                    seen_hours[roster.id] = roster_hours_and_cost(roster=roster)
                if per_unit[str(unit_id)]["roster"] is None:
                    rows = seen_hours[roster.id]
                    per_unit[str(unit_id)]["roster"] = {
                        "id": roster.id,
                        "period": f"{roster.start_date:%d %b}–{roster.end_date:%d %b}",
                        "hours": round(sum(r["hours"] for r in rows), 1),
                        "contract_hours": round(sum(r["contract_hours"] for r in rows), 1),
                        "overtime_hours": round(sum(r["overtime_hours"] for r in rows), 1),
                        "cost": round(sum(r["cost"] for r in rows), 2),
                    }
            entry["fill_rate"] = (
                round(100 * entry["filled"] / entry["required"], 1) if entry["required"] else None
            )
            per_unit[str(unit_id)]["weeks"].append(entry)
    return per_unit
