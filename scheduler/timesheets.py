"""Hours actually worked: the timesheet upload (all or nothing, naming every bad row) and the reads that
set them beside the roster ("not yet recorded": rostered, no actual; "unplanned": actual, not rostered).
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import transaction

from capacity.models import Department, Person
from ops import audit
from ops.cache import bump
from ops.errors import ApplicationError
from ops.planning_window import OutsidePlanningWindow, check_planning_date
from scheduler.models import RosterAssignment, TimesheetEntry
from scheduler.selectors import rostered_shifts, shift_types_for_unit

MAX_TIMESHEET_ROWS = 5000
MAX_RANGE_DAYS = 366
MINUTES_PER_DAY = 24 * 60


def worked_minutes(start: time, end: time, break_minutes: int) -> int:
    """Minutes from start to end (an end before the start is on the next day), less the break."""
    span = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return (span if span > 0 else span + MINUTES_PER_DAY) - break_minutes


def _time(raw, field: str, row: int, errors: list) -> time | None:
    try:
        return raw if isinstance(raw, time) else datetime.strptime(str(raw).strip(), "%H:%M").time()
    except (TypeError, ValueError):
        errors.append({"row": row, "field": field, "error": f"not a time as HH:MM: {raw!r}"})
        return None


def _date(raw, row: int, errors: list) -> date | None:
    try:
        day = raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip())
    except (TypeError, ValueError):
        errors.append({"row": row, "field": "date", "error": f"not an ISO date: {raw!r}"})
        return None
    try:
        return check_planning_date(day)
    except OutsidePlanningWindow as exc:
        errors.append({"row": row, "field": "date", "error": str(exc)})
        return None


def _blank(value) -> bool:
    return value is None or str(value).strip() == ""


def _shift_end(shift) -> time:
    minute = (shift.start_time.hour * 60 + shift.start_time.minute + shift.duration_minutes) % MINUTES_PER_DAY
    return time(minute // 60, minute % 60)


def _people_by_key(unit: Department, rows: list[dict]) -> dict[str, int]:
    """People an upload may name, by id and by email: the unit's own, and anyone rostered in it."""
    ids = {str(r.get("person", "")).strip() for r in rows}
    emails = {i.lower() for i in ids if "@" in i}
    numbers = {int(i) for i in ids if i.isascii() and i.isdigit() and len(i) < 19}
    rostered = RosterAssignment.objects.filter(roster__department=unit).values("person_id")
    people = Person.objects.filter(department=unit) | Person.objects.filter(pk__in=rostered)
    found: dict[str, int] = {}
    for pk in people.filter(pk__in=numbers).values_list("pk", flat=True):
        found[str(pk)] = pk
    if emails:
        for pk, email in people.filter(email__in=emails).values_list("pk", "email"):
            found[email.lower()] = pk
    return found


@transaction.atomic
def timesheet_upload(
    *, unit: Department, rows: list[dict], source: str = TimesheetEntry.Source.IMPORT
) -> dict:
    """Insert or replace timesheet rows of a unit (a row with the same person, date and start replaces
    the stored one). All or nothing: any bad row rejects the upload, and every bad row is named."""
    if len(rows) > MAX_TIMESHEET_ROWS:
        raise ApplicationError(
            f"At most {MAX_TIMESHEET_ROWS} rows per upload",
            extra={"limit": MAX_TIMESHEET_ROWS, "rows": len(rows)},
            status=413,
        )
    if not rows:
        raise ApplicationError("The upload has no rows", extra={"rows": 0})
    if source not in TimesheetEntry.Source.values:
        raise ApplicationError(f"Unknown source {source!r}", extra={"allowed": TimesheetEntry.Source.values})
    people = _people_by_key(unit, rows)
    shifts = {s.code: s for s in shift_types_for_unit(unit)}
    errors: list[dict] = []
    seen: dict[tuple, int] = {}
    parsed: list[TimesheetEntry] = []
    for index, row in enumerate(rows, start=1):
        before = len(errors)
        key = str(row.get("person", "")).strip()
        person_id = people.get(key.lower() if "@" in key else key)
        if person_id is None:
            errors.append(
                {"row": index, "field": "person", "error": f"no person {key!r} in this unit or its rosters"}
            )
        day = _date(row.get("date"), index, errors)
        code = str(row.get("shift") or "").strip()
        shift = shifts.get(code) if code else None
        if code and shift is None:
            errors.append(
                {
                    "row": index,
                    "field": "shift",
                    "error": f"no shift {code!r}; known: {', '.join(sorted(shifts))}",
                }
            )
        raw_break = row.get("break_minutes")
        if shift is not None and _blank(row.get("start")) and _blank(row.get("end")):
            # a shift named without times was worked as rostered: its times, its unpaid break
            start, end = shift.start_time, _shift_end(shift)
            default_break = shift.duration_minutes - shift.paid_minutes
        else:
            start = _time(row.get("start"), "start", index, errors)
            end = _time(row.get("end"), "end", index, errors)
            default_break = 0
        try:
            break_minutes = int(str(raw_break).strip()) if not _blank(raw_break) else default_break
            if break_minutes < 0:
                raise ValueError
        except ValueError:
            errors.append(
                {"row": index, "field": "break_minutes", "error": f"not minutes >= 0: {raw_break!r}"}
            )
            break_minutes = 0
        if start is not None and end is not None:
            if start == end:
                errors.append({"row": index, "field": "end", "error": "the end equals the start"})
            elif worked_minutes(start, end, break_minutes) <= 0:
                errors.append(
                    {"row": index, "field": "break_minutes", "error": "the break is the whole shift"}
                )
        if len(errors) > before:
            continue
        identity = (person_id, day, start)
        if identity in seen:
            errors.append(
                {
                    "row": index,
                    "field": "start",
                    "error": f"duplicate of row {seen[identity]} (person, date, start)",
                }
            )
            continue
        seen[identity] = index
        parsed.append(
            TimesheetEntry(
                department=unit,
                person_id=person_id,
                date=day,
                start=start,
                end=end,
                break_minutes=break_minutes,
                worked_minutes=worked_minutes(start, end, break_minutes),
                shift_type=shift,
                source=source,
            )
        )
    if errors:
        raise ApplicationError(
            f"{len(errors)} row(s) rejected; nothing was written", extra={"errors": errors[:100]}
        )
    existing = TimesheetEntry.objects.filter(
        person_id__in={e.person_id for e in parsed}, date__in={e.date for e in parsed}
    ).values_list("person_id", "date", "start")
    replaced = len(set(existing) & set(seen))
    TimesheetEntry.objects.bulk_create(
        parsed,
        update_conflicts=True,
        unique_fields=["person", "date", "start"],
        update_fields=["department", "end", "break_minutes", "worked_minutes", "shift_type", "source"],
        batch_size=1000,
    )
    # one entry per upload (an import may hold thousands of rows): what it wrote, over which dates
    audit.record(
        action="timesheet_upload",
        object_type="scheduler.timesheetentry",
        object_id=unit.pk,
        department_id=unit.pk,
        after={
            "source": source,
            "inserted": len(parsed) - replaced,
            "replaced": replaced,
            "first_date": min(e.date for e in parsed),
            "last_date": max(e.date for e in parsed),
        },
    )
    bump("capacity")  # the labour reports read actuals
    return {"inserted": len(parsed) - replaced, "replaced": replaced}


# --- reads ----------------------------------------------------------------------------------------------


def check_range(start: date, end: date) -> None:
    if end < start:
        raise ApplicationError(
            "end is before start", extra={"start": start.isoformat(), "end": end.isoformat()}
        )
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ApplicationError(
            f"At most {MAX_RANGE_DAYS} days at once", extra={"limit": MAX_RANGE_DAYS}, status=413
        )


def unit_actuals(*, unit: Department, start: date, end: date) -> dict:
    """The unit's timesheet rows from start to end, each marked planned or unplanned, and the rostered
    shifts with no actual ("not yet recorded"). Four queries."""
    check_range(start, end)
    rostered = rostered_shifts(unit_ids=[unit.pk], start=start, end=end)
    entries = list(
        TimesheetEntry.objects.filter(department=unit, date__range=(start, end))
        .select_related("person", "shift_type")
        .order_by("date", "start", "person_id")
    )
    planned = {(r.person_id, r.day): r for r in rostered}
    recorded = {(e.person_id, e.date) for e in entries}
    names = {e.person_id: e.person.name for e in entries}
    missing = [r for r in rostered if (r.person_id, r.day) not in recorded]
    if missing:
        names |= dict(Person.objects.filter(pk__in={r.person_id for r in missing}).values_list("pk", "name"))
    return {
        "unit": unit.pk,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "actuals": [
            {
                "id": e.pk,
                "person": e.person_id,
                "name": e.person.name,
                "date": e.date.isoformat(),
                "start": e.start.strftime("%H:%M"),
                "end": e.end.strftime("%H:%M"),
                "break_minutes": e.break_minutes,
                "hours": round(e.worked_minutes / 60, 2),
                "shift": e.shift_type.code if e.shift_type_id else None,
                "rostered_shift": planned[(e.person_id, e.date)].shift_code
                if (e.person_id, e.date) in planned
                else None,
                "source": e.source,
                "unplanned": (e.person_id, e.date) not in planned,
            }
            for e in entries
        ],
        "not_yet_recorded": [
            {
                "person": r.person_id,
                "name": names.get(r.person_id, ""),
                "date": r.day.isoformat(),
                "shift": r.shift_code,
                "roster": r.roster_id,
                "hours": round(r.paid_minutes / 60, 2),
            }
            for r in sorted(missing, key=lambda r: (r.day, r.person_id))
        ],
    }
