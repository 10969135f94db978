from django.urls import path

from api.capacity.aggregates import views

urlpatterns = [
    path("reports/role-capacity", views.RoleCapacityApi.as_view(), name="report-role-capacity"),
    path("reports/heatmap", views.HeatmapApi.as_view(), name="report-heatmap"),
    path(
        "reports/project-availability",
        views.ProjectAvailabilityApi.as_view(),
        name="report-project-availability",
    ),
    path("reports/skill-match", views.SkillMatchApi.as_view(), name="report-skill-match"),
    path("reports/find-available", views.FindAvailableApi.as_view(), name="report-find-available"),
    path("reports/grid-snapshot", views.GridSnapshotApi.as_view(), name="report-grid-snapshot"),
    path(
        "assignments/bulk-update-hours",
        views.AssignmentsBulkUpdateHoursApi.as_view(),
        name="assignments-bulk-update-hours",
    ),
]
