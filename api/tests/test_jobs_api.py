import pytest

from api.testing import api_client, make_user
from ops.jobs import job_create

pytestmark = pytest.mark.django_db


def test_colleagues_of_the_department_can_follow_a_job_and_only_planners_cancel_it(org):
    owner = make_user("planner", [org["a"]])
    job = job_create(kind="roster.solve", requested_by=owner, department_id=org["a"].pk)

    viewer = api_client(make_user("viewer", [org["a"]]))
    assert viewer.get(f"/api/jobs/{job.pk}").status_code == 200
    assert viewer.post(f"/api/jobs/{job.pk}/cancel").status_code == 403
    outsider = api_client(make_user("planner", [org["b"]]))
    assert outsider.get(f"/api/jobs/{job.pk}").status_code == 404
    colleague = api_client(make_user("planner", [org["a"]]))
    response = colleague.post(f"/api/jobs/{job.pk}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_a_job_without_a_department_is_visible_to_its_owner_only(org):
    owner = make_user("planner", [org["a"]])
    job = job_create(kind="capacity.grid_snapshot", requested_by=owner)
    assert api_client(owner).get(f"/api/jobs/{job.pk}").status_code == 200
    assert api_client(make_user("planner", [org["a"]])).get(f"/api/jobs/{job.pk}").status_code == 404
