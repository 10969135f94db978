from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from api.jobs.views import JobCancelApi, JobDetailApi

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("jobs/<int:job_id>", JobDetailApi.as_view(), name="job-detail"),
    path("jobs/<int:job_id>/cancel", JobCancelApi.as_view(), name="job-cancel"),
]
