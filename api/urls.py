import importlib.util

from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from api.errors import api_not_found
from api.jobs.views import JobCancelApi, JobDetailApi

# The documentation pages run third-party bundles (served by us) that set inline styles, and Redoc renders
# in a blob: worker; the rest of the policy (default-src 'self') holds there too.
_docs_policy = csp_update({"style-src": ["'self'", "'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})

urlpatterns = [
    # The schema pages are public (the contract is no secret); everything else needs authentication.
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    path(
        "docs/",
        # the split view serves its start-up script as a file: no inline script for the policy to refuse
        _docs_policy(SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=[AllowAny])),
        name="swagger-ui",
    ),
    path(
        "redoc/",
        _docs_policy(SpectacularRedocView.as_view(url_name="schema", permission_classes=[AllowAny])),
        name="redoc",
    ),
    path("jobs/<int:job_id>", JobDetailApi.as_view(), name="job-detail"),
    path("jobs/<int:job_id>/cancel", JobCancelApi.as_view(), name="job-cancel"),
]

# The capacity engineer's aggregates (reports/* and assignments/bulk-update-hours) come before the
# assignment CRUD routes. Until api/capacity/aggregates/urls.py lands, the URLconf loads without it.


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


if _module_exists("api.capacity.aggregates.urls"):
    urlpatterns.append(path("", include("api.capacity.aggregates.urls")))

# The scheduler and forecasting engineers' endpoints, wired in as soon as their modules exist.
for _module in ("api.rosters.urls", "api.forecasting.urls"):
    if _module_exists(_module):
        urlpatterns.append(path("", include(_module)))

# Catalogue CRUD after the aggregates (their assignments/bulk-update-hours must win over assignments/<pk>).
urlpatterns += [
    path("", include("api.labour.urls")),
    path("", include("api.access.urls")),
    path("", include("api.audit.urls")),
    path("", include("api.capacity.urls")),
    path("", include("api.scheduler.urls")),
]

# Last: any other /api/ path is a 404 in the error contract (JSON), never the HTML page.
urlpatterns.append(re_path(r"^.*$", api_not_found, name="api-not-found"))
