"""A 500 is a bug: junk bodies and parameters on every catalogue endpoint answer 4xx in the contract."""

from __future__ import annotations

import pytest

from api.testing import api_client, make_user

RESOURCES = [
    "departments",
    "roles",
    "skills",
    "people",
    "person-skills",
    "leave",
    "projects",
    "assignments",
    "shift-types",
    "work-rules",
    "cover-requirements",
    "shift-requests",
    "access-grants",
]
JUNK = [
    {},
    {"name": None, "department": "x", "person": [], "project": {"a": 1}},
    {"weekly_hours": "lots", "start_date": "yesterday", "end_date": 5, "minimum": -3, "preferred": 1e30},
    {"department": 10**12, "role": 10**12, "person": -1, "shift_type": "1; drop table", "kind": "???"},
    {"scopes": "write", "include_children": "perhaps", "hire_date": "2024-02-30", "email": "not-an-email"},
]


@pytest.mark.django_db
def test_junk_never_causes_a_500(org):
    # given
    client = api_client(make_user("admin", departments=[org["root"]]))

    # when
    answers = []
    for resource in RESOURCES:
        for body in JUNK:
            answers.append((resource, "post", client.post(f"/api/{resource}", body, format="json")))
            answers.append((resource, "patch", client.patch(f"/api/{resource}/1", body, format="json")))
        answers.append((resource, "get", client.get(f"/api/{resource}", {"page_size": "-1"})))
        answers.append((resource, "get", client.get(f"/api/{resource}/1", {"x": "1"})))
    for bulk in ("people/bulk", "cover-requirements/bulk"):
        for body in ([1, 2], {"rows": "x"}, {"rows": [None, {}]}, "text"):
            answers.append((bulk, "post", client.post(f"/api/{bulk}", body, format="json")))

    # then
    server_errors = [(r, m, a.status_code) for r, m, a in answers if a.status_code >= 500]
    assert not server_errors
    assert all(set(a.json()) == {"message", "extra"} for _, _, a in answers if a.status_code >= 400)
