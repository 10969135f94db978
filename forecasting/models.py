"""Demand history per unit, the trained forecast models and their forecasts."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from capacity.models import Department
from forecasting.engine.options import DEFAULT_HORIZON_DAYS


class DemandSeries(models.Model):
    """One measured demand of a unit (occupied beds, arrivals per hour...).

    `staffing` says how demand becomes headcount: {"method": "ratio", "per_staff": {"E": 5, ...}} or
    {"method": "erlang_c", "handling_minutes": 12, "target_wait_seconds": 60, "service_level": 0.8}.
    """

    class Frequency(models.TextChoices):
        DAILY = "D"
        HOURLY = "H"

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="demand_series")
    metric = models.CharField(max_length=80)
    frequency = models.CharField(max_length=1, choices=Frequency.choices, default=Frequency.DAILY)
    staffing = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "demand series"
        constraints = [models.UniqueConstraint(fields=["department", "metric"], name="demandseries_unique")]

    def __str__(self) -> str:
        return f"{self.department} {self.metric}"


class DemandEvent(models.Model):
    """A known episode that moves a unit's demand (a ward closed, a flu season), past or planned: a regressor
    for every forecast model of the unit's series that can take one. Dates are local and both included."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="demand_events")
    name = models.CharField(max_length=80)
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="demandevent_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.name} {self.start_date}..{self.end_date}"


class DemandObservation(models.Model):
    series = models.ForeignKey(DemandSeries, on_delete=models.CASCADE, related_name="observations")
    timestamp = models.DateTimeField()
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "timestamp"], name="observation_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="observation_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.series_id} {self.timestamp}: {self.value}"


class ForecastModel(models.Model):
    """A trained model of a series, with the backtest scores of every candidate it was chosen from."""

    series = models.ForeignKey(DemandSeries, on_delete=models.CASCADE, related_name="models")
    algorithm = models.CharField(max_length=40)
    parameters = models.JSONField(default=dict, blank=True)
    # Width of the central prediction interval its points' lower/upper bound (None: point forecasts only).
    interval_width = models.FloatField(null=True, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    serialized_model = models.TextField(blank=True, default="")
    trained_at = models.DateTimeField()
    duration_seconds = models.FloatField(default=0)
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["-trained_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["series"], condition=Q(is_current=True), name="forecastmodel_one_current_per_series"
            ),
            models.CheckConstraint(
                condition=Q(duration_seconds__gte=0), name="forecastmodel_duration_non_negative"
            ),
        ]
        indexes = [models.Index(fields=["series", "trained_at"], name="forecastmodel_series_trained")]

    def __str__(self) -> str:
        return f"{self.series_id} {self.algorithm} {self.trained_at:%Y-%m-%d}"


class ForecastPoint(models.Model):
    model = models.ForeignKey(ForecastModel, on_delete=models.CASCADE, related_name="points")
    timestamp = models.DateTimeField()
    value = models.FloatField()
    lower = models.FloatField(null=True, blank=True)
    upper = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["timestamp"]
        constraints = [models.UniqueConstraint(fields=["model", "timestamp"], name="forecastpoint_unique")]

    def __str__(self) -> str:
        return f"{self.model_id} {self.timestamp}: {self.value}"


class ForecastRun(models.Model):
    """One fan-out retrain over many series (the weekly beat entry): its job and per-series outcomes."""

    job = models.OneToOneField("ops.Job", on_delete=models.CASCADE, related_name="forecast_run")
    horizon_days = models.PositiveSmallIntegerField(default=DEFAULT_HORIZON_DAYS)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"forecast run {self.pk}"


class ForecastRunItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="items")
    series = models.ForeignKey(DemandSeries, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    algorithm = models.CharField(max_length=40, blank=True, default="")
    duration_seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "series"], name="forecastrunitem_unique")]
        indexes = [models.Index(fields=["run", "status"], name="forecastrunitem_run_status")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.series_id} {self.status}"
