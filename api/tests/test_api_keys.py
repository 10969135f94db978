"""API keys: shown once, stored hashed with a prefix for look-up, scoped, revocable, last use recorded."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from api.models import ApiKey
from api.testing import api_client, make_user
from capacity.tests.factories import PersonFactory


def _key_client(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


@pytest.fixture
def planner(org):
    return make_user("planner", departments=[org["a"]])


def _create_key(user, scopes):
    response = api_client(user).post("/api/api-keys", {"name": "sync", "scopes": scopes}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.django_db
def test_a_key_is_shown_once_and_stored_hashed(planner):
    # when
    created = _create_key(planner, ["read"])
    listed = api_client(planner).get("/api/api-keys").json()["results"]

    # then
    raw = created["key"]
    stored = ApiKey.objects.get(pk=created["id"])
    assert raw.startswith(f"cp_{stored.prefix}_")
    assert raw not in stored.hashed_key and stored.hashed_key != raw
    assert all("key" not in row for row in listed)
    assert [row["prefix"] for row in listed] == [stored.prefix]


@pytest.mark.django_db
def test_a_key_authenticates_and_records_its_last_use(planner, org):
    # given
    PersonFactory(department=org["a"])
    raw = _create_key(planner, ["read"])["key"]

    # when
    response = _key_client(raw).get("/api/people")

    # then
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
    assert ApiKey.objects.get(prefix=raw.split("_", 2)[1]).last_used_at is not None


@pytest.mark.django_db
def test_a_read_key_cannot_write_and_a_write_key_can(planner, org):
    # given
    person = PersonFactory(department=org["a"])
    read_only = _key_client(_create_key(planner, ["read"])["key"])
    writer = _key_client(_create_key(planner, ["read", "write"])["key"])

    # when
    refused = read_only.patch(f"/api/people/{person.pk}", {"name": "X"}, format="json")
    allowed = writer.patch(f"/api/people/{person.pk}", {"name": "Y"}, format="json")

    # then
    assert refused.status_code == 403
    assert allowed.status_code == 200
    person.refresh_from_db()
    assert person.name == "Y"


@pytest.mark.django_db
def test_a_revoked_or_wrong_key_is_refused(planner):
    # given
    created = _create_key(planner, ["read"])
    raw = created["key"]
    api_client(planner).post(f"/api/api-keys/{created['id']}/revoke")

    # when
    revoked = _key_client(raw).get("/api/capabilities")
    tampered = _key_client(raw[:-2] + "zz").get("/api/capabilities")

    # then
    assert revoked.status_code == tampered.status_code == 401
    assert revoked.headers["WWW-Authenticate"] == "Api-Key"


@pytest.mark.django_db
def test_a_key_cannot_mint_keys_and_users_cannot_revoke_others_keys(planner, org):
    # given
    other = make_user("planner", departments=[org["a"]])
    raw = _create_key(planner, ["read", "write"])["key"]
    others_key = _create_key(other, ["read"])

    # when
    minted = _key_client(raw).post("/api/api-keys", {"name": "x", "scopes": ["read"]}, format="json")
    revoke = api_client(planner).post(f"/api/api-keys/{others_key['id']}/revoke")

    # then
    assert minted.status_code == 403
    assert revoke.status_code == 404
    assert ApiKey.objects.get(pk=others_key["id"]).revoked_at is None


@pytest.mark.django_db
def test_drf_tokens_are_retired_and_sessions_still_authenticate(planner, client):
    # given a DRF-style token header (tokens were stored in clear; only hashed API keys remain)
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    client.force_login(planner)

    # when / then
    assert token_client.get("/api/capabilities").status_code == 401
    assert client.get("/api/capabilities").status_code == 200
    with connection.cursor() as cursor:
        assert "authtoken_token" not in connection.introspection.table_names(cursor)
