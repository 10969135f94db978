"""A database that stops answering mid-request gives a clean 503 (the API's error contract, or a short
page), never a 500 with a traceback; the next request, with the database back, answers normally."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth import get_user_model
from django.db import InterfaceError, OperationalError, ProgrammingError, connection
from django.test import Client


def _refuse(exc_class):
    def wrapper(execute, sql, params, many, context):
        raise exc_class("server closed the connection unexpectedly")

    return wrapper


@pytest.fixture
def signed_in(db):
    user = get_user_model().objects.create_superuser(username="ops-db-down", password="pw", email="")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("exc_class", [OperationalError, InterfaceError])
def test_api_answers_503_in_the_error_contract_while_the_database_is_gone(signed_in, exc_class, caplog):
    # given: a working API
    assert signed_in.get("/api/people").status_code == 200

    # when: every query fails as a restarted server makes it fail
    with caplog.at_level(logging.WARNING), connection.execute_wrapper(_refuse(exc_class)):
        during = signed_in.get("/api/people")
    after = signed_in.get("/api/people")

    # then: 503 in the contract with Retry-After, no traceback logged, and recovery on the next request
    assert during.status_code == 503
    assert set(during.json()) == {"message", "extra"} and during.json()["extra"] == {"retryable": True}
    assert int(during["Retry-After"]) > 0
    assert any("database unavailable" in r.getMessage() for r in caplog.records)
    assert not any(r.exc_info for r in caplog.records)
    assert after.status_code == 200


def test_a_web_page_answers_a_503_page_while_the_database_is_gone(signed_in, caplog):
    # given
    assert signed_in.get("/dashboard/").status_code == 200

    # when
    with caplog.at_level(logging.WARNING), connection.execute_wrapper(_refuse(OperationalError)):
        during = signed_in.get("/dashboard/")

    # then
    assert during.status_code == 503
    assert during["Content-Type"].startswith("text/html")
    assert b"Service unavailable" in during.content and b"Traceback" not in during.content
    assert not any(r.exc_info for r in caplog.records)


def test_a_query_bug_is_still_a_500(signed_in):
    # given: an error that is not about reaching the database
    client = Client(raise_request_exception=False)
    client.cookies = signed_in.cookies

    # when
    with connection.execute_wrapper(_refuse(ProgrammingError)):
        response = client.get("/dashboard/")

    # then: not disguised as "unavailable"
    assert response.status_code == 500
