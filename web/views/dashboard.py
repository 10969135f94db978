"""The manager dashboard: cover and fill rate this week and next, open shifts, hours, cost and overtime,
the utilisation heatmap, role capacity and forecast against actual demand.

Every part is read through ops.cache in the namespace its data lives in ("roster", "capacity",
"forecast"), so a write anywhere bumps exactly the parts it changes; each part records when it was
computed and the page shows the oldest as "as of"."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from capacity.aggregates.heatmap import heatmap
from capacity.aggregates.role_capacity import role_capacity
from forecasting.selectors import actual_and_forecast_by_day
from ops.cache import cached
from scheduler.labour_variance import CAUSES, labour_variance
from scheduler.selectors import roster_figures_by_unit, rostered_hours_by_person_week
from web.access import unit_for, visible_units
from web.charts import Band, Line, hbar_chart, line_chart
from web.views.common import page, this_monday

TTL_S = 300
HEATMAP_WEEKS = 8
ROLE_WEEKS = 12
HISTORY_DAYS = 56
FORECAST_DAYS = 28
VARIANCE_PAST_WEEKS = 4  # the weeks with actuals beside this one and the next three
VARIANCE_WEEKS = 8


def _now() -> str:
    return timezone.now().isoformat()


def _roster_figures(unit_ids: list[int], monday) -> dict:
    return {"as_of": _now(), "units": roster_figures_by_unit(unit_ids=unit_ids, monday=monday)}


def _capacity_figures(unit_ids: list[int], monday) -> dict:
    mondays = [monday + timedelta(weeks=i) for i in range(HEATMAP_WEEKS)]
    return {
        "as_of": _now(),
        "heatmap": heatmap(department_ids=unit_ids, first_week=monday, weeks=HEATMAP_WEEKS),
        # utilisation counts rostered shifts beside project hours (the heatmap aggregate holds projects)
        "rostered": {
            str(person): hours
            for person, hours in rostered_hours_by_person_week(unit_ids=unit_ids, mondays=mondays).items()
        },
        "roles": role_capacity(
            department_ids=unit_ids, first_week=monday - timedelta(weeks=4), weeks=ROLE_WEEKS
        ),
    }


def _forecast_figures(unit_ids: list[int], today) -> dict:
    first, last = today - timedelta(days=HISTORY_DAYS), today + timedelta(days=FORECAST_DAYS)
    return {
        "as_of": _now(),
        "first": first.isoformat(),
        "last": last.isoformat(),
        "series": actual_and_forecast_by_day(unit_ids=unit_ids, first=first, today=today, last=last),
    }


def week_label(key: str) -> str:
    """A week as a date a reader knows ("3 Mar"), from its Monday's ISO key."""
    return datetime.fromisoformat(key).strftime("%-d %b")


def _variance(unit_ids: list[int], monday, unit=None) -> dict:
    """Budget, rostered and actual cost per week over the units in view, with the causes of actual minus
    rostered: the chart's lines and the table beside it. The report is cached (scheduler.labour_variance)."""
    first = monday - timedelta(weeks=VARIANCE_PAST_WEEKS)
    report = labour_variance(department_ids=unit_ids, first_week=first, weeks=VARIANCE_WEEKS)
    weeks = []
    for i, key in enumerate(report["weekKeys"]):
        rows = [unit["weeks"][i] for unit in report["units"]]
        budgets = [r["budget"]["cost"] for r in rows if r["budget"]["cost"] is not None]
        weeks.append(
            {
                "key": key,
                "label": week_label(key),
                "complete": rows[0]["complete"] if rows else False,
                "budget": round(sum(budgets), 2) if budgets else None,
                "rostered": round(sum(r["rostered"]["cost"] for r in rows), 2),
                "actual": round(sum(r["actual"]["cost"] for r in rows), 2),
                "variance": round(sum(r["variance"]["cost"] for r in rows), 2),
                "causes": {
                    c: round(sum(r["variance"]["causes"][c]["cost"] for r in rows), 2) for c in CAUSES
                },
            }
        )
    now_index = next((i for i, w in enumerate(weeks) if w["key"] == monday.isoformat()), None)
    chart = line_chart(
        ident="variance",
        title="Labour cost per week: budget, rostered and actual",
        labels=[w["label"] for w in weeks],
        lines=[
            Line("Budget", [w["budget"] for w in weeks], "dashed"),
            Line("Rostered", [w["rostered"] for w in weeks]),
            # actuals exist for the weeks already worked only
            Line("Actual", [w["actual"] if w["complete"] else None for w in weeks], "dotted"),
        ],
        marker_at=now_index,
        height=200,
    )
    return {
        "chart": chart,
        "weeks": weeks,
        "causes": CAUSES,
        # the same report as CSV from the API (every unit you may read, or the one in view)
        "csv_query": (f"department={unit.id}&" if unit else "")
        + f"start={first.isoformat()}&weeks={VARIANCE_WEEKS}",
    }


def _charts(roster_part: dict, capacity_part: dict, forecast_part: dict, units, today) -> dict:
    names = {str(u.id): u.name for u in units}
    unit_ids = [str(u.id) for u in units]
    fill = hbar_chart(
        ident="fill",
        title="Fill rate of minimum cover, this week and next (%)",
        labels=[names[u] for u in unit_ids],
        groups=[
            Line(label, [roster_part["units"][u]["weeks"][i]["fill_rate"] for u in unit_ids], style=style)
            for i, (label, style) in enumerate((("This week", "solid"), ("Next week", "hatched")))
        ],
        top=100,
        unit="%",
    )
    role_charts = []
    roles = capacity_part["roles"]
    labels = [week_label(k) for k in roles["weekKeys"]]
    now_index = next(
        (i for i, k in enumerate(roles["weekKeys"]) if k == this_monday(today).isoformat()), None
    )
    for series in roles["series"]:
        if not any(series["capacity"]) and not any(series["assigned"]):
            continue
        role_charts.append(
            {
                "name": series["roleName"],
                "svg": line_chart(
                    ident=f"role-{series['roleId']}",
                    title=f"{series['roleName']}: assigned against capacity (hours per week)",
                    labels=labels,
                    lines=[
                        Line("Capacity", series["capacity"], "dashed"),
                        Line("Assigned", series["assigned"]),
                    ],
                    marker_at=now_index,
                    height=180,
                ),
            }
        )
    forecast_charts = []
    first = datetime.fromisoformat(forecast_part["first"]).date()
    last = datetime.fromisoformat(forecast_part["last"]).date()
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    keys = [d.isoformat() for d in days]
    for s in forecast_part["series"]:
        fc = s["forecast"]
        forecast_charts.append(
            {
                "name": f"{s['unit']} · {s['metric']}",
                "model": s["model"],
                "id": s["id"],
                "svg": line_chart(
                    ident=f"fc-{s['id']}",
                    title=f"{s['unit']} {s['metric']}: actual against forecast",
                    labels=[d.strftime("%d %b") for d in days],
                    lines=[
                        Line("Actual", [s["actual"].get(k) for k in keys]),
                        Line("Forecast", [fc[k][0] if k in fc else None for k in keys], "dashed"),
                    ],
                    band=Band(
                        "Forecast interval",
                        [fc[k][1] if k in fc else None for k in keys],
                        [fc[k][2] if k in fc else None for k in keys],
                    ),
                    marker_at=keys.index(today.isoformat()) if today.isoformat() in keys else None,
                    height=180,
                ),
            }
        )
    return {"fill_chart": fill, "role_charts": role_charts, "forecast_charts": forecast_charts}


@login_required
def dashboard(request):
    units = visible_units(request.user)
    unit = unit_for(request.user, int(request.GET["unit"])) if request.GET.get("unit", "").isdigit() else None
    scope = [unit] if unit else units
    unit_ids = sorted(u.id for u in scope)
    today = timezone.localdate()
    monday = this_monday(today)
    key = [unit_ids, monday.isoformat()]
    roster_part = cached("roster", ["web-dashboard", *key], TTL_S, lambda: _roster_figures(unit_ids, monday))
    capacity_part = cached(
        "capacity",
        ["web-dashboard", *key],
        TTL_S,
        lambda: _capacity_figures(unit_ids, monday),
        also=("roster",),
    )
    forecast_part = cached(
        "forecast",
        ["web-dashboard", unit_ids, today.isoformat()],
        TTL_S,
        lambda: _forecast_figures(unit_ids, today),
    )
    as_of = min(parse_datetime(p["as_of"]) for p in (roster_part, capacity_part, forecast_part))
    hm = capacity_part["heatmap"]
    units_rows = [{"unit": u, **roster_part["units"][str(u.id)]} for u in scope]
    totals = defaultdict(float)
    for row in units_rows:
        for i, w in enumerate(row["weeks"]):
            totals[f"required{i}"] += w["required"]
            totals[f"filled{i}"] += w["filled"]
            totals[f"open{i}"] += w["open"]
        if row["roster"]:
            for k in ("hours", "contract_hours", "overtime_hours", "cost"):
                totals[k] += row["roster"][k]
    for i in (0, 1):
        totals[f"fill{i}"] = (
            round(100 * totals[f"filled{i}"] / totals[f"required{i}"], 1) if totals[f"required{i}"] else None
        )
    return page(
        request,
        "web/dashboard.html",
        {
            "scope_unit": unit,
            "as_of": as_of,
            "units_rows": units_rows,
            "totals": dict(totals),
            "variance": _variance(unit_ids, monday, unit) if unit_ids else None,
            "heatmap": {
                "weeks": [week_label(k) for k in hm["weekKeys"]],
                "people": [
                    {
                        "name": p["name"],
                        "role": p["roleName"],
                        "cells": [
                            {"week": k, "percent": percent, "band": _band(percent)}
                            for k, percent in zip(
                                hm["weekKeys"],
                                _utilisation(
                                    p, capacity_part["rostered"].get(str(p["personId"])), hm["weekKeys"]
                                ),
                                strict=True,
                            )
                        ],
                    }
                    for p in hm["people"]
                ],
            },
            **_charts(roster_part, capacity_part, forecast_part, scope, today),
        },
        unit=unit,
        section="dashboard",
    )


def _utilisation(person: dict, rostered: list[float] | None, keys: list[str]) -> list[float | None]:
    """Per week, project hours plus rostered shift hours as a percentage of capacity (None without it)."""
    if not rostered:
        return _aligned(person["percentByWeek"], keys)
    assigned = _aligned(person["assignedByWeek"], keys)
    capacity = _aligned(person["capacityByWeek"], keys)
    return [
        round(100 * ((a or 0) + r) / c, 1) if c else None
        for a, r, c in zip(assigned, rostered, capacity, strict=True)
    ]


def _aligned(values, keys: list[str]) -> list:
    """A per-week figure as a list aligned with the weeks (the aggregate once keyed them by week)."""
    return [values.get(k) for k in keys] if isinstance(values, dict) else list(values)


def _band(percent: float | None) -> str:
    if percent is None:
        return "none"
    if percent > 100:
        return "over"
    if percent >= 85:
        return "high"
    if percent >= 50:
        return "mid"
    return "low"
