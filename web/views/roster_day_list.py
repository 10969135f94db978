"""The roster as a list by day (`/rosters/{id}/?view=list`): for each day, who works which shift (with its
real times) and who is on leave, the people filtered, sorted and grouped as in the grid. It is what a phone
shows: one column, no table to scroll sideways."""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler.models import Roster
from web.views.roster_views import render_roster_view, roster_view_context


def _shift_times(shift: dict) -> str:
    start = datetime.strptime(shift["start"], "%H:%M")
    end = start + timedelta(minutes=shift["minutes"])
    return f"{start:%H:%M}–{end:%H:%M}" + (" (next day)" if end.date() > start.date() else "")


def day_list(days: list, groups: list[dict], shift_types: list[dict]) -> list[dict]:
    """Per day: each shift type with the shown people on it, in the filter's groups and order, then
    leave."""
    result = []
    for index, day in enumerate(days):
        on_shift: dict[str, list[dict]] = {s["code"]: [] for s in shift_types}
        leave = []
        for group in groups:
            for row in group["people"]:
                cell = row["cells"][index]
                entry = {"row": row, "cell": cell, "group": group["label"]}
                if cell["code"] in on_shift:
                    on_shift[cell["code"]].append(entry)
                elif cell["leave"]:
                    leave.append(entry)
        result.append(
            {
                "day": day,
                "weekend": day.weekday() >= 5,
                "shifts": [
                    {**s, "times": _shift_times(s), "people": on_shift[s["code"]]} for s in shift_types
                ],
                "leave": leave,
            }
        )
    return result


def roster_day_list(request, roster: Roster):
    context = roster_view_context(request, roster, view="list")
    context["day_list"] = day_list(context["days"], context["people"]["groups"], context["shift_types"])
    return render_roster_view(request, roster, "web/rosters/day_list.html", context)
