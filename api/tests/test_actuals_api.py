from datetime import date, time, timedelta

import pytest

from api.testing import api_client, make_user
from capacity.tests.factories import PersonFactory
from scheduler.models import Roster, RosterAssignment, TimesheetEntry
from scheduler.tests.factories import RosterFactory, ShiftTypeFactory, TimesheetEntryFactory
from scheduler.timesheets import worked_minutes

pytestmark = pytest.mark.django_db
MONDAY = date(2025, 3, 3)
HEADER = "person,date,start,end,break_minutes"


def test_worked_minutes_run_past_midnight_when_the_end_is_before_the_start():
    assert worked_minutes(time(7), time(15), 30) == 450
    assert worked_minutes(time(21, 30), time(7, 30), 30) == 570


@pytest.fixture
def ward(org):
    unit = org["a"]
    night = ShiftTypeFactory(
        department=unit, code="N", start_time=time(21, 30), duration_minutes=600, is_night=True
    )
    early = ShiftTypeFactory(department=unit, code="E", start_time=time(7), duration_minutes=480)
    ada, bo = PersonFactory(department=unit, email="ada@example.test"), PersonFactory(department=unit)
    roster = RosterFactory(
        department=unit,
        start_date=MONDAY,
        end_date=MONDAY + timedelta(days=6),
        status=Roster.Status.PUBLISHED,
    )
    RosterAssignment.objects.create(roster=roster, person=ada, date=MONDAY, shift_type=early)
    RosterAssignment.objects.create(roster=roster, person=bo, date=MONDAY, shift_type=night)
    planner = make_user("planner", [unit])
    return {"unit": unit, "ada": ada, "bo": bo, "early": early, "night": night, "client": api_client(planner)}


def test_a_csv_upload_stores_rows_by_id_or_email_and_a_night_running_into_the_next_day(ward):
    # given a CSV with the required header and the optional shift column
    body = (
        f"{HEADER},shift\n"
        "ada@example.test,2025-03-03,07:00,15:30,30,E\n"
        f"{ward['bo'].pk},2025-03-03,21:30,07:30,30,N\n"
    )
    # when it is uploaded
    response = ward["client"].post(f"/api/units/{ward['unit'].pk}/actuals", body, content_type="text/csv")
    # then both rows are stored, the night's hours running past midnight
    assert response.status_code == 201, response.json()
    assert response.json() == {"inserted": 2, "replaced": 0}
    rows = {e.person_id: e for e in TimesheetEntry.objects.all()}
    assert rows[ward["ada"].pk].worked_minutes == 480
    assert rows[ward["bo"].pk].worked_minutes == 570
    assert rows[ward["bo"].pk].shift_type == ward["night"]
    assert rows[ward["bo"].pk].source == TimesheetEntry.Source.IMPORT


def test_an_upload_with_bad_rows_writes_nothing_and_names_every_bad_row(ward):
    # given one good row and five bad ones
    stranger = PersonFactory()  # of another unit, never rostered here
    body = (
        f"{HEADER},shift\n"
        "ada@example.test,2025-03-03,07:00,15:30,30,\n"
        f"{stranger.pk},2025-03-03,07:00,15:00,0,\n"
        "ada@example.test,2025-03-32,7am,15:00,-5,\n"
        "ada@example.test,2025-03-04,07:00,15:00,0,X\n"
        "ada@example.test,2025-03-03,07:00,16:00,30,\n"
        "ada@example.test,1899-12-31,07:00,16:00,30,\n"
    )
    # when it is uploaded
    response = ward["client"].post(f"/api/units/{ward['unit'].pk}/actuals", body, content_type="text/csv")
    # then nothing is written and each bad row and field is named
    assert response.status_code == 400
    errors = {(e["row"], e["field"]) for e in response.json()["extra"]["errors"]}
    assert errors == {
        (2, "person"),
        (3, "date"),
        (3, "start"),
        (3, "break_minutes"),
        (4, "shift"),
        (5, "start"),
        (6, "date"),  # outside the planning window
    }
    assert not TimesheetEntry.objects.exists()


def test_a_csv_without_the_header_is_refused(ward):
    response = ward["client"].post(
        f"/api/units/{ward['unit'].pk}/actuals", "person,date\n1,2025-03-03\n", content_type="text/csv"
    )
    assert response.status_code == 400
    assert "person,date,start,end,break_minutes" in response.json()["message"]


def test_a_json_upload_replaces_the_row_with_the_same_person_date_and_start(ward):
    # given a stored row
    TimesheetEntryFactory(person=ward["ada"], date=MONDAY, start=time(7), end=time(15), worked_minutes=450)
    row = {
        "person": ward["ada"].pk,
        "date": "2025-03-03",
        "start": "07:00",
        "end": "17:00",
        "break_minutes": 60,
    }
    # when the same person, date and start is uploaded as JSON from a clock
    response = ward["client"].post(
        f"/api/units/{ward['unit'].pk}/actuals", {"rows": [row], "source": "clock"}, format="json"
    )
    # then it replaces the stored row
    assert response.json() == {"inserted": 0, "replaced": 1}
    entry = TimesheetEntry.objects.get()
    assert (entry.worked_minutes, entry.source) == (540, "clock")


def test_a_viewer_may_read_actuals_but_not_upload_them(ward):
    viewer = api_client(make_user("viewer", [ward["unit"]]))
    url = f"/api/units/{ward['unit'].pk}/actuals"
    assert viewer.get(url, {"start": "2025-03-03", "end": "2025-03-09"}).status_code == 200
    assert viewer.post(url, {"rows": [{}]}, format="json").status_code == 403
    outsider = api_client(make_user("planner", [PersonFactory().department]))
    assert outsider.get(url, {"start": "2025-03-03", "end": "2025-03-09"}).status_code == 404


def test_actuals_are_marked_unplanned_and_rostered_shifts_without_them_not_yet_recorded(ward):
    # given Ada's rostered early recorded, an unplanned Tuesday for Ada, and Bo's night not recorded
    TimesheetEntryFactory(person=ward["ada"], date=MONDAY)
    TimesheetEntryFactory(person=ward["ada"], date=MONDAY + timedelta(days=1))
    # when the week's actuals are read
    response = ward["client"].get(
        f"/api/units/{ward['unit'].pk}/actuals", {"start": "2025-03-03", "end": "2025-03-09"}
    )
    # then
    body = response.json()
    assert [(a["date"], a["unplanned"], a["rostered_shift"]) for a in body["actuals"]] == [
        ("2025-03-03", False, "E"),
        ("2025-03-04", True, None),
    ]
    assert [(r["person"], r["date"], r["shift"]) for r in body["not_yet_recorded"]] == [
        (ward["bo"].pk, "2025-03-03", "N")
    ]


def test_reading_actuals_needs_a_range_of_at_most_a_year(ward):
    url = f"/api/units/{ward['unit'].pk}/actuals"
    assert ward["client"].get(url, {"start": "2025-03-03"}).status_code == 400
    assert ward["client"].get(url, {"start": "2025-03-09", "end": "2025-03-03"}).status_code == 400
    assert ward["client"].get(url, {"start": "2024-01-01", "end": "2025-03-03"}).status_code == 413


def test_actuals_reads_take_a_fixed_number_of_queries(ward, django_assert_num_queries):
    for offset in range(5):
        TimesheetEntryFactory(person=ward["bo"], date=MONDAY + timedelta(days=offset))
    from scheduler.timesheets import unit_actuals

    with django_assert_num_queries(4):
        unit_actuals(unit=ward["unit"], start=MONDAY, end=MONDAY + timedelta(days=6))


def test_a_row_naming_only_its_shift_was_worked_at_the_shifts_times(ward):
    # given a JSON row naming the night shift (21:30 for 600 minutes, 450 of them paid) and no times
    row = {"person": ward["bo"].pk, "date": "2025-03-03", "shift": "N"}
    # when it is uploaded
    response = ward["client"].post(f"/api/units/{ward['unit'].pk}/actuals", {"rows": [row]}, format="json")
    # then it runs from the shift's start to its end the next morning, its paid minutes worked
    assert response.status_code == 201, response.json()
    entry = TimesheetEntry.objects.get()
    assert (entry.start, entry.end) == (time(21, 30), time(7, 30))
    assert entry.worked_minutes == ward["night"].paid_minutes
