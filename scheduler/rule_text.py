"""Every rule in plain words: what it means, its unit, and the sentence a planner reads when a roster breaks
it or pays for it ("Farid Singh needs at least 2 days off in a row after working; this leaves 1 (Thu 10
Dec)").

The solver names a rule, a person, a day and an amount; the numbers a sentence needs beyond those (the
contract's limit, the run the edit leaves) are read here from the person's contract and row. Dates are
written in the reader's language through Django's localisation (`language`, e.g. from Accept-Language).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import formats, translation

from scheduler.solver import domain as sd

POINTS = "points"
CURRENCY = "currency"


@dataclass(frozen=True)
class RuleText:
    name: str  # a few words, for tables and chips
    means: str  # one sentence: what the rule asks
    unit: str = POINTS  # what a soft rule's amount counts in (points, or money for cost terms)


RULES: dict[str, RuleText] = {
    # cells nobody may fill
    "days_off": RuleText(
        "Leave and unavailability", "Nobody works on a day of approved leave or unavailability."
    ),
    "skills_and_certifications": RuleText(
        "Skills and certifications",
        "A shift that needs a skill goes to someone holding it, certified that day.",
    ),
    "shift_types_in_contract": RuleText(
        "Shifts the contract allows", "Nobody works a shift type their contract rules out."
    ),
    # hard rules
    "one_shift_per_day": RuleText("One shift a day", "Nobody works two shifts on the same day."),
    "forbidden_successions": RuleText(
        "Forbidden shift order",
        "Some shifts may not follow each other on consecutive days (a night, then an early).",
    ),
    "min_rest_between_shifts": RuleText(
        "Rest between shifts",
        "Between the end of one shift and the start of the next lie at least the contract's rest hours.",
    ),
    "max_shifts_per_type": RuleText(
        "Shifts of one type", "Nobody works more shifts of a type than their contract allows over the roster."
    ),
    "max_total_minutes": RuleText(
        "Hours over the roster", "Nobody works more hours over the roster than their contract allows."
    ),
    "min_total_minutes": RuleText(
        "Minimum hours over the roster", "Everyone works at least their contract's hours over the roster."
    ),
    "max_weekly_minutes": RuleText(
        "Weekly hours", "Nobody works more hours in a week than their contract allows."
    ),
    "min_weekly_minutes": RuleText(
        "Minimum weekly hours", "Everyone works at least their contract's weekly hours in a full week."
    ),
    "max_weekends": RuleText("Weekends worked", "Nobody works more weekends than their contract allows."),
    "max_consecutive_shifts": RuleText(
        "Days in a row", "Nobody works more days in a row than their contract allows."
    ),
    "min_consecutive_shifts": RuleText(
        "Shortest working stretch", "A working stretch lasts at least the contract's number of days."
    ),
    "min_consecutive_days_off": RuleText(
        "Days off in a row",
        "After working, a person has at least the contract's number of days off in a row.",
    ),
    "max_consecutive_nights": RuleText(
        "Nights in a row", "Nobody works more nights in a row than their contract allows."
    ),
    "pinned_assignments": RuleText(
        "Locked cells", "A cell a planner locked keeps its shift (or day off) in a re-solve."
    ),
    "cover_minimum": RuleText("Minimum cover", "Every shift has at least its minimum number of people."),
    # soft rules: points the solver minimises, or money
    "cover_under_preferred": RuleText(
        "Below preferred cover", "Each person below a shift's preferred cover costs its weight in points."
    ),
    "cover_over_preferred": RuleText(
        "Above preferred cover", "Each person above a shift's preferred cover costs its weight in points."
    ),
    "cover_shortfall_risk": RuleText(
        "Risk of being short-staffed",
        "A shift's chance that demand needs more people than rostered (from the unit's forecast), times "
        "the unit's shortfall-risk weight, in points.",
    ),
    "labour_budget_over": RuleText(
        "Over the labour budget",
        "Each started hour a week is rostered above its budgeted hours, and each currency unit above its "
        "budgeted cost (at base rates), costs the unit's labour-budget weight in points.",
    ),
    "shift_on_requests": RuleText(
        "Shift requests not granted",
        "A person asked to work; not granting it costs the request's weight in points.",
    ),
    "shift_off_requests": RuleText(
        "Day-off requests not granted",
        "A person asked to be off; rostering them costs the request's weight in points.",
    ),
    "fairness_nights": RuleText(
        "Nights shared unevenly",
        "Among people on the same contract, each night between the most and the fewest costs points.",
    ),
    "fairness_weekends": RuleText(
        "Weekends shared unevenly",
        "Among people on the same contract, each weekend between the most and the fewest costs points.",
    ),
    "fairness_minutes": RuleText(
        "Hours shared unevenly",
        "Among people on the same contract, each minute between the most and the fewest hours costs points.",
    ),
    "labour_cost": RuleText("Wages", "Every shift worked costs its hours at the person's rate.", CURRENCY),
    "overtime_cost": RuleText(
        "Overtime premium", "Hours above the contract cost the overtime premium.", CURRENCY
    ),
    "change_from_reference": RuleText(
        "Changes on re-solve", "A re-solve pays points for each cell it changes, so the roster stays stable."
    ),
    # the referee's own checks of a malformed roster
    "roster_length": RuleText("Roster length", "Every person has one cell per day of the roster."),
    "unknown_shift": RuleText("Unknown shift", "Every shift in the roster is one of the unit's shift types."),
}


def rule_name(rule: str) -> str:
    entry = RULES.get(rule)
    return entry.name if entry else rule.replace("_", " ").capitalize()


def rule_means(rule: str) -> str:
    entry = RULES.get(rule)
    return entry.means if entry else ""


def rule_unit(rule: str) -> str:
    entry = RULES.get(rule)
    return entry.unit if entry else POINTS


def local_day(day: date | None, language: str | None = None) -> str:
    """A date as the reader's language writes a short day ("Thu 10 Dec", "Do 10 Dez")."""
    if day is None:
        return "the period"
    with translation.override(language or translation.get_language()):
        return formats.date_format(day, "D j M")


@dataclass(frozen=True)
class Facts:
    """What a sentence may need about one breach: who, when, which shift, and the person's row."""

    rule: str
    person_name: str
    day: date | None
    shift: str | None
    amount: int
    detail: str
    contract: sd.Contract | None
    row: Sequence[str | None]  # shift codes from the roster's first day (None: off)
    start: date
    language: str | None = None

    @property
    def when(self) -> str:
        return local_day(self.day, self.language)

    def run(self, working: bool) -> int:
        """The length of the run of working (or off) days starting on this day."""
        if self.day is None:
            return 0
        i = (self.day - self.start).days
        n = 0
        while 0 <= i < len(self.row) and (self.row[i] is not None) == working:
            n, i = n + 1, i + 1
        return n

    def limit(self, field: str):
        """The contract's value of `field` ("?" without a contract or a limit)."""
        value = getattr(self.contract, field, None) if self.contract else None
        return "?" if value is None else value

    def type_limit(self):
        limits = self.contract.max_shifts_per_type if self.contract else {}
        return limits.get(self.shift or "", "?")

    def hours(self, minutes: int | None) -> str:
        return f"{(minutes or 0) / 60:g} h"


def _hours_sentence(f: Facts, limit_minutes: int | None, *, most: bool, span: str) -> str:
    word = "at most" if most else "at least"
    return f"{f.person_name} may work {word} {f.hours(limit_minutes)} {span}"


# Why a person cannot work a day (the kinds of `sd.Absence` the problem builder makes).
ABSENCE_WORDS = {
    "leave": "is on leave",
    "unavailable": "is unavailable",
    "booked_elsewhere": "already works a shift in another unit",
    "not_yet_hired": "is not hired yet",
    "override": "has a shift kept against a rule",
    "day_off": "has a day off",
    "rules_conflict": "is left out: their own rules cannot all hold",
}

SENTENCES: dict[str, Callable[[Facts], str]] = {
    "days_off": lambda f: f"{f.person_name} {ABSENCE_WORDS.get(f.detail, 'is away')} on {f.when}",
    "skills_and_certifications": lambda f: (
        f"{f.person_name} lacks {f.detail or 'a required skill'} (or its certification) "
        f"for {f.shift} on {f.when}"
    ),
    "shift_types_in_contract": lambda f: f"{f.person_name}'s contract rules out {f.shift} shifts ({f.when})",
    "one_shift_per_day": lambda f: f"{f.person_name} would work two shifts on {f.when}",
    "forbidden_successions": lambda f: (
        f"{f.person_name} may not work {f.shift} straight after the day before ({f.when})"
    ),
    "min_rest_between_shifts": lambda f: (
        f"{f.person_name} needs at least {f.hours(getattr(f.contract, 'min_rest_minutes', None))} of rest "
        f"between shifts; {f.shift} on {f.when} starts too soon after the shift before"
    ),
    "max_shifts_per_type": lambda f: (
        f"{f.person_name} may work at most {f.type_limit()} "
        f"{f.shift} shifts in this roster; this makes {f.amount} too many"
    ),
    "max_total_minutes": lambda f: (
        _hours_sentence(f, getattr(f.contract, "max_total_minutes", None), most=True, span="over this roster")
        + f"; this makes {f.hours(int(f.detail or 0))}"
    ),
    "min_total_minutes": lambda f: (
        _hours_sentence(
            f, getattr(f.contract, "min_total_minutes", None), most=False, span="over this roster"
        )
        + f"; this leaves {f.hours(int(f.detail or 0))}"
    ),
    "max_weekly_minutes": lambda f: (
        _hours_sentence(
            f,
            getattr(f.contract, "max_weekly_minutes", None),
            most=True,
            span=f"in the week of {f.when}",
        )
        + "; this is more"
    ),
    "min_weekly_minutes": lambda f: (
        _hours_sentence(
            f,
            getattr(f.contract, "min_weekly_minutes", None),
            most=False,
            span=f"in the week of {f.when}",
        )
        + "; this is less"
    ),
    "max_weekends": lambda f: (
        f"{f.person_name} may work at most {f.limit('max_weekends')} weekends in this "
        f"roster; this makes {f.amount} more"
    ),
    "max_consecutive_shifts": lambda f: (
        f"{f.person_name} may work at most {f.limit('max_consecutive_shifts')} days in a "
        f"row; this makes {f.run(True)} from {f.when}"
    ),
    "min_consecutive_shifts": lambda f: (
        f"{f.person_name} works at least {f.limit('min_consecutive_shifts')} days in a row "
        f"once started; this leaves {f.run(True)} ({f.when})"
    ),
    "min_consecutive_days_off": lambda f: (
        f"{f.person_name} needs at least {f.limit('min_consecutive_days_off')} days off in "
        f"a row after working; this leaves {f.run(False)} ({f.when})"
    ),
    "max_consecutive_nights": lambda f: (
        f"{f.person_name} may work at most {f.limit('max_consecutive_nights')} nights in a "
        f"row; this makes more from {f.when}"
    ),
    "pinned_assignments": lambda f: (
        f"{f.person_name}'s cell on {f.when} is locked to {f.shift or 'a day off'}"
    ),
    "cover_minimum": lambda f: f"{f.shift} on {f.when} would have {f.amount} fewer people than its minimum",
    "cover_under_preferred": lambda f: (
        f"{f.shift} on {f.when} is below its preferred cover ({f.amount} points)"
    ),
    "cover_over_preferred": lambda f: (
        f"{f.shift} on {f.when} is above its preferred cover ({f.amount} points)"
    ),
    "cover_shortfall_risk": lambda f: (
        f"{f.shift} on {f.when} may be short-staffed if demand runs high ({f.amount} points of risk)"
    ),
    "labour_budget_over": lambda f: (
        f"the week from {f.when} is over its labour budget in {f.detail or 'hours or cost'} "
        f"({f.amount} points)"
    ),
    "shift_on_requests": lambda f: (
        f"{f.person_name} asked to work {f.shift or 'a shift'} on {f.when}; not granted ({f.amount} points)"
    ),
    "shift_off_requests": lambda f: (
        f"{f.person_name} asked to be off{' ' + f.shift if f.shift else ''} on {f.when}; "
        f"not granted ({f.amount} points)"
    ),
    "fairness_nights": lambda f: f"Nights are shared unevenly on one contract ({f.amount} points)",
    "fairness_weekends": lambda f: f"Weekends are shared unevenly on one contract ({f.amount} points)",
    "fairness_minutes": lambda f: f"Hours are shared unevenly on one contract ({f.amount} points)",
    "labour_cost": lambda f: f"{f.person_name}'s {f.shift} on {f.when} costs {f.amount} in wages",
    "overtime_cost": lambda f: (
        f"{f.person_name}'s hours above the contract cost {f.amount} in overtime premium"
    ),
    "change_from_reference": lambda f: (
        f"The re-solve changed {f.person_name}'s cell on {f.when} ({f.amount} points)"
    ),
    "roster_length": lambda f: f"{f.person_name}'s row has the wrong number of days ({f.detail})",
    "unknown_shift": lambda f: f"{f.shift} on {f.when} is not one of the unit's shifts",
}


def sentence(facts: Facts) -> str:
    """The plain-words sentence of one breach or penalty."""
    make = SENTENCES.get(facts.rule)
    if make is None:
        return f"{rule_name(facts.rule)}: {facts.person_name or 'the roster'} on {facts.when}"
    return make(facts)


def describe(
    term: sd.Penalty,
    *,
    problem: sd.Problem,
    names: dict[str, str],
    grid: dict[str, Sequence[str | None]],
    language: str | None = None,
) -> dict:
    """A solver penalty or breach as the API and pages show it: rule, its name, the sentence."""
    person = next((p for p in problem.staff if p.id == term.person), None)
    day = problem.start_date + timedelta(days=term.day) if term.day is not None else None
    facts = Facts(
        rule=term.rule,
        person_name=names.get(term.person or "", term.person or ""),
        day=day,
        shift=term.shift,
        amount=term.amount,
        detail=term.detail,
        contract=person.contract if person else None,
        row=grid.get(term.person or "", ()),
        start=problem.start_date,
        language=language,
    )
    return {"rule": term.rule, "rule_name": rule_name(term.rule), "text": sentence(facts)}
