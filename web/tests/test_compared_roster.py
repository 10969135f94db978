"""An engine comparison's roster opened and adopted through the edit service: the cells that differ,
adoption as one undoable edit (a new version when published), and a roster breaking hard rules marked and
adopted only with a reason and the override permission."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from ops.errors import ApplicationError
from ops.models import Job
from scheduler.models import Roster, RosterAssignment, RosterEdit
from scheduler.services.compare_adopt import roster_adopt_comparison
from scheduler.services.roster_edits import roster_undo
from scheduler.services.rosters import COMPARE_JOB_KIND
from web.tests.builders import planning_unit, user_with_role
from web.tests.test_open_shifts import _roster

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward(db):
    return planning_unit(name="Compare Ward", people=4, assignments=False)


def _comparison(ward, roster, *, late_for: int = 1, day: int = 0, breaks: bool = False) -> Job:
    """A finished comparison whose roster is the roster's, plus one late shift for person `late_for` on
    `day` (and, with `breaks`, a summary saying it breaks a hard rule)."""
    days = (roster.end_date - roster.start_date).days + 1
    cells = {str(p.id): [None] * days for p in ward.people}
    for a in RosterAssignment.objects.filter(roster=roster).select_related("shift_type"):
        cells[str(a.person_id)][(a.date - roster.start_date).days] = a.shift_type.code
    cells[str(ward.people[late_for].id)][day] = "L"
    return Job.objects.create(
        kind=COMPARE_JOB_KIND,
        status=Job.Status.SUCCEEDED,
        params={"roster_id": roster.id, "engine": "milp"},
        department_id=ward.unit.id,
        result={
            "engine": "milp",
            "objective": 12,
            "hard_violations": 1 if breaks else 0,
            "hard_rules_broken": {"min_rest_between_shifts": 1} if breaks else {},
            "breaks_hard_rules": breaks,
            "stop_reason": "gap",
            "stop_reason_text": "close enough to the best possible",
            "plain": "best roster breaks no rule",
            "start_date": roster.start_date.isoformat(),
            "roster": cells,
        },
    )


def _late(roster, ward, i=1, day=0):
    return RosterAssignment.objects.filter(
        roster=roster, person=ward.people[i], date=ward.start + timedelta(days=day), shift_type__code="L"
    )


def test_the_compared_roster_opens_with_the_cells_that_differ(client, ward):
    roster = _roster(ward)
    job = _comparison(ward, roster)
    planner = user_with_role("cmp-planner", ward.unit)
    client.force_login(planner)
    html = client.get(reverse("roster-compared", args=[roster.id, job.id])).content.decode()
    assert 'data-testid="changed-cells">1<' in html
    assert ward.people[1].name in html and "Adopt milp roster" in html
    assert "close enough to the best possible" in html


def test_adopting_is_one_undoable_edit_of_the_roster(client, ward):
    # given a solved roster and a comparison that adds one late shift
    roster = _roster(ward)
    job = _comparison(ward, roster)
    planner = user_with_role("cmp-planner2", ward.unit)
    client.force_login(planner)
    # when the planner adopts it
    response = client.post(
        reverse("roster-compared-adopt", args=[roster.id, job.id]), {"revision": roster.revision}, follow=True
    )
    # then the roster holds the compared cell, as one edit that is not a lock
    assert "1 cell(s) changed" in response.content.decode()
    assert _late(roster, ward).get().pinned is False
    edit = RosterEdit.objects.get(roster=roster)
    assert edit.action == RosterEdit.Action.BULK
    # and the edit can be undone
    roster_undo(roster=roster, user=planner)
    assert not _late(roster, ward).exists()


def test_adopting_into_a_published_roster_makes_a_new_version(ward):
    roster = _roster(ward, status=Roster.Status.PUBLISHED)
    job = _comparison(ward, roster)
    target, edit = roster_adopt_comparison(roster=roster, job_id=job.id)
    assert target.id != roster.id and target.version == roster.version + 1
    assert _late(target, ward).exists() and not _late(roster, ward).exists()
    assert edit is not None and edit.roster_id == target.id


def test_a_roster_that_breaks_hard_rules_is_marked_and_needs_a_reason(client, ward):
    # given a comparison whose summary says it breaks a hard rule
    roster = _roster(ward)
    job = _comparison(ward, roster, breaks=True)
    planner = user_with_role("cmp-planner3", ward.unit)
    client.force_login(planner)
    html = client.get(reverse("roster-compared", args=[roster.id, job.id])).content.decode()
    assert 'data-testid="breaks-hard-rules"' in html and "min_rest_between_shifts ×1" in html
    # when it is adopted without a reason, then it is refused and nothing changed
    refused = client.post(reverse("roster-compared-adopt", args=[roster.id, job.id]), follow=True)
    assert "give a reason to adopt it anyway" in refused.content.decode()
    assert not _late(roster, ward).exists()
    # and with a reason it is adopted
    planner.user_permissions.add(Permission.objects.get(codename="override_hard_rules"))
    client.post(reverse("roster-compared-adopt", args=[roster.id, job.id]), {"reason": "ward agreed"})
    assert _late(roster, ward).exists()


def test_a_cell_the_roster_rules_forbid_is_refused_in_plain_words(ward):
    # given a comparison that puts a late shift the day before someone's early shift (person 0 works
    # early on day 3: a late on day 2 leaves 9 h of rest)
    roster = _roster(ward)
    job = _comparison(ward, roster, late_for=0, day=2)
    with pytest.raises(ApplicationError) as err:
        roster_adopt_comparison(roster=roster, job_id=job.id)
    assert err.value.status == 422 and "rest between shifts" in err.value.message
    assert not _late(roster, ward, 0, 2).exists()


def test_another_rosters_comparison_is_not_found(client, ward):
    roster = _roster(ward)
    other = _roster(ward, days=3)
    job = _comparison(ward, other)
    client.force_login(user_with_role("cmp-planner4", ward.unit))
    assert client.get(reverse("roster-compared", args=[roster.id, job.id])).status_code == 404


@pytest.mark.parametrize("people", [3, 12])
def test_the_compared_roster_page_queries_do_not_grow_with_people(client, django_assert_num_queries, people):
    ward = planning_unit(name=f"Cmp {people} Ward", people=people, assignments=False)
    roster = _roster(ward)
    job = _comparison(ward, roster)
    client.force_login(user_with_role(f"cmp-size-{people}", ward.unit))
    client.get("/")
    with django_assert_num_queries(COMPARED_QUERIES):
        response = client.get(reverse("roster-compared", args=[roster.id, job.id]))
    assert response.status_code == 200


# session, user, roster, access, the job, the roster's cells (twice: differences and "now"), the names of
# the people whose cells differ, the user's override permission, the units in view
COMPARED_QUERIES = 13
