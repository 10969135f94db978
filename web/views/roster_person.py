"""One person across a roster (`/rosters/{id}/people/{person_id}/`): week by week their shifts with real
times, leave, requests and whether the roster grants them, hours against the contract, nights and weekends,
and every penalty and hard-rule breach the roster's stored explanation puts on them, in plain words.

It reads the same grid as the roster page (a fixed number of queries, whatever the unit's size)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404

from scheduler.rule_text import CURRENCY, rule_means, rule_name, rule_unit
from web.views.roster_filters import PeopleFilter
from web.views.roster_grid import LEAVE_LABEL, UNMARKED_TERMS, grid_context
from web.views.roster_views import WEEK, render_roster_view
from web.views.rosters import _roster_for


def _times(day, shift: dict) -> dict:
    start = datetime.combine(day, datetime.min.time()) + timedelta(
        hours=int(shift["start"][:2]), minutes=int(shift["start"][3:])
    )
    end = start + timedelta(minutes=shift["minutes"])
    return {"start": start, "end": end, "overnight": end.date() > day}


def person_weeks(row: dict, days: list, shifts: dict[str, dict]) -> list[dict]:
    """The person's roster cut into weeks of seven days: per day the cell and its shift's times, per week
    paid hours against the contract's share of those days, nights and whether a weekend day was worked."""
    weekly_contract = row.get("contract_minutes_per_week")
    weeks = []
    for start in range(0, len(days), WEEK):
        entries, minutes, nights, weekend_days = [], 0, 0, 0
        for day, cell in zip(days[start : start + WEEK], row["cells"][start : start + WEEK], strict=True):
            shift = shifts.get(cell["code"])
            entry = {"day": day, "cell": cell, "shift": shift, "weekend": day.weekday() >= 5}
            if shift is not None:
                entry.update(_times(day, shift))
                minutes += shift["paid_minutes"]
                nights += int(shift["night"])
                weekend_days += int(day.weekday() >= 5)
            entries.append(entry)
        contract = (
            round(weekly_contract * len(entries) / WEEK / 60, 1) if weekly_contract is not None else None
        )
        hours = round(minutes / 60, 1)
        weeks.append(
            {
                "first": entries[0]["day"],
                "days": entries,
                "hours": hours,
                "contract": contract,
                "difference": round(hours - contract, 1) if contract is not None else None,
                "nights": nights,
                "weekend_days": weekend_days,
                "shifts": sum(1 for e in entries if e["shift"] is not None),
            }
        )
    return weeks


def person_penalties(statistics: dict, person_id: int) -> list[dict]:
    """The stored explanation's breaches and penalties that fall on this person, in plain words."""
    result = []
    for kind, items in (
        ("breach", statistics.get("violations") or []),
        ("penalty", statistics.get("penalties") or []),
    ):
        for item in items:
            if item.get("person") != person_id or item.get("rule") in UNMARKED_TERMS:
                continue
            result.append(
                {
                    "kind": kind,
                    "rule": item["rule"],
                    "name": rule_name(item["rule"]),
                    "means": rule_means(item["rule"]),
                    "date": date.fromisoformat(item["date"]) if item.get("date") else None,
                    "shift": item.get("shift"),
                    "amount": item.get("amount", 0),
                    "unit": "currency" if rule_unit(item["rule"]) == CURRENCY else "points",
                    "detail": item.get("detail") or "",
                }
            )
    return sorted(result, key=lambda p: (p["kind"] != "breach", p["date"] or date.min, p["rule"]))


def _requests(weeks: list[dict]) -> list[dict]:
    return [
        {"day": e["day"], **e["cell"]["request"], "worked": e["cell"]["code"] or None}
        for w in weeks
        for e in w["days"]
        if e["cell"]["request"]
    ]


@login_required
def roster_person(request, roster_id: int, person_id: int):
    roster = _roster_for(request, roster_id)
    context = grid_context(roster, highlight=False)
    row = next((r for r in context["rows"] if r["id"] == person_id), None)
    if row is None:
        raise Http404("No such person in this roster")
    shifts = {s["code"]: s for s in context["shift_types"]}
    weeks = person_weeks(row, context["days"], shifts)
    leave_days = [e for w in weeks for e in w["days"] if e["cell"]["leave"]]
    penalties = person_penalties(roster.statistics or {}, person_id)
    # The way back keeps the view and filter the planner came from, with this person highlighted.
    back_state = PeopleFilter.from_query(request.GET).query(highlight=person_id)
    context.update(
        {
            "roster": roster,
            "person": row,
            "weeks": weeks,
            "leave_days": leave_days,
            "leave_label": LEAVE_LABEL,
            "requests": _requests(weeks),
            "penalties": penalties,
            "penalty_points": sum(p["amount"] for p in penalties if p["unit"] == "points"),
            "breaches": sum(1 for p in penalties if p["kind"] == "breach"),
            "back_query": back_state,
            "view": request.GET.get("view", "") if request.GET.get("view") in ("timeline", "list") else "",
        }
    )
    return render_roster_view(request, roster, "web/rosters/person.html", context)
