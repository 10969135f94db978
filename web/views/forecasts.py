"""Forecasts per demand series: history with the forecast and its interval, the backtest table (each
candidate's MASE and MAPE, the chosen model) and a retrain button whose run shows live progress."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from forecasting.models import DemandSeries, ForecastModel
from forecasting.retrain_runs import forecast_run_create
from forecasting.selectors import current_forecast_model, demand_series_list, forecast_points
from ops.models import Job
from web.access import can_plan, department_role, plannable_department_ids, roles_by_department
from web.charts import Band, Line, line_chart
from web.throttles import throttled
from web.views.common import page

HISTORY_DAYS = 120


@login_required
def forecast_list(request):
    roles = roles_by_department(request.user)
    series = list(demand_series_list(department_ids=set(roles)))
    models = {}
    for s in series:
        s.can_retrain = can_plan(roles.get(s.department_id))
    for m in ForecastModel.objects.filter(series__in=series, is_current=True):
        models[m.series_id] = m
    for s in series:
        s.current = models.get(s.id)
    job = _job(request)
    return page(
        request,
        "web/forecasts/list.html",
        {"series": series, "job": job, "can_retrain": any(s.can_retrain for s in series)},
        section="forecasts",
    )


def _job(request) -> Job | None:
    job_id = request.GET.get("job", "")
    if not job_id.isdigit():
        return None
    return Job.objects.filter(id=int(job_id), requested_by=request.user).first()


@login_required
def forecast_detail(request, series_id: int):
    series = get_object_or_404(DemandSeries.objects.select_related("department__parent"), id=series_id)
    role = department_role(request.user, series.department_id, missing="No such series")
    zone = series.department.zone
    since = timezone.now() - timedelta(days=HISTORY_DAYS)
    history = list(
        series.observations.filter(timestamp__gte=since)
        .order_by("timestamp")
        .values_list("timestamp", "value")
    )
    model = current_forecast_model(series=series)
    points = list(forecast_points(model=model, start=since)) if model else []
    actual = {ts.astimezone(zone).date(): v for ts, v in history}
    forecast = {p.timestamp.astimezone(zone).date(): p for p in points}
    days = sorted(set(actual) | set(forecast))
    chart = line_chart(
        ident="series",
        title=f"{series.department.name} {series.metric}: history and forecast",
        labels=[d.strftime("%d %b") for d in days],
        lines=[
            Line("Actual", [actual.get(d) for d in days]),
            Line("Forecast", [forecast[d].value if d in forecast else None for d in days], "dashed"),
        ],
        band=Band(
            "Forecast interval",
            [forecast[d].lower if d in forecast else None for d in days],
            [forecast[d].upper if d in forecast else None for d in days],
        ),
        marker_at=days.index(timezone.localdate()) if timezone.localdate() in days else None,
        width=900,
        height=280,
    )
    backtest = []
    if model:
        for candidate, scores in sorted(
            model.metrics.items(), key=lambda kv: (kv[1].get("mase") is None, kv[1].get("mase") or 0)
        ):
            if isinstance(scores, dict):
                backtest.append({"name": candidate, "chosen": candidate == model.algorithm, **scores})
    return page(
        request,
        "web/forecasts/detail.html",
        {
            "series": series,
            "model": model,
            "chart": chart,
            "backtest": backtest,
            "can_retrain": can_plan(role),
            "job": _job(request),
            "points": len(points),
        },
        section="forecasts",
    )


@login_required
@require_POST
@throttled("solve")  # the API's rate for retrains, counted together
def forecast_retrain(request):
    roles = roles_by_department(request.user)
    writable = plannable_department_ids(request.user)
    raw = request.POST.get("series", "")
    if raw.isdigit():
        series = get_object_or_404(DemandSeries, id=int(raw), department_id__in=list(roles))
        if series.department_id not in writable:
            raise PermissionDenied("Your role does not allow retraining this series")
        ids = [series.id]
    else:
        ids = list(demand_series_list(department_ids=writable).values_list("id", flat=True))
        if not ids:
            raise PermissionDenied("You cannot retrain any series")
    run = forecast_run_create(series_ids=ids, user=request.user)
    target = f"/forecasts/{ids[0]}/" if raw.isdigit() else "/forecasts/"
    return redirect(f"{target}?job={run.job_id}")
