"""API keys are authenticated from the cache, with no query, and a revoke or a deactivated user takes
effect on the very next request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from api.services import api_key_create, api_key_revoke
from api.testing import make_user


def _key_client(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


@pytest.fixture
def keyed(org):
    user = make_user("viewer", departments=[org["a"]])
    key, raw = api_key_create(user=user, name="cached", scopes=["read"])
    return user, key, _key_client(raw)


@pytest.mark.django_db
def test_a_known_key_authenticates_without_a_query(keyed):
    # given: the key was used once (cached, last use recorded)
    _, _, client = keyed
    assert client.get("/api/capabilities").status_code == 200

    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/capabilities")

    # then
    assert response.status_code == 200
    assert not [q for q in queries.captured_queries if "api_apikey" in q["sql"]]


@pytest.mark.django_db
def test_a_revoke_takes_effect_on_the_next_request(keyed):
    # given: a key in use (and so in the cache)
    _, key, client = keyed
    assert client.get("/api/capabilities").status_code == 200

    # when
    api_key_revoke(key=key)

    # then
    assert client.get("/api/capabilities").status_code == 401


@pytest.mark.django_db
def test_a_deactivated_user_is_refused_on_the_next_request(keyed):
    # given
    user, _, client = keyed
    assert client.get("/api/capabilities").status_code == 200

    # when
    user.is_active = False
    user.save()

    # then
    assert client.get("/api/capabilities").status_code == 401
