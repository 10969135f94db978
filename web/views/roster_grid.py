"""The roster grid's context: cells with their shift, lock, leave, request, override, solver marks and diff
highlight; per person hours against contract and skills; cover rows; penalty tables in plain words; the
version's edit history. Shared by the roster page and any view that draws the same grid."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings

from ops.etags import version_etag
from scheduler.models import Roster, RosterEdit
from scheduler.roster_diff import roster_diff
from scheduler.rule_text import CURRENCY, rule_means, rule_name, rule_unit
from scheduler.selectors import roster_cover, roster_fairness, roster_grid, roster_hours_and_cost
from scheduler.services.roster_edits import edit_summary

SHIFT_PALETTE = 6  # colour classes shift-0 .. shift-5, always shown with the code itself
# Terms priced on every assignment (the wage bill) rather than rules a cell can break, and the re-solve's
# change cost (the diff highlight shows those cells in its own style): not marked as penalties on cells.
UNMARKED_TERMS = frozenset({"labour_cost", "change_from_reference"})
LEAVE_LETTER = {"annual": "A", "sick": "S", "training": "T", "unavailable": "U"}
LEAVE_LABEL = {
    "annual": "annual leave",
    "sick": "sick leave",
    "training": "training",
    "unavailable": "unavailable",
}
EDIT_HISTORY_SHOWN = 8


def roster_etag(roster: Roster) -> str:
    return version_etag("roster", roster.pk, roster.etag_version)


def _marks_by_cell(statistics: dict) -> dict[tuple[int, str], list[dict]]:
    """(person id, ISO date) -> the penalties and hard-rule breaches the solver reported on that cell."""
    marks: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for kind, items in (
        ("breach", statistics.get("violations", [])),
        ("penalty", statistics.get("penalties", [])),
    ):
        for item in items:
            if item.get("rule") in UNMARKED_TERMS:
                continue
            if isinstance(item.get("person"), int) and item.get("date"):
                marks[(item["person"], item["date"])].append({"kind": kind, **item})
    return marks


def _mark_text(mark: dict) -> str:
    name = rule_name(mark["rule"])
    if mark["kind"] == "breach":
        return f"Breaks: {name}"
    unit = "" if rule_unit(mark["rule"]) == CURRENCY else " points"
    return f"Penalty: {name} ({mark.get('amount', 0)}{unit})"


def _request_text(request: dict) -> str:
    what = request["shift"] or ("a shift" if request["kind"] == "on" else "the day")
    asked = f"asked to work {what}" if request["kind"] == "on" else f"asked to be off ({what})"
    return f"{asked}, weight {request['weight']}: {'granted' if request['granted'] else 'not granted'}"


def _skills_text(skills: list[dict]) -> str:
    if not skills:
        return "No skills recorded"
    return "Skills: " + ", ".join(
        s["name"] + (f" (certified until {s['certified_until']})" if s["certified_until"] else "")
        for s in skills
    )


def _diff_cells(roster: Roster, against: Roster | None) -> tuple[dict[tuple[int, str], str | None], str]:
    """(person, date) -> the shift it had before; and what the highlight compares with."""
    if against is not None:
        diff = roster_diff(roster=roster, against=against)
        label = f"version {against.version}" if against.version != roster.version else f"roster {against.pk}"
        return {(c["person"], c["date"]): c["against_shift"] for c in diff["cells"]}, label
    changed = (roster.statistics or {}).get("changed_cells") or []
    return {(c["person"], c["date"]): c["before"] for c in changed}, "the roster before the last re-solve"


def grid_context(
    roster: Roster, *, against: Roster | None = None, highlight: bool = True, costs: bool = True
) -> dict:
    """`costs=False` leaves out the wage bill and the fairness counts (about half the time of a month's
    grid), for views that show neither."""
    grid = roster_grid(roster=roster)
    palette = {s["code"]: i % SHIFT_PALETTE for i, s in enumerate(grid.shift_types)}
    marks = _marks_by_cell(roster.statistics or {})
    hours = {row["person_id"]: row for row in roster_hours_and_cost(roster=roster)} if costs else {}
    fairness = {row["person_id"]: row for row in roster_fairness(roster=roster)["people"]} if costs else {}
    diff, diff_label = _diff_cells(roster, against) if highlight else ({}, "")
    day_keys = [d.isoformat() for d in grid.days]
    rows = []
    for person in grid.people:
        row_cells = grid.cells.get(person["id"], {})
        cells = []
        for day, key in zip(grid.days, day_keys, strict=True):
            cell = row_cells.get(key) or {}
            code = cell.get("shift") or ""
            cell_marks = marks.get((person["id"], key), [])
            notes = [_mark_text(m) for m in cell_marks]
            if cell.get("leave"):
                notes.insert(0, "On " + LEAVE_LABEL[cell["leave"]])
            if cell.get("request"):
                notes.append(_request_text(cell["request"]))
            if cell.get("override"):
                notes.append(f"Kept against a hard rule: {cell['override']}")
            changed = (person["id"], key) in diff
            if changed:
                notes.append(f"Changed: was {diff[(person['id'], key)] or 'off'}")
            cells.append(
                {
                    "date": key,
                    "day": day,
                    "code": code,
                    "pinned": bool(cell.get("pinned")),
                    "colour": palette.get(code) if code else None,
                    "breach": any(m["kind"] == "breach" for m in cell_marks),
                    "penalty": any(m["kind"] == "penalty" for m in cell_marks),
                    "leave": cell.get("leave"),
                    "leave_letter": LEAVE_LETTER.get(cell.get("leave") or ""),
                    "request": cell.get("request"),
                    "override": cell.get("override"),
                    "changed": changed,
                    "rules": "; ".join(notes),
                    "weekend": day.weekday() >= 5,
                }
            )
        rows.append(
            {
                **person,
                "cells": cells,
                "skills_text": _skills_text(person["skills"]),
                "cost": hours.get(person["id"]),
                "fairness": fairness.get(person["id"]),
            }
        )
    cover = {(c["date"], c["shift"]): c for c in roster_cover(roster=roster)}
    cover_rows = [
        {
            "shift": s,
            "colour": palette[s["code"]],
            "days": [cover.get((key, s["code"])) for key in day_keys],
        }
        for s in grid.shift_types
    ]
    totals = {
        "hours": round(
            sum(h["hours"] for h in hours.values()) if costs else sum(p["hours"] for p in grid.people), 1
        ),
        "cost": round(sum(h["cost"] for h in hours.values()), 2),
        "overtime": round(sum(h["overtime_hours"] for h in hours.values()), 1),
        "shortfall": sum(c["shortfall"] for c in cover.values()),
    }
    return {
        "days": grid.days,
        "rows": rows,
        "shift_types": [{**s, "colour": palette[s["code"]]} for s in grid.shift_types],
        "cover_rows": cover_rows,
        "totals": totals,
        "diff_count": len(diff),
        "diff_label": diff_label,
        "etag": roster_etag(roster),
        "hours_flag_percent": settings.ROSTER_HOURS_FLAG_PERCENT,
    }


def penalty_rows(statistics: dict) -> list[dict]:
    """The penalties-by-rule table in plain words, with the unit of each amount."""
    return [
        {
            "rule": rule,
            "name": rule_name(rule),
            "means": rule_means(rule),
            "amount": amount,
            "unit": "currency" if rule_unit(rule) == CURRENCY else "points",
        }
        for rule, amount in (statistics.get("penalties_by_rule") or {}).items()
    ]


def edit_history(roster: Roster) -> dict:
    edits = list(roster.edits.select_related("actor").order_by("-at", "-id")[:EDIT_HISTORY_SHOWN])
    undoable = roster.edits.filter(undone_by__isnull=True).exclude(action=RosterEdit.Action.UNDO).exists()
    return {
        "edits": [
            {
                "summary": edit_summary(e),
                "actor": e.actor.get_username() if e.actor else "",
                "at": e.at,
                "undone": e.undone_by_id is not None,
                "override_reason": e.override_reason,
            }
            for e in edits
        ],
        "undoable": undoable,
    }
