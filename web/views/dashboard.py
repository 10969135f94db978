"""The manager dashboard: cover and fill rate this week and next, open shifts, hours, cost and overtime,
the utilisation heatmap, role capacity and forecast against actual demand.

Every part is read through ops.cache in the namespace its data lives in ("roster", "capacity",
"forecast"), so a write anywhere bumps exactly the parts it changes; each part records when it was
computed and the page shows the oldest as "as of"."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from capacity.aggregates.heatmap import heatmap
from capacity.aggregates.role_capacity import role_capacity
from forecasting.models import DemandObservation, DemandSeries, ForecastModel, ForecastPoint
from ops.cache import cached
from scheduler.models import Roster
from scheduler.selectors import roster_cover, roster_hours_and_cost
from web.access import unit_for, visible_units
from web.charts import Band, Line, hbar_chart, line_chart
from web.views.common import page, this_monday

TTL_S = 300
HEATMAP_WEEKS = 8
ROLE_WEEKS = 12
HISTORY_DAYS = 56
FORECAST_DAYS = 28


def _now() -> str:
    return timezone.now().isoformat()


def _pick_rosters(unit_ids: list[int], start, end) -> dict[int, Roster]:
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


def _roster_figures(unit_ids: list[int], monday) -> dict:
    weeks = [(monday, monday + timedelta(days=6)), (monday + timedelta(days=7), monday + timedelta(days=13))]
    per_unit: dict[str, dict] = {str(u): {"weeks": [], "roster": None} for u in unit_ids}
    seen_hours: dict[int, list[dict]] = {}
    for start, end in weeks:
        rosters = _pick_rosters(unit_ids, start, end)
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
    return {"as_of": _now(), "units": per_unit}


def _capacity_figures(unit_ids: list[int], monday) -> dict:
    return {
        "as_of": _now(),
        "heatmap": heatmap(department_ids=unit_ids, first_week=monday, weeks=HEATMAP_WEEKS),
        "roles": role_capacity(
            department_ids=unit_ids, first_week=monday - timedelta(weeks=4), weeks=ROLE_WEEKS
        ),
    }


def _forecast_figures(unit_ids: list[int], today) -> dict:
    first = today - timedelta(days=HISTORY_DAYS)
    last = today + timedelta(days=FORECAST_DAYS)
    start = datetime.combine(first, datetime.min.time(), tzinfo=UTC) - timedelta(days=1)
    end = datetime.combine(last, datetime.min.time(), tzinfo=UTC) + timedelta(days=1)
    series = list(
        DemandSeries.objects.filter(department_id__in=unit_ids, frequency=DemandSeries.Frequency.DAILY)
        .select_related("department")
        .order_by("department__name", "metric")
    )
    by_series: dict[int, dict] = {
        s.id: {"unit": s.department.name, "metric": s.metric, "actual": {}, "forecast": {}, "model": None}
        for s in series
    }
    zones = {s.id: s.department.time_zone or "UTC" for s in series}
    for series_id, ts, value in DemandObservation.objects.filter(
        series_id__in=list(by_series), timestamp__gte=start, timestamp__lt=end
    ).values_list("series_id", "timestamp", "value"):
        day = ts.astimezone(ZoneInfo(zones[series_id])).date()
        if first <= day <= today:
            by_series[series_id]["actual"][day.isoformat()] = value
    models = {m.id: m for m in ForecastModel.objects.filter(series_id__in=list(by_series), is_current=True)}
    for model in models.values():
        by_series[model.series_id]["model"] = model.algorithm
    for model_id, ts, value, lower, upper in ForecastPoint.objects.filter(
        model_id__in=list(models), timestamp__gte=start, timestamp__lt=end
    ).values_list("model_id", "timestamp", "value", "lower", "upper"):
        series_id = models[model_id].series_id
        day = ts.astimezone(ZoneInfo(zones[series_id])).date()
        if first <= day <= last:
            by_series[series_id]["forecast"][day.isoformat()] = [value, lower, upper]
    return {
        "as_of": _now(),
        "first": first.isoformat(),
        "last": last.isoformat(),
        "series": [{"id": k, **v} for k, v in by_series.items()],
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
    labels = [k[5:] for k in roles["weekKeys"]]
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
        "capacity", ["web-dashboard", *key], TTL_S, lambda: _capacity_figures(unit_ids, monday)
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
            "heatmap": {
                "weeks": hm["weekKeys"],
                "people": [
                    {
                        "name": p["name"],
                        "role": p["roleName"],
                        "cells": [
                            {"week": k, "percent": percent, "band": _band(percent)}
                            for k, percent in zip(
                                hm["weekKeys"], _aligned(p["percentByWeek"], hm["weekKeys"]), strict=True
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
