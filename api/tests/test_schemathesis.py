"""Schema fuzzing: schemathesis drives every operation of the OpenAPI schema through the WSGI app,
authenticated as a superuser (an API key the fuzzer is never given to revoke) over the small demo
organisation.

Each operation gets a bounded number of generated requests (SCHEMATHESIS_EXAMPLES, default 12; half of the
path ids are taken from existing rows, so the handlers run past their 404s), and every response must be
no server error and conform to the schema (status code documented, content type and body as declared).
All failures are collected and reported together, one line per operation with a reproducible request.
"""

from __future__ import annotations

import json
import logging
import os
import re
import traceback

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client as WerkzeugClient

from api.services import api_key_create

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))
FUZZ_USER_ID = 987_654_321
FUZZ_KEY_ID = 987_654_321  # the fuzzer's own key: left out of the ids it may revoke
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Where the existing ids of each path parameter come from: (path prefix, parameter) -> list endpoint.
ID_SOURCES = {
    "roster_id": "/api/rosters",
    "series_id": "/api/forecasting/series",
    "person_id": "/api/people",
    "unit_id": "/api/departments?kind=unit",
}


class WsgiLister:
    def __init__(self, app, headers: dict) -> None:
        self.client = WerkzeugClient(app)
        self.headers = headers

    def get(self, url: str):
        return self.client.get(url, headers=self.headers)


def _list_ids(client, url: str) -> list[int]:
    separator = "&" if "?" in url else "?"
    response = client.get(f"{url}{separator}page_size=50")
    if response.status_code != 200:
        return []
    body = response.get_json()
    rows = body.get("results", body) if isinstance(body, dict) else body
    return [row["id"] for row in rows if isinstance(row, dict) and isinstance(row.get("id"), int)]


def _existing_ids(client, path: str) -> dict[str, list[int]]:
    """Existing ids for each path parameter of `path` (e.g. /api/people/{id} -> people ids)."""
    ids: dict[str, list[int]] = {}
    for name in re.findall(r"{(\w+)}", path):
        if name == "id":
            source = path.split("/{id}")[0]
        elif name == "job_id":
            source = None
        elif path.startswith("/api/api-keys/"):
            source = "/api/api-keys"
        else:
            source = ID_SOURCES.get(name)
        found = _list_ids(client, source) if source else []
        if path.startswith("/api/api-keys/"):
            found = [pk for pk in found if pk != FUZZ_KEY_ID]
        if name == "job_id":
            from ops.models import Job

            found = list(Job.objects.values_list("pk", flat=True)[:50])
        if found:
            ids[name] = found
    return ids


def _fuzzing_superuser(user_id: int, username: str):
    """The small demo organisation and a superuser with an API key the fuzzer never revokes; returns the
    user and the request headers. The user id is one no other test's user has: throttle counters are per
    user id and outlive a test in the shared cache, so the fuzzer's requests count against no one else."""
    from api.models import ApiKey

    call_command("seed_demo", size="small", no_user=True, verbosity=0)
    admin = get_user_model().objects.create_superuser(
        id=user_id, username=username, password="unused-password", email=""
    )
    key, raw = api_key_create(user=admin, name="schemathesis", scopes=["read", "write"])
    ApiKey.objects.filter(pk=key.pk).update(id=FUZZ_KEY_ID)
    # identity: the werkzeug client schemathesis drives does not undo GZipMiddleware
    return admin, {"Authorization": f"Api-Key {raw}", "Accept-Encoding": "identity"}


class FoundFailure(Exception):
    pass


class ServerErrors(logging.Handler):
    """Keeps the traceback Django logs for a 500, so a failure names the line that raised."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.last: str = ""

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            lines = traceback.format_exception(*record.exc_info)
            self.last = "".join(lines[-3:]).strip()


SERVER_ERRORS = ServerErrors()


def _reasons(exc: BaseException) -> str:
    leaves = exc.exceptions if isinstance(exc, BaseExceptionGroup) else [exc]
    lines = []
    for leaf in leaves:
        text = [line.strip() for line in str(leaf).splitlines() if line.strip()]
        lines.append(" / ".join(text[:3]))
    return " || ".join(lines)


def _recorded(operation, failures: list[str]) -> bool:
    return any(f.startswith(f"{operation.method.upper()} {operation.path}:") for f in failures)


def _run_operation(operation, client, headers: dict, failures: list[str]) -> int:
    existing = _existing_ids(client, operation.path)
    calls = 0

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), data=st.data())
    def exercise(case, data):
        nonlocal calls
        for name, ids in existing.items():
            if data.draw(st.booleans(), label=f"existing {name}"):
                case.path_parameters[name] = data.draw(st.sampled_from(ids), label=name)
        calls += 1
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS)
        except BaseException as exc:  # schemathesis raises a group of check failures
            if _recorded(operation, failures):  # Hypothesis replays the failing example once
                raise FoundFailure from None
            failures.append(
                f"{operation.method.upper()} {operation.path}: {response.status_code} {_reasons(exc)}\n"
                f"    request: {case.as_curl_command(headers={'Authorization': 'Api-Key <key>'})}\n"
                f"    body: {response.content[:300].decode(errors='replace')}"
                + (f"\n    raised: {SERVER_ERRORS.last}" if response.status_code >= 500 else "")
            )
            raise FoundFailure from None  # one failure per operation is enough to act on

    try:
        exercise()
    except Exception as exc:  # noqa: BLE001 - FoundFailure, or Hypothesis' Flaky when the replay passes
        if not _recorded(operation, failures):
            failures.append(f"{operation.method.upper()} {operation.path}: {_reasons(exc)}")
    return calls


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Django closes database connections at the end of a WSGI request; the test client turns that off
    so a test's transaction survives its requests, and so must a test that calls the WSGI app itself."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.usefixtures("wsgi_keeps_the_test_connection")
def test_every_operation_answers_without_server_errors_and_as_the_schema_says():
    # given: the small demo organisation, a superuser's API key (kept out of the fuzzer's reach) and one
    # more key of theirs to revoke
    admin, headers = _fuzzing_superuser(FUZZ_USER_ID, "schemathesis")
    api_key_create(user=admin, name="to be revoked", scopes=["read"])
    app = WSGIHandler()
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app)
    # ids are listed through the same WSGI app: Django's test client would reconnect the signal that
    # closes the connection at the end of each request (see wsgi_keeps_the_test_connection)
    lister = WsgiLister(app, headers)

    # when: every operation is fuzzed
    failures: list[str] = []
    operations = 0
    calls = 0
    logging.getLogger("django.request").addHandler(SERVER_ERRORS)
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1
            calls += _run_operation(operation, lister, headers, failures)
    finally:
        logging.getLogger("django.request").removeHandler(SERVER_ERRORS)

    # then
    assert operations > 50 and calls >= operations
    assert not failures, f"{len(failures)} operation(s) failed:\n" + "\n".join(failures)


# --- the classes of bad input that random generation rarely reaches -------------------------------------
# Every operation of the schema gets, per query parameter: a NUL byte, the calendar's ends (for dates) and
# numbers past any bound (for numbers); per JSON body: the same in each top-level property, and nesting
# far past the decoder's recursion limit. Each answer must be a 4xx in the error contract or a success.
CALENDAR_EDGES = ("0001-01-01", "9999-12-31", "0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00")
HUGE_NUMBERS = ("1" + "0" * 400, "1e400", "-1e400", str(2**64))
DEEP_NESTING = "[" * 100_000


def _edge_values(schema: dict) -> list:
    kind, fmt = schema.get("type"), schema.get("format", "")
    values: list = ["\x00", "a\x00b"]
    if fmt in ("date", "date-time"):
        values += list(CALENDAR_EDGES)
    if kind in ("integer", "number"):
        values += list(HUGE_NUMBERS)
    return values


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _edge_requests(spec: dict, path: str, method: str, operation: dict):
    """(query, body text) pairs, one edge value at a time."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query":
            for value in _edge_values(parameter.get("schema", {})):
                yield {parameter["name"]: value}, None
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        yield {}, DEEP_NESTING
        body_schema = _resolve(spec, content["application/json"].get("schema", {}))
        if body_schema.get("type") == "array":
            wrap, body_schema = True, _resolve(spec, body_schema.get("items", {}))
        else:
            wrap = False
        for name, prop in body_schema.get("properties", {}).items():
            prop = _resolve(spec, prop)
            for value in _edge_values(prop):
                literal = (
                    value if prop.get("type") in ("integer", "number") and value[0] in "-123456789" else None
                )
                text = f'{{"{name}": {literal}}}' if literal else json.dumps({name: value})
                yield {}, f"[{text}]" if wrap else text


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.usefixtures("wsgi_keeps_the_test_connection")
def test_nul_bytes_calendar_edges_huge_numbers_and_deep_nesting_answer_4xx_on_every_operation():
    # given the small demo organisation and a superuser's API key
    _, headers = _fuzzing_superuser(FUZZ_USER_ID + 1, "edge-fuzzer")
    app = WSGIHandler()
    client = WerkzeugClient(app)
    spec = client.get("/api/schema/?format=json", headers=headers).get_json()
    lister = WsgiLister(app, headers)

    # when every operation gets every edge value, one at a time
    failures: list[str] = []
    sent = 0
    logging.getLogger("django.request").addHandler(SERVER_ERRORS)
    try:
        for path, methods in spec["paths"].items():
            ids = {name: (found or [1])[0] for name, found in _existing_ids(lister, path).items()}
            url = re.sub(r"{(\w+)}", lambda m, ids=ids: str(ids.get(m.group(1), 1)), path)
            for method, operation in methods.items():
                for query, body in _edge_requests(spec, path, method, operation):
                    sent += 1
                    response = client.open(
                        url,
                        method=method.upper(),
                        query_string=query,
                        data=body,
                        content_type="application/json" if body is not None else None,
                        headers=headers,
                    )
                    problem = _edge_problem(response)
                    if problem:
                        failures.append(
                            f"{method.upper()} {url} query={query!r} body={(body or '')[:60]!r}: {problem}"
                            + (f"\n    raised: {SERVER_ERRORS.last}" if response.status_code >= 500 else "")
                        )
    finally:
        logging.getLogger("django.request").removeHandler(SERVER_ERRORS)

    # then
    assert sent > 300
    assert not failures, f"{len(failures)} request(s) failed:\n" + "\n".join(failures[:40])


def _edge_problem(response) -> str:
    if response.status_code >= 500:
        return f"{response.status_code} server error"
    if response.status_code >= 400:
        body = response.get_json(silent=True)
        if not isinstance(body, dict) or set(body) != {"message", "extra"}:
            return f"{response.status_code} outside the error contract: {response.data[:120]!r}"
    return ""
