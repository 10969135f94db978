"""Roster reads: the grid, cover against requirements, hours and cost, fairness, CSV and iCalendar.

Each read issues a fixed number of queries whatever the roster's size (tests pin the counts).
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from capacity.selectors import people_rostered_in
from ops.csv_export import SafeCsvWriter
from scheduler import grid_facts
from scheduler.labour_cost import WorkedShift, price_shifts, public_holidays
from scheduler.models import CoverRequirement, PersonContract, Roster, RosterAssignment, ShiftType
from scheduler.pay_rates import person_terms, rate_book


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
    # {"id", "name", "role", "skills", "hours", "contract_hours", "contract", "contract_minutes_per_week",
    #  "hours_flagged"}
    people: list[dict]
    shift_types: list[dict]
    # person id -> ISO date -> {"shift", "pinned", "leave", "request", "override"}, every day of every person
    cells: dict[int, dict[str, dict]]


def _assignments(roster: Roster):
    return list(
        RosterAssignment.objects.filter(roster=roster)
        .select_related("person__role", "shift_type")
        .order_by("person__name", "person_id", "date")
    )


def roster_grid(*, roster: Roster) -> RosterGrid:
    """Every cell of every person: the shift (None: off) and whether it is locked, approved leave by kind,
    the person's request that day and whether the roster grants it, and a hard-rule override's reason."""
    assignments = _assignments(roster)
    unit_people = {
        p.id: p
        for p in people_rostered_in(unit_id=roster.department_id)
        .filter(active=True)
        .select_related("role")
        .order_by("name", "id")
    }
    for a in assignments:
        unit_people.setdefault(a.person_id, a.person)
    days = roster_days(roster)
    keys = [d.isoformat() for d in days]
    ids = list(unit_people)
    leave = grid_facts.leave_by_cell(ids, roster.start_date, roster.end_date)
    requests = grid_facts.requests_by_cell(ids, roster.start_date, roster.end_date)
    days_off = grid_facts.locked_days_off(roster)
    facts = grid_facts.person_facts(ids, days=len(days))
    by_cell = {(a.person_id, a.date.isoformat()): a for a in assignments}
    minutes: dict[int, int] = defaultdict(int)
    for a in assignments:
        minutes[a.person_id] += a.shift_type.paid_minutes
    cells: dict[int, dict[str, dict]] = {}
    for pid in ids:
        row = cells[pid] = {}
        for key in keys:
            a = by_cell.get((pid, key))
            shift = a.shift_type.code if a else None
            request = requests.get((pid, key))
            override = a.override_reason if a else days_off.get((pid, key), "")
            row[key] = {
                "shift": shift,
                "pinned": bool(a.pinned) if a else (pid, key) in days_off,
                "leave": leave.get((pid, key)),
                "request": {
                    "kind": request["kind"],
                    "weight": request["weight"],
                    "shift": request["shift"],
                    "granted": grid_facts.request_granted(request, shift),
                }
                if request
                else None,
                "override": override or None,
            }
    people = []
    for pid, p in unit_people.items():
        hours = round(minutes[pid] / 60, 2)
        contract_hours = facts[pid].contract_hours
        people.append(
            {
                "id": pid,
                "name": p.name,
                "role": p.role.name,
                "skills": facts[pid].skills,
                "hours": hours,
                "contract_hours": contract_hours,
                "contract": facts[pid].contract,
                "contract_minutes_per_week": facts[pid].contract_minutes_per_week,
                "hours_flagged": grid_facts.hours_flagged(hours, contract_hours),
            }
        )
    shifts = shift_types_for_unit(roster.department)
    return RosterGrid(
        days=days,
        people=people,
        shift_types=[
            {
                "code": s.code,
                "name": s.name,
                "start": s.start_time.strftime("%H:%M"),
                "minutes": s.duration_minutes,
                "paid_minutes": s.paid_minutes,
                "night": s.is_night,
            }
            for s in shifts
        ],
        cells=cells,
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
    """Paid hours per person; each shift priced at the rate valid on its date (scheduler.labour_cost), the
    minutes above the contract's hours over the roster's span priced as overtime."""
    weeks = Decimal((roster.end_date - roster.start_date).days + 1) / 7
    assignments = _assignments(roster)
    terms = person_terms({a.person_id for a in assignments})
    rates = rate_book(people=terms, start=roster.start_date, end=roster.end_date)
    contract = {
        pid: round(t.contract_minutes_per_week * weeks) if t.contract_minutes_per_week is not None else None
        for pid, t in terms.items()
    }
    holidays = public_holidays(roster.department.country, roster.start_date, roster.end_date)
    costs = price_shifts(
        (
            WorkedShift(
                a.pk,
                a.person_id,
                a.date,
                a.shift_type.paid_minutes,
                a.shift_type.is_night,
                a.date in holidays,
            )
            for a in assignments
        ),
        rates=rates,
        contract_minutes=contract.get,
        period=lambda day: None,
    )
    per_person: dict[int, dict] = {}
    for a in assignments:
        entry = per_person.setdefault(
            a.person_id, {"person": a.person, "minutes": 0, "shifts": 0, "cost": Decimal(0)}
        )
        entry["minutes"] += a.shift_type.paid_minutes
        entry["shifts"] += 1
        entry["cost"] += costs[a.pk]
    result = []
    for person_id, entry in per_person.items():
        person = entry["person"]
        allowance = contract.get(person_id)
        worked = entry["minutes"]
        contract_minutes = allowance if allowance is not None else worked
        overtime = max(0, worked - contract_minutes)
        result.append(
            {
                "person_id": person_id,
                "name": person.name,
                "shifts": entry["shifts"],
                "hours": round(worked / 60, 2),
                "contract_hours": round(contract_minutes / 60, 2),
                "overtime_hours": round(overtime / 60, 2),
                "cost": float(entry["cost"]),
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
    writer = SafeCsvWriter(out)  # names and roles are neutralised if they read as formulas
    writer.writerow(["person_id", "name", "role", *[d.isoformat() for d in grid.days]])
    for person in grid.people:
        row = grid.cells.get(person["id"], {})
        writer.writerow(
            [
                person["id"],
                person["name"],
                person["role"],
                *[row.get(d.isoformat(), {}).get("shift") or "" for d in grid.days],
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


@dataclass(frozen=True)
class RosteredShift:
    unit_id: int
    roster_id: int
    person_id: int
    day: date
    shift_code: str
    paid_minutes: int
    night: bool


def rostered_shifts(*, unit_ids: list[int], start: date, end: date) -> list[RosteredShift]:
    """The shifts of the roster in force on each day of each unit (the newest published roster covering
    the day, else the newest solved one). Two queries."""
    rank = {Roster.Status.PUBLISHED: 0, Roster.Status.SOLVED: 1}
    candidates = (
        Roster.objects.filter(
            department_id__in=unit_ids, start_date__lte=end, end_date__gte=start, status__in=list(rank)
        )
        .order_by("-created_at", "-id")
        .values_list("id", "department_id", "status", "start_date", "end_date")
    )
    by_unit: dict[int, list[tuple]] = defaultdict(list)
    for row in candidates:
        by_unit[row[1]].append(row)
    in_force: dict[tuple[int, date], int] = {}
    for unit_id, rows in by_unit.items():
        for roster_id, _, _, first, last in sorted(rows, key=lambda r: rank[r[2]]):  # stable: newest first
            first_day = max(first, start)
            for offset in range((min(last, end) - first_day).days + 1):
                in_force.setdefault((unit_id, first_day + timedelta(days=offset)), roster_id)
    if not in_force:
        return []
    rows = RosterAssignment.objects.filter(
        roster_id__in=set(in_force.values()), date__range=(start, end)
    ).values_list(
        "roster_id",
        "roster__department_id",
        "person_id",
        "date",
        "shift_type__code",
        "shift_type__paid_minutes",
        "shift_type__is_night",
    )
    return [
        RosteredShift(unit_id, roster_id, person_id, day, code, minutes, night)
        for roster_id, unit_id, person_id, day, code, minutes, night in rows
        if in_force.get((unit_id, day)) == roster_id
    ]


def rostered_hours_by_person_week(*, unit_ids: list[int], mondays: list[date]) -> dict[int, list[float]]:
    """Per person, the paid hours of their shifts in the rosters in force of these units, one figure per
    week (aligned with `mondays`). Two queries."""
    if not mondays:
        return {}
    index = {monday: i for i, monday in enumerate(mondays)}
    hours: dict[int, list[float]] = defaultdict(lambda: [0.0] * len(mondays))
    for shift in rostered_shifts(unit_ids=unit_ids, start=mondays[0], end=mondays[-1] + timedelta(days=6)):
        week = index.get(shift.day - timedelta(days=shift.day.weekday()))
        if week is not None:
            hours[shift.person_id][week] += shift.paid_minutes / 60
    return {person: [round(h, 2) for h in weeks] for person, weeks in hours.items()}


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
