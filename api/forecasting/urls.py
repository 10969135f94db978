from django.urls import path

from api.forecasting import events, views

urlpatterns = [
    path("forecasting/series", views.SeriesListApi.as_view(), name="api-demand-series-list"),
    path(
        "forecasting/series/<int:series_id>/observations",
        views.ObservationUploadApi.as_view(),
        name="api-demand-observations-upload",
    ),
    path(
        "forecasting/series/<int:series_id>/forecast",
        views.SeriesForecastApi.as_view(),
        name="api-demand-series-forecast",
    ),
    path("forecasting/retrain", views.RetrainApi.as_view(), name="api-forecast-retrain"),
    path(
        "units/<int:unit_id>/demand-events", events.UnitDemandEventListApi.as_view(), name="api-demand-events"
    ),
    path(
        "units/<int:unit_id>/demand-events/<int:event_id>",
        events.UnitDemandEventDetailApi.as_view(),
        name="api-demand-event",
    ),
    path(
        "units/<int:unit_id>/cover/fill-from-forecast",
        views.CoverFillFromForecastApi.as_view(),
        name="api-cover-fill-from-forecast",
    ),
]
