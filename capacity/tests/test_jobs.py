import pytest

from capacity.aggregates.grid import compute_grid_snapshot
from capacity.aggregates.jobs import aggregate_job_create, aggregate_job_run
from capacity.tests.factories import AssignmentFactory, PersonFactory, UnitFactory
from conftest import wait_for
from ops.errors import ApplicationError
from ops.models import Job


def _unit_with_hours():
    unit = UnitFactory()
    AssignmentFactory(person=PersonFactory(department=unit, name="Ada"), weekly_hours={"2025-03-03": 8})
    return unit


@pytest.mark.django_db
def test_grid_snapshot_job_stores_the_snapshot_on_the_job(django_capture_on_commit_callbacks):
    # given
    unit = _unit_with_hours()
    params = {"department_ids": [unit.pk], "first_week": "2025-03-03", "weeks": 2}
    # when the job is created, nothing runs until commit
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = aggregate_job_create(kind="capacity.grid_snapshot", params=params)
    assert len(callbacks) == 1 and job.status == Job.Status.QUEUED
    assert aggregate_job_run(job_id=job.pk)
    # then
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == compute_grid_snapshot(department_ids=[unit.pk], first_week="2025-03-03", weeks=2)
    # and a second delivery of the same message does nothing
    assert not aggregate_job_run(job_id=job.pk)


@pytest.mark.django_db
def test_a_job_with_bad_parameters_fails_with_the_reason():
    job = Job.objects.create(kind="capacity.grid_snapshot", params={"department_ids": [], "weeks": 40})
    assert not aggregate_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "weeks" in job.error


@pytest.mark.django_db
def test_an_unknown_kind_is_refused():
    with pytest.raises(ApplicationError):
        aggregate_job_create(kind="capacity.everything", params={})


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_skill_match_job_runs_on_a_real_worker(celery_worker_process):
    # given
    from capacity.tests.factories import PersonSkillFactory, SkillTagFactory

    unit = UnitFactory()
    PersonSkillFactory(
        person=PersonFactory(department=unit, name="Ada"), skill=SkillTagFactory(name="Medication")
    )
    # when
    job = aggregate_job_create(
        kind="capacity.skill_match", params={"department_ids": [unit.pk], "skills": "med", "limit": 10}
    )
    # then
    done = wait_for(lambda: Job.objects.filter(pk=job.pk, status=Job.Status.SUCCEEDED).first(), timeout=60)
    assert [r["name"] for r in done.result["results"]] == ["Ada"]
