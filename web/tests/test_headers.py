"""Headers and exports: a Content-Security-Policy on every page, `private, no-store` on whatever holds
personal data, sessions that end on browser close and after an idle time, and CSV cells that cannot run
as spreadsheet formulas."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from api.testing import api_client
from ops import sessions as ops_sessions
from ops.csv_export import neutralise
from ops.models import Job
from web.tests.test_pages import solved_roster

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def test_every_page_has_a_csp_of_its_own_files_only(client, ward, planner):
    client.force_login(planner)
    for url in ("/", "/login/", reverse("roster-list", args=[ward.unit.id]), "/dashboard/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "default-src 'self'" in policy, url
        assert "unsafe-inline" not in policy


def test_the_templates_hold_no_inline_script_or_style():
    # what the policy forbids must not be needed: no inline <script>, no style= or on*= attributes
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert not re.search(r"\s(style|on[a-z]+)=", text), template


def test_personal_data_is_never_stored_by_the_browser(client, ward, planner):
    # given a solved roster, a person and a job
    roster = solved_roster(ward)
    person = ward.people[0]
    job = Job.objects.create(kind="roster.solve", requested_by=planner, department_id=ward.unit.id)
    client.force_login(planner)
    api = api_client(planner)

    # when pages, exports, people and jobs are read
    answers = {
        "page": client.get(reverse("roster-detail", args=[roster.id])),
        "csv": client.get(reverse("roster-csv", args=[roster.id])),
        "ical": client.get(reverse("roster-ical", args=[roster.id, person.id])),
        "api csv": api.get(f"/api/rosters/{roster.id}/export.csv"),
        "person": api.get(f"/api/people/{person.id}"),
        "people": api.get("/api/people"),
        "job": api.get(f"/api/jobs/{job.id}"),
    }

    # then each says private, no-store
    for what, response in answers.items():
        assert response.status_code == 200, (what, response.status_code)
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, (what, cache_control)


def test_sessions_end_with_the_browser_and_after_the_idle_time(client, planner, monkeypatch):
    # given a fresh login, and a renewal on every request (once a minute in production)
    monkeypatch.setattr(ops_sessions, "TOUCH_INTERVAL_S", 0)
    response = client.post("/login/", {"username": planner.username, "password": "pages-test-pw"})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]

    # then the cookie lives only as long as the browser, and the session expires after the idle time,
    # counted again from each request
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    key = cookie.value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timezone.timedelta(seconds=5))
    client.get("/")
    renewed = Session.objects.get(session_key=key).expire_date - timezone.now()
    assert renewed.total_seconds() > settings.SESSION_COOKIE_AGE - 60

    # when the idle time has passed, the next request is sent to the login page
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    assert client.get("/")["Location"].startswith("/login/")


def test_csv_export_neutralises_formula_cells(client, ward, planner):
    # given a person whose name a spreadsheet would run as a formula
    roster = solved_roster(ward)
    person = ward.people[0]
    person.name = '=HYPERLINK("http://evil.example","x")'
    person.save()
    client.force_login(planner)

    # when the roster is exported
    body = client.get(reverse("roster-csv", args=[roster.id])).content.decode()

    # then the cell starts with a quote, and ordinary values are unchanged
    assert "'=HYPERLINK" in body and "\n=HYPERLINK" not in body
    assert [neutralise(v) for v in ("=1", "+1", "-1", "@a", "\tx", "\rx", "Ash", 5)] == [
        "'=1",
        "'+1",
        "'-1",
        "'@a",
        "'\tx",
        "'\rx",
        "Ash",
        5,
    ]
