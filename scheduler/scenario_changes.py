"""What a what-if scenario may change in a roster's inputs, checked here once (the API and the page both
call it), and the scenario's Problem built from the roster's with those changes applied.

A change is never written anywhere but the scenario's own record: contracts, cover, budgets and weights
are changed in memory, in the Problem the scenario is solved on.

Refusals: a malformed value (wrong type, out of range, an unknown key) is a 400 naming the field; a
well-formed value the roster cannot take (a person not found, a date outside the roster, a shift the
unit does not have) is a 422.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from capacity.models import Person
from ops.errors import ApplicationError
from scheduler.models import RULE_WEIGHT_MAX, CoverRequirement, Roster, WorkRules
from scheduler.problem_builder import (
    BuiltProblem,
    build_problem,
    horizon_weeks,
    stored_budgets,
    week_budgets,
)
from scheduler.rule_weights import RULE_WEIGHT_FIELDS, solver_weights
from scheduler.selectors import shift_types_for_unit
from scheduler.solver import domain as sd

CHANGE_KEYS = ("add_people", "remove_people", "cover_scale", "cover", "work_rules", "rule_weights", "budget")
MAX_COVER_SCALE = 10.0
MAX_PEOPLE_CHANGED = 200
MAX_NEW_PEOPLE = 50  # hypothetical hires ("like" someone) per scenario
MAX_BUDGET = Decimal("100000000")
# the contract rules a scenario may change, and the largest value each may take
WORK_RULE_LIMITS = {
    "contract_minutes_per_week": 7 * 24 * 60,
    "min_minutes_per_week": 7 * 24 * 60,
    "max_minutes_per_week": 7 * 24 * 60,
    "min_minutes_per_horizon": 84 * 24 * 60,
    "max_minutes_per_horizon": 84 * 24 * 60,
    "max_consecutive_work_days": 84,
    "min_consecutive_work_days": 84,
    "min_consecutive_days_off": 84,
    "max_weekends_per_horizon": 12,
    "min_rest_hours": 48,
    "max_consecutive_nights": 84,
}
NOT_NULL_RULES = ("contract_minutes_per_week", "min_rest_hours")
NEW_PERSON_PREFIX = "new-"


@dataclass(frozen=True)
class CoverChange:
    day: date
    shift: str
    minimum: int | None
    preferred: int | None


@dataclass(frozen=True)
class ScenarioChanges:
    add_people: tuple[int, ...] = ()
    new_people: tuple[tuple[int, int], ...] = ()  # (like this person, how many)
    remove_people: tuple[int, ...] = ()
    cover_scale: float | None = None
    cover: tuple[CoverChange, ...] = ()
    work_rules: Mapping[int, Mapping[str, int | None]] = field(default_factory=dict)
    rule_weights: Mapping[str, int] = field(default_factory=dict)
    budget: tuple[Decimal | None, Decimal | None] | None = None  # (hours, cost) of every week


def _bad(message: str, name: str, value: Any, status: int = 400) -> ApplicationError:
    return ApplicationError(message, extra={"fields": {name: value}}, status=status)


def _int(value: Any, name: str, *, low: int = 0, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(f"{name} must be a whole number from {low} to {high}", name, value)
    return value


def _ids(value: Any, name: str) -> tuple[int, ...]:
    if not isinstance(value, list) or len(value) > MAX_PEOPLE_CHANGED:
        raise _bad(f"{name} must be a list of at most {MAX_PEOPLE_CHANGED} person ids", name, value)
    ids = tuple(_int(v, name, low=1, high=2**31 - 1) for v in value)
    if len(set(ids)) != len(ids):
        raise _bad(f"{name} names a person twice", name, value)
    return ids


def _add_people(value: Any) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
    """Person ids (borrowed from other units for the period) or {"like": id, "count": n} (new hires on
    that person's contract, skills and rate)."""
    if not isinstance(value, list) or len(value) > MAX_PEOPLE_CHANGED:
        raise _bad(f"add_people must be a list of at most {MAX_PEOPLE_CHANGED} items", "add_people", value)
    borrowed, new = [], []
    for item in value:
        if isinstance(item, dict):
            if set(item) - {"like", "count"} or "like" not in item:
                raise _bad('A new person is {"like": person id, "count": n}', "add_people", item)
            new.append(
                (
                    _int(item["like"], "add_people.like", low=1, high=2**31 - 1),
                    _int(item.get("count", 1), "add_people.count", low=1, high=MAX_NEW_PEOPLE),
                )
            )
        else:
            borrowed.append(_int(item, "add_people", low=1, high=2**31 - 1))
    if sum(n for _, n in new) > MAX_NEW_PEOPLE:
        raise _bad(f"At most {MAX_NEW_PEOPLE} new people per scenario", "add_people", value)
    if len(set(borrowed)) != len(borrowed):
        raise _bad("add_people names a person twice", "add_people", value)
    return tuple(borrowed), tuple(new)


def _scale(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= MAX_COVER_SCALE:
        raise _bad(
            f"cover_scale must be a number above 0 and at most {MAX_COVER_SCALE:g}", "cover_scale", value
        )
    if not math.isfinite(value):
        raise _bad("cover_scale must be finite", "cover_scale", value)
    return float(value)


def _cover(value: Any) -> tuple[CoverChange, ...]:
    if not isinstance(value, list) or len(value) > 5000:
        raise _bad('cover must be a list of {"date", "shift", "minimum", "preferred"}', "cover", value)
    changes = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"date", "shift", "minimum", "preferred"}:
            raise _bad('A cover change is {"date", "shift", "minimum", "preferred"}', "cover", item)
        try:
            day = date.fromisoformat(item.get("date"))
        except (TypeError, ValueError):
            raise _bad("cover.date must be a date (YYYY-MM-DD)", "cover.date", item.get("date")) from None
        shift = item.get("shift")
        if not isinstance(shift, str) or not shift:
            raise _bad("cover.shift must be a shift code", "cover.shift", shift)
        levels = {k: _int(item[k], f"cover.{k}", high=1000) for k in ("minimum", "preferred") if k in item}
        if not levels:
            raise _bad("A cover change sets minimum, preferred or both", "cover", item)
        changes.append(CoverChange(day, shift, levels.get("minimum"), levels.get("preferred")))
    return tuple(changes)


def _work_rules(value: Any) -> dict[int, dict[str, int | None]]:
    if not isinstance(value, dict) or len(value) > 100:
        raise _bad('work_rules must be {"<work rules id>": {"<rule>": value}}', "work_rules", value)
    result: dict[int, dict[str, int | None]] = {}
    for key, rules in value.items():
        try:
            rules_id = int(key)
        except (TypeError, ValueError):
            rules_id = 0
        if not 1 <= rules_id <= 2**31 - 1:
            raise _bad("work_rules is keyed by work rules id", "work_rules", key)
        if not isinstance(rules, dict) or not rules:
            raise _bad("Each work rules change is {rule: value}", f"work_rules.{key}", rules)
        unknown = sorted(set(rules) - set(WORK_RULE_LIMITS))
        if unknown:
            raise ApplicationError(
                "Unknown contract rules",
                extra={"fields": {"work_rules": unknown}, "allowed": list(WORK_RULE_LIMITS)},
            )
        result[rules_id] = {}
        for name, limit in WORK_RULE_LIMITS.items():
            if name not in rules:
                continue
            if rules[name] is None and name not in NOT_NULL_RULES:
                result[rules_id][name] = None
            else:
                result[rules_id][name] = _int(rules[name], f"work_rules.{key}.{name}", high=limit)
    return result


def _rule_weights(value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        raise _bad("rule_weights must be {rule: weight}", "rule_weights", value)
    unknown = sorted(set(value) - set(RULE_WEIGHT_FIELDS))
    if unknown:
        raise ApplicationError(
            "Unknown rule weights",
            extra={"fields": {"rule_weights": unknown}, "allowed": list(RULE_WEIGHT_FIELDS)},
        )
    return {name: _int(v, f"rule_weights.{name}", high=RULE_WEIGHT_MAX) for name, v in value.items()}


def _amount(value: Any, name: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _bad(f"{name} must be a number", name, value)
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise _bad(f"{name} must be a number", name, value) from None
    if not amount.is_finite() or not 0 <= amount <= MAX_BUDGET:
        raise _bad(f"{name} must be from 0 to {MAX_BUDGET}", name, value)
    return amount


def _budget(value: Any) -> tuple[Decimal | None, Decimal | None]:
    if not isinstance(value, dict) or set(value) - {"hours", "cost"} or not value:
        raise _bad('budget must be {"hours": h, "cost": c} (either may be left out)', "budget", value)
    return _amount(value.get("hours"), "budget.hours"), _amount(value.get("cost"), "budget.cost")


def scenario_changes_parse(raw: Any) -> ScenarioChanges:
    """The changes' shape (400 on anything malformed)."""
    if not isinstance(raw, dict):
        raise _bad("changes must be an object", "changes", raw)
    unknown = sorted(set(raw) - set(CHANGE_KEYS))
    if unknown:
        raise ApplicationError(
            "Unknown scenario changes", extra={"fields": {"changes": unknown}, "allowed": list(CHANGE_KEYS)}
        )
    if not raw:
        raise ApplicationError("A scenario changes at least one input", extra={"allowed": list(CHANGE_KEYS)})
    borrowed, new = _add_people(raw["add_people"]) if "add_people" in raw else ((), ())
    return ScenarioChanges(
        add_people=borrowed,
        new_people=new,
        remove_people=_ids(raw["remove_people"], "remove_people") if "remove_people" in raw else (),
        cover_scale=_scale(raw["cover_scale"]) if "cover_scale" in raw else None,
        cover=_cover(raw["cover"]) if "cover" in raw else (),
        work_rules=_work_rules(raw["work_rules"]) if "work_rules" in raw else {},
        rule_weights=_rule_weights(raw["rule_weights"]) if "rule_weights" in raw else {},
        budget=_budget(raw["budget"]) if "budget" in raw else None,
    )


def scenario_changes_check(changes: ScenarioChanges, *, roster: Roster) -> None:
    """What the roster cannot take (422): people, shifts, dates and contracts that are not there."""
    unit = roster.department
    added = set(changes.add_people)
    found = dict(
        Person.objects.filter(pk__in=added | set(changes.remove_people)).values_list("pk", "department_id")
    )
    missing = sorted(added - {pk for pk in found})
    if missing:
        raise _bad("add_people names people that do not exist", "add_people", missing, 422)
    already = sorted(pk for pk in added if found[pk] == unit.pk)
    if already:
        raise _bad("add_people names people of this unit already", "add_people", already, 422)
    strangers = sorted(pk for pk in changes.remove_people if found.get(pk) != unit.pk)
    if strangers:
        raise _bad("remove_people names people who are not in this unit", "remove_people", strangers, 422)
    if added & set(changes.remove_people):
        raise _bad(
            "A person is both added and removed",
            "remove_people",
            sorted(added & set(changes.remove_people)),
            422,
        )
    likes = {like for like, _ in changes.new_people}
    in_problem = set(Person.objects.filter(pk__in=likes, department=unit).values_list("pk", flat=True)) | (
        likes & added
    )
    unknown_likes = sorted(likes - in_problem - set(changes.remove_people))
    if unknown_likes or likes & set(changes.remove_people):
        raise _bad(
            "add_people: a new hire is like someone in the scenario (of the unit or added)",
            "add_people",
            sorted(likes - in_problem),
            422,
        )
    codes = {s.code for s in shift_types_for_unit(unit)}
    for change in changes.cover:
        if not roster.start_date <= change.day <= roster.end_date:
            raise _bad("cover.date is outside the roster", "cover.date", change.day.isoformat(), 422)
        if change.shift not in codes:
            raise _bad("cover.shift is not a shift of this unit", "cover.shift", change.shift, 422)
    rules = set(changes.work_rules)
    unknown_rules = sorted(rules - set(WorkRules.objects.filter(pk__in=rules).values_list("pk", flat=True)))
    if unknown_rules:
        raise _bad("work_rules names contracts that do not exist", "work_rules", unknown_rules, 422)


def _half_up(value: float) -> int:
    return math.floor(value + 0.5)


def _scaled(cover: sd.Cover, factor: float) -> sd.Cover:
    minimum = _half_up(cover.minimum * factor)
    return dataclasses.replace(
        cover, minimum=minimum, preferred=max(_half_up(cover.preferred * factor), minimum)
    )


def _changed_cover(problem: sd.Problem, start: date, changes: ScenarioChanges) -> tuple[sd.Cover, ...]:
    cover = list(problem.cover)
    if changes.cover_scale is not None:
        cover = [_scaled(c, changes.cover_scale) for c in cover]
    defaults = CoverRequirement._meta
    for change in changes.cover:
        day = (change.day - start).days
        at = next(
            (i for i, c in enumerate(cover) if (c.day, c.shift, c.skill) == (day, change.shift, None)), None
        )
        current = (
            cover[at]
            if at is not None
            else sd.Cover(
                day=day,
                shift=change.shift,
                weight_under=defaults.get_field("under_weight").default,
                weight_over=defaults.get_field("over_weight").default,
            )
        )
        minimum = current.minimum if change.minimum is None else change.minimum
        preferred = current.preferred if change.preferred is None else change.preferred
        updated = dataclasses.replace(current, minimum=minimum, preferred=max(preferred, minimum))
        if at is None:
            cover.append(updated)
        else:
            cover[at] = updated
    return tuple(cover)


def scenario_problem(roster: Roster, changes: ScenarioChanges) -> tuple[BuiltProblem, dict[str, str]]:
    """The scenario's Problem (built from the roster's, changed), and every person's name by solver id
    (new hires named after the person they are like)."""
    unit = roster.department
    weights = dataclasses.replace(solver_weights(unit=unit), **changes.rule_weights)
    built = build_problem(
        roster,
        weights=weights,
        add_people=changes.add_people,
        remove_people=changes.remove_people,
        work_rules=changes.work_rules,
    )
    problem = built.problem
    names = {pid: person.name for pid, person in built.people.items()}
    staff = list(problem.staff)
    serial = 0
    for like, count in changes.new_people:
        if str(like) not in names:  # not hired yet by the roster's end: nobody to be like
            raise _bad("add_people: a new hire is like someone not in the scenario", "add_people", like, 422)
        for _ in range(count):
            serial += 1
            new_id = f"{NEW_PERSON_PREFIX}{serial}"
            staff.append(dataclasses.replace(problem.person(str(like)), id=new_id))
            names[new_id] = f"New hire {serial} (like {names[str(like)]})"
    budgets = problem.budgets
    if changes.budget is not None:
        hours, cost = changes.budget
        stored = stored_budgets(unit, roster.start_date, problem.num_days)
        amounts = {
            monday: (
                hours if hours is not None else stored.get(monday, (None, None))[0],
                cost if cost is not None else stored.get(monday, (None, None))[1],
            )
            for monday in horizon_weeks(roster.start_date, problem.num_days)
        }
        budgets = week_budgets(roster.start_date, problem.num_days, amounts)
    changed = dataclasses.replace(
        problem,
        staff=tuple(staff),
        cover=_changed_cover(problem, roster.start_date, changes),
        budgets=budgets,
        name=f"{problem.name} (scenario)",
    )
    return dataclasses.replace(built, problem=changed), names
