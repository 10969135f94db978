"""Every URL pattern refuses an anonymous request, except health, metrics and the schema pages."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Public by design: probes, the metrics scrape (guarded by its own bearer key or loopback), the schema pages,
# the sign-in and sign-out pages, static files, and the API's not-found answer.
PUBLIC = {
    "healthz",
    "readyz",
    "metrics",
    "api/schema/",
    "api/docs/",
    "api/redoc/",
    "login/",
    "logout/",
    "api/^.*$",  # the JSON 404 for any /api/ path that matches no endpoint
}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _concrete(route: str) -> str:
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<(?:str:|slug:)?[^>]+>", "x", route)
    route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
    return "/" + route


def _all_routes():
    routes = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if route in PUBLIC or route.startswith("admin/") or "(?P<" in route or "<path:" in route:
            continue
        routes.append((route, pattern))
    return routes


def _refused(response) -> bool:
    if response.status_code in (401, 403):
        return True
    if response.status_code in (301, 302):  # HTML pages send a visitor to the sign-in page
        return "/login/" in response.headers.get("Location", "")
    return False


@pytest.mark.django_db
def test_there_are_routes_to_check():
    names = {route for route, _ in _all_routes()}
    assert "api/people" in names and "api/jobs/<int:job_id>" in names
    assert len(names) > 30


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_every_route_refuses_an_anonymous_request(client, method):
    # given
    routes = _all_routes()

    # when
    answers = {}
    for route, _ in routes:
        response = getattr(client, method)(_concrete(route), content_type="application/json")
        if response.status_code == 405:
            continue  # the route does not take this method at all
        answers[route] = response

    # then
    let_through = {route: r.status_code for route, r in answers.items() if not _refused(r)}
    assert not let_through, f"anonymous {method.upper()} was not refused: {let_through}"
    assert answers, "no route takes this method"


@pytest.mark.django_db
def test_admin_pages_send_anonymous_visitors_to_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]


@pytest.mark.django_db
def test_an_anonymous_api_answer_uses_the_error_contract(client):
    response = client.get("/api/people")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"message", "extra"}
