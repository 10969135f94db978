"""What the roster's other views (timeline, list by day) share with the grid: the grid's rows read once
(a fixed number of queries), the people filter applied to them, the view switcher, and the printed weeks."""

from __future__ import annotations

from django.utils.html import format_html_join

from scheduler.models import Roster
from web.views.common import page
from web.views.roster_filters import people_context
from web.views.roster_grid import grid_context

WEEK = 7


def _printed(cell: dict) -> str:
    if cell["code"]:
        return cell["code"] + ("*" if cell["pinned"] else "")
    return cell["leave_letter"] or "·"


def print_weeks(days: list, groups: list[dict]) -> list[dict]:
    """The roster cut into weeks of seven days (the last may be shorter), every shown person in each: what
    the print stylesheet puts on a page each. The cells are joined here: a template loop over every cell
    of a month cost a tenth of the grid page's time."""
    rows = [row for group in groups for row in group["people"]]
    return [
        {
            "days": days[start : start + WEEK],
            "rows": [
                {
                    "name": row["name"],
                    "role": row["role"],
                    "cells_html": format_html_join(
                        "", "<td>{}</td>", ((_printed(c),) for c in row["cells"][start : start + WEEK])
                    ),
                }
                for row in rows
            ],
        }
        for start in range(0, len(days), WEEK)
    ]


def roster_view_context(request, roster: Roster, *, view: str) -> dict:
    context = grid_context(roster, highlight=False, costs=False)
    context["statistics"] = roster.statistics or {}
    context.update(people_context(request.GET, context["rows"], view=view))
    context["roster"] = roster
    context["weeks"] = print_weeks(context["days"], context["people"]["groups"])
    return context


def render_roster_view(request, roster: Roster, template: str, context: dict):
    return page(request, template, context, unit=roster.department, section="rosters")
