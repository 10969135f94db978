from django.contrib import admin

from forecasting.models import DemandEvent, DemandObservation, DemandSeries, ForecastModel


@admin.register(DemandSeries)
class DemandSeriesAdmin(admin.ModelAdmin):
    list_display = ("department", "metric", "frequency")
    list_select_related = ("department",)


@admin.register(DemandObservation)
class DemandObservationAdmin(admin.ModelAdmin):
    list_display = ("series", "timestamp", "value")
    list_select_related = ("series__department",)
    date_hierarchy = "timestamp"


@admin.register(ForecastModel)
class ForecastModelAdmin(admin.ModelAdmin):
    list_display = ("series", "algorithm", "trained_at", "duration_seconds", "is_current")
    list_filter = ("algorithm", "is_current")
    exclude = ("serialized_model",)


@admin.register(DemandEvent)
class DemandEventAdmin(admin.ModelAdmin):
    list_display = ("department", "name", "start_date", "end_date")
    list_select_related = ("department",)
    list_filter = ("department",)
    date_hierarchy = "start_date"
