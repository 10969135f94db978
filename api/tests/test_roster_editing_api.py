"""The roster workspace API: grid facts (leave, requests, hours), a cell's options in plain words, edits
of several cells (move, swap, all or nothing), overrides with a reason, undo, and the diff of two rosters."""

from datetime import date, time, timedelta

import pytest
from django.contrib.auth.models import Permission

from api.testing import api_client, make_user
from capacity.models import Leave
from capacity.tests.factories import LeaveFactory, PersonFactory, PersonSkillFactory, SkillTagFactory
from scheduler.models import Roster, RosterAssignment, RosterDayOff, RosterEdit, ShiftRequest
from scheduler.tests.factories import (
    PersonContractFactory,
    RosterAssignmentFactory,
    RosterFactory,
    ShiftTypeFactory,
    WorkRulesFactory,
)

pytestmark = pytest.mark.django_db
MONDAY = date(2025, 3, 3)
TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def board(org):
    """A solved week of unit A: Ann works Late on Monday, Ben Early on Monday, Cy is off all week."""
    unit = org["a"]
    early = ShiftTypeFactory(
        department=unit, code="E", name="Early", start_time=time(7), duration_minutes=480
    )
    late = ShiftTypeFactory(department=unit, code="L", name="Late", start_time=time(14), duration_minutes=480)
    rules = WorkRulesFactory(min_rest_hours=11, contract_minutes_per_week=2400)
    ann, ben, cy = (PersonFactory(department=unit, name=n) for n in ("Ann Able", "Ben Bold", "Cy Calm"))
    for person in (ann, ben, cy):
        PersonContractFactory(person=person, work_rules=rules)
    roster = RosterFactory(
        department=unit, start_date=MONDAY, end_date=MONDAY + timedelta(days=6), status=Roster.Status.SOLVED
    )
    RosterAssignmentFactory(roster=roster, person=ann, date=MONDAY, shift_type=late)
    RosterAssignmentFactory(roster=roster, person=ben, date=MONDAY, shift_type=early)
    planner = make_user("planner", [unit])
    return {
        "unit": unit,
        "roster": roster,
        "ann": ann,
        "ben": ben,
        "cy": cy,
        "planner": planner,
        "client": api_client(planner),
        "base": f"/api/rosters/{roster.pk}",
    }


def _etag(board):
    return board["client"].get(board["base"])["ETag"]


def _cells(board, cells, **extra):
    return board["client"].post(
        f"{board['base']}/cells", {"cells": cells, **extra}, format="json", HTTP_IF_MATCH=_etag(board)
    )


def _shift(board, person, day):
    row = RosterAssignment.objects.filter(roster=board["roster"], person=person, date=day).first()
    return row.shift_type.code if row else None


def test_grid_cells_carry_leave_requests_skills_and_hours_against_contract(board):
    # given approved sick leave, a requested (not approved) leave, two requests and a certified skill
    ann, cy = board["ann"], board["cy"]
    LeaveFactory(person=cy, start_date=TUESDAY, end_date=TUESDAY, kind=Leave.Kind.SICK)
    LeaveFactory(
        person=cy,
        start_date=MONDAY + timedelta(days=3),
        end_date=MONDAY + timedelta(days=3),
        status="requested",
    )
    ShiftRequest.objects.create(person=ann, date=MONDAY, kind="on", weight=2)
    ShiftRequest.objects.create(person=ann, date=TUESDAY, kind="off", weight=3)
    PersonSkillFactory(person=ann, skill=SkillTagFactory(name="Medication"), certified_until=date(2026, 1, 1))

    # when the grid is read
    body = board["client"].get(f"{board['base']}/grid").json()

    # then each cell says its leave and request, and each person their skills and hours against contract
    cy_row, ann_row = body["cells"][str(cy.pk)], body["cells"][str(ann.pk)]
    assert cy_row[TUESDAY.isoformat()]["leave"] == "sick"
    assert cy_row[(MONDAY + timedelta(days=3)).isoformat()]["leave"] is None  # only approved leave counts
    assert ann_row[MONDAY.isoformat()]["request"] == {
        "kind": "on",
        "weight": 2,
        "shift": None,
        "granted": True,
    }
    assert ann_row[TUESDAY.isoformat()]["request"]["granted"] is True  # off, and she is off
    assert ann_row[MONDAY.isoformat()]["shift"] == "L"
    people = {p["id"]: p for p in body["people"]}
    assert people[ann.pk]["skills"] == [{"name": "Medication", "level": 3, "certified_until": "2026-01-01"}]
    assert people[ann.pk]["contract_hours"] == 40.0 and people[ann.pk]["hours"] > 0
    assert people[ann.pk]["contract_minutes_per_week"] == 2400
    assert people[ann.pk]["contract"] == ann.contract.work_rules.name
    assert people[ann.pk]["hours_flagged"] is True  # one shift against forty contracted hours


def test_hours_flag_follows_the_setting(board, settings):
    settings.ROSTER_HOURS_FLAG_PERCENT = 100
    body = board["client"].get(f"{board['base']}/grid").json()
    assert not any(p["hours_flagged"] for p in body["people"])


def test_cell_options_name_the_blocking_rule_in_plain_words_and_who_else_could(board):
    # when the planner asks what Ann's Tuesday may hold (she works Late on Monday)
    response = board["client"].get(
        f"{board['base']}/cells/{board['ann'].pk}/{TUESDAY.isoformat()}/options", HTTP_ACCEPT_LANGUAGE="en-GB"
    )

    # then Early is blocked by the rest rule in a sentence, Late and a day off are allowed, and Cy could
    # take the Early instead (Ben's Monday Early leaves him rest enough too)
    assert response.status_code == 200
    options = {o["shift"]: o for o in response.json()["options"]}
    assert set(options) == {None, "E", "L"}
    assert options[None]["allowed"] and options[None]["current"]
    assert options["L"]["allowed"]
    assert not options["E"]["allowed"]
    blocking = options["E"]["blocking"][0]
    assert blocking["rule"] == "min_rest_between_shifts"
    assert blocking["text"] == (
        "Ann Able needs at least 11 h of rest between shifts; "
        "E on Tue 4 Mar starts too soon after the shift before"
    )
    assert {p["name"] for p in options["E"]["instead"]} == {"Ben Bold", "Cy Calm"}


def test_dates_in_sentences_follow_the_readers_language(board):
    response = board["client"].get(
        f"{board['base']}/cells/{board['ann'].pk}/{TUESDAY.isoformat()}/options", HTTP_ACCEPT_LANGUAGE="de"
    )
    blocked = [o for o in response.json()["options"] if o["shift"] == "E"][0]
    assert "Di 4 Mär" in blocked["blocking"][0]["text"]


def test_a_move_that_breaks_a_rule_is_refused_per_cell_and_changes_nothing(board):
    # when Ben's Monday Early is moved to Ann's Tuesday (Ann worked Late on Monday)
    response = _cells(
        board,
        [
            {"person": board["ben"].pk, "date": MONDAY.isoformat(), "shift": None},
            {"person": board["ann"].pk, "date": TUESDAY.isoformat(), "shift": "E"},
        ],
        action="move",
    )

    # then it is refused in plain words, attributed to Ann's Tuesday, and nothing moved
    assert response.status_code == 422
    body = response.json()
    assert body["message"].startswith("Ann Able needs at least 11 h of rest")
    assert body["extra"]["cells"][0] == {
        "person": board["ann"].pk,
        "date": TUESDAY.isoformat(),
        "message": body["extra"]["violations"][0]["text"],
    }
    assert body["extra"]["can_override"] is False
    assert _shift(board, board["ben"], MONDAY) == "E" and _shift(board, board["ann"], TUESDAY) is None
    assert not RosterEdit.objects.exists()


def test_a_move_and_a_swap_are_locked_and_undone_in_turn(board):
    ann, ben, cy = board["ann"], board["ben"], board["cy"]
    # when Ben's Monday Early moves to Cy, then Ann's Late and Cy's Early swap
    moved = _cells(
        board,
        [
            {"person": ben.pk, "date": MONDAY.isoformat(), "shift": None},
            {"person": cy.pk, "date": MONDAY.isoformat(), "shift": "E"},
        ],
        action="move",
    )
    swapped = _cells(
        board,
        [
            {"person": ann.pk, "date": MONDAY.isoformat(), "shift": "E"},
            {"person": cy.pk, "date": MONDAY.isoformat(), "shift": "L"},
        ],
        action="swap",
    )

    # then both held, as locks (the emptied cell is a locked day off), and the version did not move
    assert moved.status_code == 200 and swapped.status_code == 200, (moved.json(), swapped.json())
    assert (_shift(board, ann, MONDAY), _shift(board, cy, MONDAY), _shift(board, ben, MONDAY)) == (
        "E",
        "L",
        None,
    )
    assert RosterAssignment.objects.get(roster=board["roster"], person=cy, date=MONDAY).pinned
    assert RosterDayOff.objects.filter(roster=board["roster"], person=ben, date=MONDAY).exists()
    board["roster"].refresh_from_db()
    assert board["roster"].version == 1 and board["roster"].revision == 2

    # when the planner undoes twice
    first = board["client"].post(f"{board['base']}/undo", HTTP_IF_MATCH=_etag(board))
    assert first.status_code == 200
    assert (_shift(board, ann, MONDAY), _shift(board, cy, MONDAY)) == ("L", "E")
    second = board["client"].post(f"{board['base']}/undo")
    assert second.status_code == 200

    # then the roster is as it started, locks gone, and a third undo has nothing left
    assert (_shift(board, ann, MONDAY), _shift(board, ben, MONDAY), _shift(board, cy, MONDAY)) == (
        "L",
        "E",
        None,
    )
    assert not RosterDayOff.objects.filter(roster=board["roster"]).exists()
    third = board["client"].post(f"{board['base']}/undo")
    assert third.status_code == 409 and set(third.json()) == {"message", "extra"}


def test_several_cells_change_all_or_nothing_with_an_error_per_cell(board):
    # when two cells are cleared together with one outside the roster
    response = _cells(
        board,
        [
            {"person": board["ann"].pk, "date": MONDAY.isoformat(), "shift": None},
            {"person": board["ann"].pk, "date": "2025-04-01", "shift": None},
            {"person": board["ann"].pk, "date": TUESDAY.isoformat(), "shift": "X"},
        ],
    )

    # then nothing was saved and each bad cell says why
    assert response.status_code == 400
    errors = response.json()["extra"]["cells"]
    assert [e["date"] for e in errors] == ["2025-04-01", TUESDAY.isoformat()]
    assert "outside the roster" in errors[0]["message"] and "Unknown shift" in errors[1]["message"]
    assert _shift(board, board["ann"], MONDAY) == "L"

    # and a valid selection clears at once
    ok = _cells(
        board,
        [
            {"person": board["ann"].pk, "date": MONDAY.isoformat(), "shift": None, "locked": False},
            {"person": board["ben"].pk, "date": MONDAY.isoformat(), "shift": None, "locked": False},
        ],
    )
    assert ok.status_code == 200, ok.json()
    assert not RosterAssignment.objects.filter(roster=board["roster"]).exists()
    assert not RosterDayOff.objects.exists()  # released: a re-solve may fill them


def test_an_override_needs_the_permission_and_a_reason_and_shows_in_the_grid(board):
    early_for_ann = [{"person": board["ann"].pk, "date": TUESDAY.isoformat(), "shift": "E"}]
    # a planner without the permission is refused even with a reason
    refused = _cells(board, early_for_ann, override_reason="Agency cover fell through")
    assert refused.status_code == 403
    assert refused.json()["extra"]["permission"] == "scheduler.override_hard_rules"

    # one with it keeps the change, with the reason and the broken rule recorded
    board["planner"].user_permissions.add(Permission.objects.get(codename="override_hard_rules"))
    board["client"] = api_client(type(board["planner"]).objects.get(pk=board["planner"].pk))  # fresh perms
    kept = _cells(board, early_for_ann, override_reason="Agency cover fell through")
    assert kept.status_code == 200, kept.json()
    assert kept.json()["overridden_rules"] == ["min_rest_between_shifts"]
    row = RosterAssignment.objects.get(roster=board["roster"], person=board["ann"], date=TUESDAY)
    assert row.pinned and row.override_reason == "Agency cover fell through"
    cell = (
        board["client"]
        .get(f"{board['base']}/grid")
        .json()["cells"][str(board["ann"].pk)][TUESDAY.isoformat()]
    )
    assert cell["override"] == "Agency cover fell through" and cell["pinned"]


def test_a_stale_if_match_is_refused(board):
    stale = _etag(board)
    _cells(board, [{"person": board["cy"].pk, "date": MONDAY.isoformat(), "shift": "L"}])
    response = board["client"].post(
        f"{board['base']}/cells",
        {"cells": [{"person": board["cy"].pk, "date": TUESDAY.isoformat(), "shift": "L"}]},
        format="json",
        HTTP_IF_MATCH=stale,
    )
    assert response.status_code == 412


def test_diff_lists_the_cells_that_differ_from_another_version(board):
    # given a published roster and a new version of it with one edit
    board["roster"].status = Roster.Status.PUBLISHED
    board["roster"].save()
    copy = board["client"].post(f"{board['base']}/versions").json()
    board["client"].post(
        f"/api/rosters/{copy['id']}/cells",
        {"cells": [{"person": board["cy"].pk, "date": MONDAY.isoformat(), "shift": "L"}]},
        format="json",
    )

    # when the new version is compared with the published one
    response = board["client"].get(f"/api/rosters/{copy['id']}/diff?against={board['roster'].pk}")

    # then the one changed cell is listed with both shifts
    assert response.status_code == 200
    assert response.json()["cells"] == [
        {
            "person": board["cy"].pk,
            "person_name": "Cy Calm",
            "date": MONDAY.isoformat(),
            "shift": "L",
            "against_shift": None,
        }
    ]


@pytest.mark.parametrize(
    "path",
    [
        "diff",
        "diff?against=abc",
        "diff?against=99999999999999999999",
        "cells/{ann}/2025-13-01/options",
        "cells/{ann}/2025-04-01/options",
    ],
)
def test_bad_input_gets_400_with_the_error_contract(board, path):
    response = board["client"].get(f"{board['base']}/{path.format(ann=board['ann'].pk)}")
    assert response.status_code == 400
    assert set(response.json()) == {"message", "extra"}


def test_bad_bodies_and_other_units_get_4xx(board, org):
    client, base = board["client"], board["base"]
    assert client.post(f"{base}/cells", {"cells": []}, format="json").status_code == 400
    assert client.post(f"{base}/cells", {"cells": [{"person": "x"}]}, format="json").status_code == 400
    other = RosterFactory(department=org["b"], start_date=MONDAY, end_date=MONDAY + timedelta(days=6))
    assert client.get(f"{base}/diff?against={other.pk}").status_code == 404  # not in the planner's units
    elsewhere = PersonFactory(department=org["b"])
    moved = client.post(
        f"{base}/cells",
        {"cells": [{"person": elsewhere.pk, "date": MONDAY.isoformat(), "shift": "E"}]},
        format="json",
    )
    assert moved.status_code == 400 and set(moved.json()) == {"message", "extra"}
    viewer = api_client(make_user("viewer", [board["unit"]]))
    assert viewer.post(f"{base}/undo").status_code == 403


def test_the_explanation_names_every_rule_in_words_with_its_unit(board):
    board["roster"].statistics = {
        "penalties_by_rule": {"labour_cost": 240, "shift_off_requests": 3},
        "penalties": [{"rule": "shift_off_requests", "amount": 3, "person": board["ann"].pk}],
        "violations": [{"rule": "min_rest_between_shifts", "amount": 1, "person": board["ann"].pk}],
    }
    board["roster"].save()
    rules = board["client"].get(f"{board['base']}/explanation").json()["rules"]
    assert rules["labour_cost"] == {
        "name": "Wages",
        "means": "Every shift worked costs its hours at the person's rate.",
        "unit": "currency",
    }
    assert rules["shift_off_requests"]["unit"] == "points"
    assert rules["min_rest_between_shifts"]["name"] == "Rest between shifts"


def test_an_edit_costs_the_same_queries_for_two_cells_or_six(board):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from scheduler.services.roster_edits import CellChange, roster_cells_change

    def queries(days: int) -> int:
        changes = [CellChange(board["cy"].pk, MONDAY + timedelta(days=d), None) for d in range(days)] + [
            CellChange(board["ben"].pk, MONDAY + timedelta(days=d + 1), None) for d in range(days)
        ]
        with CaptureQueriesContext(connection) as captured:
            roster_cells_change(roster=board["roster"], changes=changes)
        return len(captured)

    assert queries(1) == queries(3)
