"""The root URL configuration: the one place where ops wires in the domain-facing apps."""

from django.contrib import admin
from django.urls import include, path

from ops import health
from ops.metrics import metrics_view

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("", include("web.urls")),
]

handler400 = "ops.bad_input.bad_request"
