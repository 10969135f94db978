"""Reader for the Curtois and Qu (2014) employee shift scheduling text format (schedulingbenchmarks.org).

Maps the benchmark onto `Problem`: CannotFollow -> forbidden successions; MaxShifts (0 = never), total
minutes, consecutive shifts / days off and weekends -> a `Contract` per employee; days off -> absences;
requests -> weighted on/off `ShiftRequest`s; cover -> `Cover` with preferred = requirement, minimum 0, and the
file's under/over weights. Day 0 is a Monday (2024-01-01 is used). No history: benchmark boundary semantics
apply.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..domain import Absence, Contract, Cover, Person, Problem, ShiftRequest, ShiftType

START = dt.date(2024, 1, 1)  # a Monday


def _sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            current = sections.setdefault(line, [])
        elif not line:
            current = None
        elif current is not None:
            current.append(line)
    return sections


def read_curtois(path: str | Path) -> Problem:
    path = Path(path)
    return parse_curtois(path.read_text(), name=path.stem)


def parse_curtois(text: str, *, name: str = "") -> Problem:
    sec = _sections(text)
    horizon = int(sec["SECTION_HORIZON"][0].split(",")[0])
    shifts, successions = [], set()
    for line in sec["SECTION_SHIFTS"]:
        sid, length, follow = (line.split(",") + [""])[:3]
        shifts.append(ShiftType(id=sid, length_minutes=int(length)))
        successions.update((sid, other) for other in follow.split("|") if other)
    staff = []
    for line in sec["SECTION_STAFF"]:
        pid, max_shifts, max_min, min_min, max_cons, min_cons, min_off, max_we = line.split(",")[:8]
        limits = {}
        for item in max_shifts.split("|"):
            if item:
                sid, value = item.split("=")
                limits[sid] = int(value)
        contract = Contract(
            id=f"{pid}",
            max_shifts_per_type=limits,
            max_total_minutes=int(max_min),
            min_total_minutes=int(min_min),
            max_consecutive_shifts=int(max_cons),
            min_consecutive_shifts=int(min_cons),
            min_consecutive_days_off=int(min_off),
            max_weekends=int(max_we),
        )
        staff.append(Person(id=pid, contract=contract))
    absences = []
    for line in sec.get("SECTION_DAYS_OFF", []):
        fields = [f for f in line.split(",") if f != ""]
        absences.extend(Absence(person=fields[0], day=int(d)) for d in fields[1:])
    requests = []
    for key, on in (("SECTION_SHIFT_ON_REQUESTS", True), ("SECTION_SHIFT_OFF_REQUESTS", False)):
        for line in sec.get(key, []):
            pid, day, sid, weight = line.split(",")[:4]
            requests.append(ShiftRequest(person=pid, day=int(day), shift=sid, weight=int(weight), on=on))
    cover = []
    for line in sec.get("SECTION_COVER", []):
        day, sid, req, under, over = line.split(",")[:5]
        cover.append(
            Cover(day=int(day), shift=sid, preferred=int(req), weight_under=int(under), weight_over=int(over))
        )
    return Problem(
        start_date=START,
        num_days=horizon,
        shift_types=tuple(shifts),
        staff=tuple(staff),
        cover=tuple(cover),
        requests=tuple(requests),
        absences=tuple(absences),
        forbidden_successions=frozenset(successions),
        name=name,
    )


def roster_to_json(problem: Problem, roster: dict, objective: int | None) -> dict:
    return {
        "instance": problem.name,
        "objective": objective,
        "roster": {p.id: list(roster[p.id]) for p in problem.staff},
    }
