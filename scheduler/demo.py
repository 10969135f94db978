"""The scheduling half of the demo: shift types, contracts, cover and requests for each unit."""

from __future__ import annotations

import random
from datetime import date, time, timedelta
from decimal import Decimal

from capacity.models import Department, LabourBudget, Person, SkillTag
from scheduler.models import (
    CoverRequirement,
    PayRate,
    PersonContract,
    Roster,
    RosterAssignment,
    ShiftRequest,
    ShiftType,
    TimesheetEntry,
    WorkRules,
)

COVER_WEEKS = 8
# code, name, start, minutes, paid minutes, night
SHIFTS = [
    ("E", "Early", time(7, 0), 480, 450, False),
    ("L", "Late", time(14, 30), 480, 450, False),
    ("N", "Night", time(21, 30), 600, 570, True),
]
# per 25 people: (minimum, preferred) per shift code
COVER_PER_25 = {"E": (3, 4), "L": (3, 4), "N": (2, 2)}


def seed_scheduling(
    organisation: Department, units: list[Department], rng: random.Random, today: date
) -> None:
    shifts = {
        code: ShiftType.objects.update_or_create(
            department=organisation,
            code=code,
            defaults={
                "name": name,
                "start_time": start,
                "duration_minutes": minutes,
                "paid_minutes": paid,
                "is_night": night,
            },
        )[0]
        for code, name, start, minutes, paid, night in SHIFTS
    }
    full_time, _ = WorkRules.objects.update_or_create(
        name="Full time 37.5h",
        defaults=dict(
            contract_minutes_per_week=2250,
            min_minutes_per_week=1440,
            max_minutes_per_week=2880,
            max_consecutive_work_days=5,
            min_consecutive_work_days=2,
            min_consecutive_days_off=2,
            max_weekends_per_horizon=2,
            min_rest_hours=11,
            max_consecutive_nights=3,
            max_shifts_per_type={"N": 8},
        ),
    )
    part_time, _ = WorkRules.objects.update_or_create(
        name="Part time",
        defaults=dict(
            contract_minutes_per_week=1440,
            min_minutes_per_week=0,
            max_minutes_per_week=1920,
            max_consecutive_work_days=4,
            min_consecutive_work_days=1,
            min_consecutive_days_off=2,
            max_weekends_per_horizon=2,
            min_rest_hours=11,
            max_consecutive_nights=3,
            max_shifts_per_type={"N": 6},
        ),
    )
    medication = SkillTag.objects.get(name="Medication")
    first_day = today - timedelta(days=today.weekday())
    for unit in units:
        people = list(Person.objects.filter(department=unit).select_related("role").order_by("id"))
        for person in people:
            rules = full_time if person.weekly_capacity_hours >= 37 else part_time
            PersonContract.objects.update_or_create(person=person, defaults={"work_rules": rules})
        scale = len([p for p in people if p.active]) / 25
        CoverRequirement.objects.filter(department=unit, source=CoverRequirement.Source.MANUAL).delete()
        cover = []
        for offset in range(COVER_WEEKS * 7):
            day = first_day + timedelta(days=offset)
            weekend = day.weekday() >= 5
            for code, (minimum, preferred) in COVER_PER_25.items():
                low = max(1, round(minimum * scale) - (1 if weekend and code != "N" and minimum > 2 else 0))
                cover.append(
                    CoverRequirement(
                        department=unit,
                        date=day,
                        shift_type=shifts[code],
                        minimum=low,
                        preferred=max(low, round(preferred * scale)),
                    )
                )
            # every shift needs someone who can give medication
            for code in COVER_PER_25:
                cover.append(
                    CoverRequirement(
                        department=unit,
                        date=day,
                        shift_type=shifts[code],
                        skill=medication,
                        minimum=1,
                        preferred=1,
                    )
                )
        CoverRequirement.objects.bulk_create(cover)
        ShiftRequest.objects.filter(person__in=people).delete()
        requests = []
        for person in people:
            for _ in range(rng.randint(0, 3)):
                requests.append(
                    ShiftRequest(
                        person=person,
                        date=first_day + timedelta(days=rng.randint(0, COVER_WEEKS * 7 - 1)),
                        shift_type=rng.choice([None, shifts["E"], shifts["L"], shifts["N"]]),
                        kind=rng.choice([ShiftRequest.Kind.OFF, ShiftRequest.Kind.OFF, ShiftRequest.Kind.ON]),
                        weight=rng.randint(1, 3),
                    )
                )
        ShiftRequest.objects.bulk_create(requests)
        _seed_pay_rates(people, rng, today)
        _seed_past_roster_and_actuals(unit, people, shifts, scale, rng, first_day)
        _seed_budgets(unit, shifts, scale, first_day)


# base hourly rate per role; each person earns up to 2.00 more
ROLE_RATES = {"Registered Nurse": 21, "Senior Carer": 15, "Care Assistant": 12.5, "Ward Manager": 27}
RATE_HISTORY_DAYS = 365
RAISE_DAYS_AGO = 120  # a pay award four months ago: 3% on every rate
RAISE = Decimal("1.03")


def _seed_pay_rates(people: list[Person], rng: random.Random, today: date) -> None:
    """A year of pay-rate history per person with one change (the pay award)."""
    PayRate.objects.filter(person__in=people).delete()
    raise_day = today - timedelta(days=RAISE_DAYS_AGO)
    rows = []
    for person in people:
        base = Decimal(str(ROLE_RATES.get(person.role.name, 12.5))) + Decimal(rng.randint(0, 20)) / 10
        terms = dict(
            person=person,
            overtime_multiplier=Decimal("1.5"),
            night_multiplier=Decimal("1.2"),
            weekend_multiplier=Decimal("1.1"),
            holiday_multiplier=Decimal("1.5"),
        )
        first = max(person.hire_date, today - timedelta(days=RATE_HISTORY_DAYS))
        if first < raise_day:
            rows.append(
                PayRate(valid_from=first, valid_to=raise_day - timedelta(days=1), hourly_rate=base, **terms)
            )
        rows.append(
            PayRate(
                valid_from=max(first, raise_day),
                hourly_rate=(base * RAISE).quantize(Decimal("0.01")),
                **terms,
            )
        )
    PayRate.objects.bulk_create(rows)


PAST_WEEKS = 4  # a published roster and its actual hours for the weeks before this one
BUDGET_WEEKS = 26
MAX_DAYS_IN_A_ROW = 5
AVERAGE_RATE = Decimal(17)  # what the budget prices an hour at


def _seed_past_roster_and_actuals(unit, people, shifts, scale, rng: random.Random, this_monday: date) -> None:
    """The last PAST_WEEKS weeks as a published roster at minimum cover (no one more than five days in a
    row, no early or late after a night), and what was actually worked: most shifts as rostered, some
    longer, some not recorded, a few unplanned."""
    start = this_monday - timedelta(weeks=PAST_WEEKS)
    end = this_monday - timedelta(days=1)
    Roster.objects.filter(department=unit, start_date=start, end_date=end).delete()
    TimesheetEntry.objects.filter(department=unit, date__range=(start, end)).delete()
    active = [p for p in people if p.active and p.hire_date <= start]
    if not active:
        return
    roster = Roster.objects.create(
        department=unit, start_date=start, end_date=end, status=Roster.Status.PUBLISHED, engine="demo"
    )
    streak = dict.fromkeys((p.pk for p in active), 0)
    night_before: set[int] = set()
    assignments, entries = [], []
    for offset in range(PAST_WEEKS * 7):
        day = start + timedelta(days=offset)
        order = rng.sample(active, len(active))
        working: set[int] = set()
        nights: set[int] = set()
        for code, (minimum, _preferred) in COVER_PER_25.items():
            wanted = max(1, round(minimum * scale))
            for person in order:
                if wanted == 0:
                    break
                if person.pk in working or streak[person.pk] >= MAX_DAYS_IN_A_ROW:
                    continue
                if code != "N" and person.pk in night_before:
                    continue
                working.add(person.pk)
                if code == "N":
                    nights.add(person.pk)
                wanted -= 1
                assignments.append(
                    RosterAssignment(roster=roster, person=person, date=day, shift_type=shifts[code])
                )
                if rng.random() < 0.92:
                    entries.append(_actual(unit, person, day, shifts[code], rng))
        for person in active:
            streak[person.pk] = streak[person.pk] + 1 if person.pk in working else 0
            if person.pk not in working and rng.random() < 0.01:
                entries.append(_actual(unit, person, day, shifts["E"], rng))  # unplanned
        night_before = nights
    RosterAssignment.objects.bulk_create(assignments, batch_size=2000)
    TimesheetEntry.objects.bulk_create(entries, batch_size=2000)


def _actual(unit, person, day: date, shift: ShiftType, rng: random.Random) -> TimesheetEntry:
    start_minute = shift.start_time.hour * 60 + shift.start_time.minute
    length = shift.duration_minutes + rng.choice([0, 0, 0, 0, 15, 30, 60])
    end_minute = (start_minute + length) % (24 * 60)
    pause = shift.duration_minutes - shift.paid_minutes
    return TimesheetEntry(
        department=unit,
        person=person,
        date=day,
        start=shift.start_time,
        end=time(end_minute // 60, end_minute % 60),
        break_minutes=pause,
        worked_minutes=length - pause,
        shift_type=shift,
        source=TimesheetEntry.Source.CLOCK,
    )


def _seed_budgets(unit, shifts, scale, this_monday: date) -> None:
    """A weekly budget from the past roster's weeks through the next half year: the paid hours of
    minimum cover, plus 5%, priced at an average rate."""
    hours = Decimal(0)
    for code, (minimum, _preferred) in COVER_PER_25.items():
        hours += Decimal(max(1, round(minimum * scale)) * 7 * shifts[code].paid_minutes) / 60
    hours = (hours * Decimal("1.05")).quantize(Decimal(1))
    first = this_monday - timedelta(weeks=PAST_WEEKS)
    rows = [
        LabourBudget(
            department=unit, week_start=first + timedelta(weeks=i), hours=hours, cost=hours * AVERAGE_RATE
        )
        for i in range(PAST_WEEKS + BUDGET_WEEKS)
    ]
    LabourBudget.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["department", "week_start"],
        update_fields=["hours", "cost"],
    )
