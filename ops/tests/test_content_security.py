"""ops.content_security sets exactly the headers django-csp's own middleware sets, whatever the response."""

from __future__ import annotations

import pytest
from csp.constants import NONCE
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from ops.content_security import ContentSecurityPolicyMiddleware

REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'none'"], "report-uri": "/csp-report"}}
EXCLUDING_API = {
    "EXCLUDE_URL_PREFIXES": ["/api/"],
    "DIRECTIVES": {"default-src": ["'self'"], "frame-ancestors": ["'none'"]},
}


def _plain(response):
    return response


def _updated(response):
    response._csp_update = {"style-src": ["'self'", "'unsafe-inline'"]}
    return response


def _replaced(response):
    response._csp_replace = {"default-src": ["'none'"]}
    response._csp_replace_ro = {"default-src": ["'self'"]}
    return response


def _exempt(response):
    response._csp_exempt = True
    return response


def _already_set(response):
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


RESPONSES = [_plain, _updated, _replaced, _exempt, _already_set]


def _answer(middleware_class, path: str, shape, *, status: int = 200, use_nonce: bool = False):
    request = RequestFactory().get(path)
    middleware = middleware_class(lambda r: HttpResponse("x"))
    middleware.process_request(request)
    nonce = str(request.csp_nonce) if use_nonce else None
    response = middleware.process_response(request, shape(HttpResponse("x", status=status)))
    headers = {k: v for k, v in response.headers.items() if k.startswith("Content-Security")}
    if nonce is not None:  # each run draws its own nonce: compare where it goes, not its value
        headers = {k: v.replace(nonce, "NONCE") for k, v in headers.items()}
    try:  # a nonce first asked for after the header was written is an error (django-csp's guard)
        late = str(request.csp_nonce) == nonce
    except CSPNonceError:
        late = "refused"
    return headers, late


def _assert_same(path: str, shape, **kwargs) -> dict:
    ours = _answer(ContentSecurityPolicyMiddleware, path, shape, **kwargs)
    assert ours == _answer(CSPMiddleware, path, shape, **kwargs)
    return ours[0]


@pytest.mark.parametrize("shape", RESPONSES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("path", ["/", "/api/reports/heatmap"])
def test_every_kind_of_response_gets_django_csps_headers(shape, path):
    _assert_same(path, shape)


def test_the_project_policy_is_set_on_a_plain_response_and_a_late_nonce_refused():
    headers = _assert_same("/api/reports/heatmap", _plain)
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert _answer(ContentSecurityPolicyMiddleware, "/", _plain)[1] == "refused"


def test_a_nonce_asked_for_is_in_the_header():
    with_nonce = {"DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", NONCE]}}
    with override_settings(CONTENT_SECURITY_POLICY=with_nonce):
        headers = _assert_same("/", _plain, use_nonce=True)
        assert "'nonce-NONCE'" in headers["Content-Security-Policy"]
        assert "nonce" not in _assert_same("/", _plain)["Content-Security-Policy"]


@pytest.mark.parametrize("status", [404, 500])
def test_debug_error_pages_are_left_alone(status):
    with override_settings(DEBUG=True):
        assert _assert_same("/", _plain, status=status) == {}
    assert _assert_same("/", _plain, status=status) != {}


@pytest.mark.parametrize("shape", RESPONSES, ids=lambda f: f.__name__)
def test_a_settings_change_is_seen_excluded_prefixes_and_report_only_too(shape):
    before = _assert_same("/api/x", _plain)
    with override_settings(
        CONTENT_SECURITY_POLICY=EXCLUDING_API, CONTENT_SECURITY_POLICY_REPORT_ONLY=REPORT_ONLY
    ):
        for path in ("/api/x", "/pages/x"):
            _assert_same(path, shape)
        assert "Content-Security-Policy" not in _assert_same("/api/x", _plain)
        assert "Content-Security-Policy-Report-Only" in _assert_same("/api/x", _plain)
    assert _assert_same("/api/x", _plain) == before


def test_the_settings_use_it():
    assert "ops.content_security.ContentSecurityPolicyMiddleware" in settings.MIDDLEWARE
    assert "csp.middleware.CSPMiddleware" not in settings.MIDDLEWARE
