"""Build the solver's `Problem` for a roster from the database.

Rows become frozen dataclasses here and nowhere else; ids become strings (person primary keys, shift
codes, skill names) so the solver's explanations read naturally once mapped back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from capacity.models import AssignmentWeekHours, LabourBudget, Leave, Person
from capacity.selectors import people_rostered_in
from capacity.weeks import monday_of
from scheduler.models import (
    CoverRequirement,
    PersonContract,
    Roster,
    RosterAssignment,
    RosterDayOff,
    ShiftRequest,
    ShiftType,
)
from scheduler.pay_rates import PersonTerms, RateBook, rate_book
from scheduler.selectors import shift_types_for_unit
from scheduler.shift_risk import shift_needs, short_risk
from scheduler.solver import domain as sd

HISTORY_DAYS = 14
# Labour cost enters the objective in whole currency units per hour, beside cover penalties: a missing
# preferred person (CoverRequirement.under_weight, 500 by default) outweighs one shift's wages, so cost
# decides between rosters of equal cover rather than trading cover away.
COST_UNITS_PER_CURRENCY = 1


@dataclass(frozen=True)
class ProjectMinutes:
    """A person's project commitments over a horizon: the busiest and the quietest full week's, and the
    horizon's whole (minutes)."""

    busiest: int = 0
    quietest: int = 0
    total: int = 0


@dataclass(frozen=True)
class BuiltProblem:
    problem: sd.Problem
    people: dict[str, Person]
    shift_types: dict[str, ShiftType]


def _contract(
    rules, *, weeks: float, projects: ProjectMinutes = ProjectMinutes(), available_share: float = 1.0
) -> sd.Contract:
    """The solver's contract for one person. Hours promised to projects are work under the same contract:
    they are not available for shifts (the weekly and horizon maximums lose them) and they count towards
    the minimums (which lose them too). The solver has one weekly bound for every week, so the maximum
    loses the busiest week's project hours and the minimum the quietest week's; where that leaves the
    minimum above the maximum (project hours that vary from week to week), the minimum is the maximum,
    which no week can break. Before, the minimum kept its project hours: a person with 32 of a 48-hour
    maximum on projects had a 16-hour ceiling under a 24-hour floor, and their whole unit's roster came
    back empty ("the contract rules cannot all hold")."""
    if rules is None:
        return sd.Contract(id="none")
    max_week = rules.max_minutes_per_week
    max_total = rules.max_minutes_per_horizon
    if projects.busiest:
        max_week = max(0, (max_week if max_week is not None else 7 * 24 * 60) - projects.busiest)
    if projects.total and max_total is not None:
        max_total = max(0, max_total - projects.total)
    # A week with leave cannot demand the full weekly minimum: prorate it by the share of days the person
    # is available in their least available week (a whole week away waives it).
    min_week = _floor(rules.min_minutes_per_week, available_share, projects.quietest, max_week)
    min_total = _floor(rules.min_minutes_per_horizon, available_share, projects.total, max_total)
    return sd.Contract(
        id=f"rules-{rules.id}" + (f"-p{projects.busiest}" if projects.busiest else ""),
        max_shifts_per_type=dict(rules.max_shifts_per_type or {}),
        max_total_minutes=max_total,
        max_weekly_minutes=max_week,
        min_weekly_minutes=min_week,
        min_total_minutes=min_total,
        max_consecutive_shifts=rules.max_consecutive_work_days,
        min_consecutive_shifts=rules.min_consecutive_work_days,
        min_consecutive_days_off=rules.min_consecutive_days_off,
        max_weekends=rules.max_weekends_per_horizon,
        max_consecutive_nights=rules.max_consecutive_nights,
        min_rest_minutes=rules.min_rest_hours * 60 if rules.min_rest_hours else None,
        contract_minutes=round(rules.contract_minutes_per_week * weeks),
    )


def _floor(
    minimum: int | None, available_share: float, project_minutes: int, ceiling: int | None
) -> int | None:
    if not minimum:
        return None
    floor = max(0, int(minimum * available_share) - project_minutes)
    if ceiling is not None:
        floor = min(floor, ceiling)
    return floor or None


def build_problem(
    roster: Roster,
    *,
    weights: sd.Weights | None = None,
    use_reference: bool = False,
    for_solver: bool = True,
    add_people: Iterable[int] = (),
    remove_people: Iterable[int] = (),
    work_rules: Mapping[int, Mapping[str, int | None]] | None = None,
) -> BuiltProblem:
    """The roster's Problem. `for_solver=False` (checking an edit) keeps overridden cells in the roster as
    plain pins, so the check sees the roster as it is. A scenario (scheduler.scenario_changes) adds people
    of other units for the period, leaves people of the unit out, and changes contracts' rules (by work
    rules id, field -> value) in memory only."""
    unit = roster.department
    start, end = roster.start_date, roster.end_date
    num_days = (end - start).days + 1
    weeks = num_days / 7

    shifts = shift_types_for_unit(unit)
    shift_by_id = {s.code: s for s in shifts}
    shift_code_by_pk = {s.pk: s.code for s in shifts}
    shift_types = tuple(
        sd.ShiftType(
            id=s.code,
            length_minutes=s.duration_minutes,
            start_minute=s.start_time.hour * 60 + s.start_time.minute,
            night=s.is_night,
        )
        for s in shifts
    )

    people = list(
        Person.objects.filter(
            Q(pk__in=people_rostered_in(unit_id=unit.pk).values("pk")) | Q(pk__in=list(add_people)),
            active=True,
            hire_date__lte=end,
        )
        .exclude(pk__in=list(remove_people))
        .prefetch_related("skills__skill")
        .order_by("id")
    )
    person_ids = [p.pk for p in people]
    rules_by_person = {
        c.person_id: c.work_rules
        for c in PersonContract.objects.filter(person_id__in=person_ids).select_related("work_rules")
    }
    for rules in rules_by_person.values():
        for name, value in (work_rules or {}).get(rules.pk, {}).items():
            setattr(rules, name, value)  # never saved: a scenario's contract
    project_minutes = _project_minutes_per_week(person_ids, start, end)

    day_index = {start + timedelta(days=i): i for i in range(num_days)}
    absences = _absences(
        person_ids, roster, start, end, day_index, hire_dates={p.pk: p.hire_date for p in people}
    )
    away: dict[str, set[int]] = defaultdict(set)
    for absence in absences:
        away[absence.person].add(absence.day)

    rates = rate_book(
        people={
            p.pk: PersonTerms(
                p.role_id,
                rules_by_person[p.pk].pk if p.pk in rules_by_person else None,
                rules_by_person[p.pk].contract_minutes_per_week if p.pk in rules_by_person else None,
            )
            for p in people
        },
        start=start,
        end=end,
    )
    horizon = [start + timedelta(days=i) for i in range(num_days)]

    staff = []
    for person in people:
        rules = rules_by_person.get(person.pk)
        rate, premium = _solver_rate(rates, person.pk, horizon)
        staff.append(
            sd.Person(
                id=str(person.pk),
                contract=_contract(
                    rules,
                    weeks=weeks,
                    projects=project_minutes.get(person.pk, ProjectMinutes()),
                    available_share=_least_available_share(
                        start,
                        num_days,
                        away.get(str(person.pk), set()),
                        (rules.min_consecutive_work_days or 1) if rules is not None else 1,
                    ),
                ),
                skills={ps.skill.name: ps.certified_until for ps in person.skills.all()},
                hourly_rate=rate,
                overtime_premium=premium,
            )
        )

    risk = {}
    if weights is not None and weights.cover_shortfall_risk:
        needs, _ = shift_needs(unit=unit, start=start, end=end)
        risk = {key: short_risk(need) for key, need in needs.items() if key[1] in shift_by_id}
    cover = _cover(unit, start, end, day_index, shift_code_by_pk, risk)
    requests = tuple(
        sd.ShiftRequest(
            person=str(r.person_id),
            day=day_index[r.date],
            shift=shift_code_by_pk.get(r.shift_type_id) if r.shift_type_id else None,
            weight=r.weight,
            on=r.kind == ShiftRequest.Kind.ON,
        )
        for r in ShiftRequest.objects.filter(person_id__in=person_ids, date__range=(start, end))
        if r.shift_type_id is None or r.shift_type_id in shift_code_by_pk
    )
    absences = _absences(
        person_ids, roster, start, end, day_index, hire_dates={p.pk: p.hire_date for p in people}
    )
    own = list(RosterAssignment.objects.filter(roster=roster).order_by("date", "person_id"))
    pins, absences, external_cover = _locks(
        roster, own, people, set(person_ids), day_index, shift_code_by_pk, absences, for_solver=for_solver
    )
    reference = None
    if use_reference:
        grid = {str(pid): [None] * num_days for pid in person_ids}
        for a in own:
            if str(a.person_id) in grid and a.shift_type_id in shift_code_by_pk:
                grid[str(a.person_id)][day_index[a.date]] = shift_code_by_pk[a.shift_type_id]
        reference = {pid: tuple(row) for pid, row in grid.items()}

    problem = sd.Problem(
        start_date=start,
        num_days=num_days,
        shift_types=shift_types,
        staff=tuple(staff),
        cover=cover,
        requests=requests,
        absences=absences,
        pins=pins,
        external_cover=external_cover,
        history=_history(unit, roster, person_ids, start, shift_code_by_pk),
        reference=reference,
        weights=weights or sd.Weights(),
        budgets=_budgets(unit, start, num_days),
        name=f"{unit.name} {start}..{end}",
    )
    return BuiltProblem(problem=problem, people={str(p.pk): p for p in people}, shift_types=shift_by_id)


def _locks(roster, own, people, person_ids, day_index, shift_code_by_pk, absences, *, for_solver: bool):
    """A planner's locked cells. A locked shift or day off becomes a pin the solver keeps. A locked shift
    kept against a hard rule (an override with a reason) cannot be a pin: the solver would find the rule
    and the pin irreconcilable. It is taken out of the problem instead (the person is away that day, their
    shift counts as cover from outside), so the solver rosters around it and the write keeps the row."""
    pins: list[sd.Pin] = []
    away = list(absences)
    external: dict[tuple[int, str, str | None], int] = defaultdict(int)
    skills_of = {p.pk: p for p in people}
    for a in own:
        if not a.pinned or a.person_id not in person_ids or a.shift_type_id not in shift_code_by_pk:
            continue
        code = shift_code_by_pk[a.shift_type_id]
        if not (a.override_reason and for_solver):
            pins.append(sd.Pin(person=str(a.person_id), day=day_index[a.date], shift=code))
            continue
        away.append(sd.Absence(person=str(a.person_id), day=day_index[a.date], kind="override"))
        external[(day_index[a.date], code, None)] += 1
        for held in skills_of[a.person_id].skills.all():
            if held.certified_until is None or held.certified_until >= a.date:
                external[(day_index[a.date], code, held.skill.name)] += 1
    for person_id, day in RosterDayOff.objects.filter(roster=roster).values_list("person_id", "date"):
        if person_id in person_ids:
            pins.append(sd.Pin(person=str(person_id), day=day_index[day], shift=None))
    kept = {(a.person, a.day) for a in away if a.kind == "override"}
    absences = tuple(a for a in away if a.kind == "override" or (a.person, a.day) not in kept)
    return tuple(pins), tuple(sorted(absences, key=lambda a: (a.person, a.day))), dict(external)


def horizon_weeks(start: date, num_days: int) -> dict[date, list[int]]:
    """Monday -> the day indexes of that week inside a horizon."""
    weeks: dict[date, list[int]] = defaultdict(list)
    for day in range(num_days):
        weeks[monday_of(start + timedelta(days=day))].append(day)
    return dict(weeks)


def week_budgets(
    start: date, num_days: int, amounts: Mapping[date, tuple[Decimal | None, Decimal | None]]
) -> tuple[sd.Budget, ...]:
    """The solver's budgets from (hours, cost) per Monday; a week cut by the horizon's start or end gets the
    share of its budget its days inside are. None: that measure is not limited."""
    budgets = []
    for monday, days in sorted(horizon_weeks(start, num_days).items()):
        hours, cost = amounts.get(monday, (None, None))
        if hours is None and cost is None:
            continue
        share = Decimal(len(days)) / 7
        budgets.append(
            sd.Budget(
                days=tuple(days),
                minutes=None if hours is None else int(hours * 60 * share),
                cost=None if cost is None else int(cost * share * COST_UNITS_PER_CURRENCY),
            )
        )
    return tuple(budgets)


def stored_budgets(unit, start: date, num_days: int) -> dict[date, tuple[Decimal | None, Decimal | None]]:
    mondays = list(horizon_weeks(start, num_days))
    rows = LabourBudget.objects.filter(department=unit, week_start__in=mondays)
    return {row.week_start: (row.hours, row.cost) for row in rows}


def _budgets(unit, start: date, num_days: int) -> tuple[sd.Budget, ...]:
    """The unit's labour budget of each week the roster touches."""
    return week_budgets(start, num_days, stored_budgets(unit, start, num_days))


def _solver_rate(rates: RateBook, person_id: int, days: list[date]) -> tuple[int, int]:
    """(hourly rate, overtime premium per hour) in cost units for the solver's `Person`.

    The solver's domain holds one rate per person for the whole horizon, so a rate that changes within the
    horizon enters as its mean over the days (weighted by days valid); night, weekend and holiday
    multipliers do not enter the objective at all. Roster cost (scheduler.selectors) prices every shift
    at the rate of its own date."""
    hourly = overtime = Decimal(0)
    for day in days:
        rate = rates.rate_on(person_id, day)
        if rate is not None:
            hourly += rate.hourly
            overtime += rate.hourly * (rate.overtime - 1)
    mean = hourly / len(days) * COST_UNITS_PER_CURRENCY
    return int(round(mean)), int(round(overtime / len(days) * COST_UNITS_PER_CURRENCY))


def _least_available_share(start: date, num_days: int, away_days: set[int], min_run: int = 1) -> float:
    """The smallest share of available days over the complete calendar weeks of the horizon.

    A day counts only if the days available around it (up to leave or the horizon's start) make a run of
    at least `min_run` (the minimum consecutive shifts): a Monday between last week's days off and a week
    of leave can hold no legal shift, so a week with only such a day waives the weekly minimum (the
    medium demo's leave, drawn relative to today, made that week's prorated minimum, one shift, clash with
    a minimum run of two, and the unit's roster infeasible on some dates). A run reaching the horizon's
    end may go on past it."""
    if not away_days:
        return 1.0
    usable: set[int] = set()
    day = 0
    while day < num_days:
        if day in away_days:
            day += 1
            continue
        end = day
        while end < num_days and end not in away_days:
            end += 1
        if end - day >= min_run or end == num_days:
            usable.update(range(day, end))
        day = end
    share = 1.0
    first_monday = (7 - start.weekday()) % 7
    for week_start in range(first_monday, num_days - 6, 7):
        present = sum(1 for d in range(week_start, week_start + 7) if d in usable)
        share = min(share, present / 7)
    return share


def _project_minutes_per_week(person_ids, start: date, end: date) -> dict[int, ProjectMinutes]:
    """Each person's project commitments over the horizon's weeks, in minutes (a week without any: 0)."""
    per_person_week: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
    rows = AssignmentWeekHours.objects.filter(
        person_id__in=person_ids, week_start__gte=monday_of(start), week_start__lte=end
    ).values_list("person_id", "week_start", "hours")
    for person_id, week, hours in rows:
        per_person_week[(person_id, week)] += hours
    weeks = horizon_weeks(start, (end - start).days + 1)
    by_person: dict[int, dict[date, int]] = defaultdict(dict)
    for (person_id, week), hours in per_person_week.items():
        by_person[person_id][week] = int(hours * 60)
    full_weeks = [monday for monday, days in weeks.items() if len(days) == 7]
    result: dict[int, ProjectMinutes] = {}
    for person_id, minutes in by_person.items():
        result[person_id] = ProjectMinutes(
            busiest=max(minutes.values()),
            # the weekly minimum holds in full calendar weeks only (sd.Contract.min_weekly_minutes)
            quietest=min((minutes.get(monday, 0) for monday in full_weeks), default=0),
            # the horizon's share of each week's promise, as week_budgets shares a cut week's budget
            total=int(sum(m * len(weeks.get(monday, ())) / 7 for monday, m in minutes.items())),
        )
    return result


def _cover(unit, start, end, day_index, shift_code_by_pk, risk) -> tuple[sd.Cover, ...]:
    """Manual requirements override forecast ones for the same day, shift and skill. The chance of being
    short (`risk`, by day and shift code) goes on the shift's requirement counting everyone, or on a
    requirement of its own (no minimum, no preferred level) where the shift has none."""
    chosen: dict[tuple, CoverRequirement] = {}
    rows = CoverRequirement.objects.filter(department=unit, date__range=(start, end)).select_related("skill")
    for row in rows:
        if row.shift_type_id not in shift_code_by_pk:
            continue
        key = (row.date, row.shift_type_id, row.skill_id)
        current = chosen.get(key)
        if current is None or (
            current.source == CoverRequirement.Source.FORECAST
            and row.source == CoverRequirement.Source.MANUAL
        ):
            chosen[key] = row
    cover = [
        sd.Cover(
            day=day_index[row.date],
            shift=shift_code_by_pk[row.shift_type_id],
            minimum=row.minimum,
            preferred=row.preferred,
            weight_under=row.under_weight,
            weight_over=row.over_weight,
            skill=row.skill.name if row.skill_id else None,
            short_risk=risk.get((row.date, shift_code_by_pk[row.shift_type_id]), ())
            if not row.skill_id
            else (),
        )
        for row in sorted(chosen.values(), key=lambda r: (r.date, r.shift_type_id, r.skill_id or 0))
    ]
    covered = {(row.date, shift_code_by_pk[row.shift_type_id]) for row in chosen.values() if not row.skill_id}
    cover += [
        sd.Cover(day=day_index[day], shift=code, short_risk=chances)
        for (day, code), chances in sorted(risk.items())
        if (day, code) not in covered and day in day_index
    ]
    return tuple(cover)


def _absences(person_ids, roster, start, end, day_index, *, hire_dates) -> tuple[sd.Absence, ...]:
    cells: dict[tuple[str, int], str] = {}
    leaves = Leave.objects.filter(
        person_id__in=person_ids, status=Leave.Status.APPROVED, start_date__lte=end, end_date__gte=start
    )
    for leave in leaves:
        kind = "unavailable" if leave.kind == Leave.Kind.UNAVAILABLE else "leave"
        day = max(leave.start_date, start)
        while day <= min(leave.end_date, end):
            cells[(str(leave.person_id), day_index[day])] = kind
            day += timedelta(days=1)
    # shifts these people already hold in other units' rosters: no double booking
    for person_id, day in booked_elsewhere(person_ids=person_ids, roster=roster, start=start, end=end):
        cells.setdefault((str(person_id), day_index[day]), "booked_elsewhere")
    for person_id, hired in hire_dates.items():
        day = start
        while day < hired and day <= end:
            cells.setdefault((str(person_id), day_index[day]), "not_yet_hired")
            day += timedelta(days=1)
    return tuple(sd.Absence(person=p, day=d, kind=k) for (p, d), k in sorted(cells.items()))


def booked_elsewhere(*, person_ids, roster: Roster, start: date, end: date) -> set[tuple[int, date]]:
    """(person, day) cells where these people already work a shift in another unit's roster (any roster
    but a draft: solving, solved or published), the days a roster here must leave them off."""
    return set(
        RosterAssignment.objects.filter(person_id__in=person_ids, date__range=(start, end))
        .exclude(roster__department_id=roster.department_id)
        .exclude(roster__status=Roster.Status.DRAFT)
        .values_list("person_id", "date")
    )


def lock_shared_people(*, person_ids, unit_id: int) -> list[int]:
    """Row-lock (in id order, so two writers never wait on each other in a circle) those of these people
    who may be rostered in more than one unit, and return their ids. A solve's write and a planner's
    edit take these locks before they look at other units' rosters, so two units cannot both book the
    same person on the same day, whichever commits first."""
    shared = Person.objects.filter(id__in=list(person_ids)).filter(
        ~Q(department_id=unit_id) | Q(other_units__isnull=False)
    )
    return list(
        Person.objects.select_for_update()
        .filter(id__in=shared.values("id"))
        .order_by("id")
        .values_list("id", flat=True)
    )


def _history(unit, roster, person_ids, start, shift_code_by_pk) -> dict[str, tuple[str | None, ...]]:
    """The last days before this roster, from the unit's latest solved or published roster before it."""
    first = start - timedelta(days=HISTORY_DAYS)
    candidates = Roster.objects.filter(department=unit, start_date__lt=start, end_date__gte=first).exclude(
        pk=roster.pk
    )
    previous = (
        candidates.filter(status=Roster.Status.PUBLISHED).order_by("-end_date", "-version").first()
        or candidates.filter(status=Roster.Status.SOLVED).order_by("-end_date", "-version").first()
    )
    if previous is None:
        return {}
    grid = {str(pid): [None] * HISTORY_DAYS for pid in person_ids}
    rows = RosterAssignment.objects.filter(roster=previous, date__gte=first, date__lt=start).values_list(
        "person_id", "date", "shift_type_id"
    )
    for person_id, day, shift_pk in rows:
        if str(person_id) in grid and shift_pk in shift_code_by_pk:
            grid[str(person_id)][(day - first).days] = shift_code_by_pk[shift_pk]
    return {pid: tuple(row) for pid, row in grid.items()}
