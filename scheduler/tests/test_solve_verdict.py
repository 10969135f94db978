"""A roster that breaks hard rules is never reported like a clean one: the job's message names the broken
rules (as the independent checker counted them), for a solve and for an engine comparison alike."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ops.models import Job
from scheduler.models import CoverRequirement
from scheduler.services.rosters import roster_compare, roster_generate
from scheduler.services.solving import roster_solve_run
from web.tests.builders import planning_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def short_staffed():
    # two people for a week that needs four on every shift: no roster can meet the minimum cover
    ward = planning_unit(name="Short Ward", people=2, weeks=1, assignments=False)
    CoverRequirement.objects.filter(department=ward.unit).update(minimum=4, preferred=4)
    return ward


def test_a_solve_that_breaks_hard_rules_says_so(short_staffed, django_capture_on_commit_callbacks):
    # given a roster solve for the short-staffed week
    ward = short_staffed
    with django_capture_on_commit_callbacks(execute=False):
        roster = roster_generate(
            unit=ward.unit,
            start_date=ward.start,
            end_date=ward.start + timedelta(days=6),
            engine="cpsat",
            time_limit=3,
        )

    # when it runs
    roster_solve_run(job_id=roster.job_id, workers=1)

    # then the job's message and result say the roster breaks hard rules, and which
    job = Job.objects.get(id=roster.job_id)
    assert job.result["hard_violations"] > 0
    assert job.result["breaks_hard_rules"] is True
    assert "cover_minimum" in "".join(job.result["hard_rules_broken"])
    assert "breaks" in job.message and "hard rule" in job.message
    roster.refresh_from_db()
    assert roster.statistics["breaks_hard_rules"] is True


def test_an_engine_comparison_marks_the_roster_that_breaks_hard_rules(
    short_staffed, django_capture_on_commit_callbacks
):
    # given a comparison job on the short-staffed week
    ward = short_staffed
    with django_capture_on_commit_callbacks(execute=False):
        roster = roster_generate(
            unit=ward.unit, start_date=ward.start, end_date=ward.start + timedelta(days=6), time_limit=3
        )
        jobs = roster_compare(roster=roster, engines=["cpsat"], time_limit=3)

    # when it runs
    roster_solve_run(job_id=jobs["cpsat"].id, workers=1)

    # then its result marks the breaches and its message says so
    job = Job.objects.get(id=jobs["cpsat"].id)
    assert job.result["breaks_hard_rules"] is True
    assert job.message.startswith("cpsat roster breaks")
