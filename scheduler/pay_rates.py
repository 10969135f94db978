"""Pay rates over time: the writes (no overlaps for one subject, on every database) and the read that
answers "which rate applies to this person on this day" for many people and days in one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from capacity.models import Person, Role
from ops import audit
from ops.cache import bump
from ops.errors import ApplicationError
from scheduler.models import PayRate, WorkRules

# a rate's validity and terms, in the order of `Rate`'s fields after its id
RATE_TERMS = (
    "valid_from",
    "valid_to",
    "hourly_rate",
    "overtime_multiplier",
    "night_multiplier",
    "weekend_multiplier",
    "holiday_multiplier",
)
PAY_RATE_FIELDS = ("person", "role", "work_rules", *RATE_TERMS)


def _subject(rate: PayRate) -> Q:
    if rate.person_id is not None:
        return Q(person_id=rate.person_id)
    return Q(person__isnull=True, role_id=rate.role_id, work_rules_id=rate.work_rules_id)


def _refuse_overlap(rate: PayRate) -> None:
    """409 naming the rows this rate's validity overlaps. Lock the subject's rows first, so two writers
    cannot both pass the check (PostgreSQL's exclusion constraint would also refuse the second)."""
    others = PayRate.objects.select_for_update().filter(_subject(rate)).exclude(pk=rate.pk)
    overlapping = others.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=rate.valid_from))
    if rate.valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=rate.valid_to)
    clashes = list(overlapping.values("id", "valid_from", "valid_to"))
    if clashes:
        raise ApplicationError(
            "The rate's validity overlaps another rate of the same person, or role and contract",
            extra={
                "overlaps": [
                    {
                        "id": c["id"],
                        "valid_from": c["valid_from"].isoformat(),
                        "valid_to": c["valid_to"].isoformat() if c["valid_to"] else None,
                    }
                    for c in clashes
                ]
            },
            status=409,
        )


def _department_of(rate: PayRate) -> int | None:
    # a person's rate is scoped to their unit; a role's rate is a shared catalogue entry (no department)
    return rate.person.department_id if rate.person_id else None


def _save(rate: PayRate, action: str) -> PayRate:
    stored = PayRate.objects.filter(pk=rate.pk).first() if rate.pk else None
    try:
        rate.full_clean()
    except ValidationError as exc:
        raise ApplicationError("Invalid pay rate", extra={"fields": exc.message_dict}) from exc
    _refuse_overlap(rate)
    try:
        with transaction.atomic():
            rate.save()
    except IntegrityError as exc:  # the exclusion constraint, when a concurrent writer got in first
        raise ApplicationError(
            "The rate's validity overlaps another rate", extra={"error": str(exc)}, status=409
        ) from exc
    audit.record(
        action=action,
        obj=rate,
        department_id=_department_of(rate),
        before=audit.snapshot(stored),
        after=audit.snapshot(rate),
    )
    # roster costs and the labour reports read rates
    bump("roster", "capacity")
    return rate


@transaction.atomic
def pay_rate_create(
    *,
    valid_from: date,
    hourly_rate: Decimal,
    person: Person | None = None,
    role: Role | None = None,
    work_rules: WorkRules | None = None,
    valid_to: date | None = None,
    overtime_multiplier: Decimal = Decimal("1.5"),
    night_multiplier: Decimal = Decimal(1),
    weekend_multiplier: Decimal = Decimal(1),
    holiday_multiplier: Decimal = Decimal(1),
) -> PayRate:
    if (person is None) == (role is None):
        raise ApplicationError(
            "A rate belongs to a person or to a role", extra={"fields": ["person", "role"]}
        )
    if person is not None and work_rules is not None:
        raise ApplicationError(
            "A person's own rate applies whatever their contract; give work_rules with a role only",
            extra={"fields": ["work_rules"]},
        )
    return _save(
        PayRate(
            person=person,
            role=role,
            work_rules=work_rules,
            valid_from=valid_from,
            valid_to=valid_to,
            hourly_rate=hourly_rate,
            overtime_multiplier=overtime_multiplier,
            night_multiplier=night_multiplier,
            weekend_multiplier=weekend_multiplier,
            holiday_multiplier=holiday_multiplier,
        ),
        "pay_rate_create",
    )


@transaction.atomic
def pay_rate_update(*, rate: PayRate, **changes) -> PayRate:
    unknown = set(changes) - set(PAY_RATE_FIELDS)
    if unknown:
        raise ApplicationError("Unknown or read-only fields", extra={"fields": sorted(unknown)})
    for field, value in changes.items():
        setattr(rate, field, value)
    if (rate.person_id is None) == (rate.role_id is None) or (rate.person_id and rate.work_rules_id):
        raise ApplicationError(
            "A rate belongs to a person, or to a role (optionally on one contract)",
            extra={"fields": ["person", "role", "work_rules"]},
        )
    return _save(rate, "pay_rate_update")


@transaction.atomic
def pay_rate_delete(*, rate: PayRate) -> None:
    audit.record(
        action="pay_rate_delete", obj=rate, department_id=_department_of(rate), before=audit.snapshot(rate)
    )
    rate.delete()
    bump("roster", "capacity")


# --- reads ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    id: int
    valid_from: date
    valid_to: date | None
    hourly: Decimal
    overtime: Decimal
    night: Decimal
    weekend: Decimal
    holiday: Decimal

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class PersonTerms:
    """What pricing needs of a person: their role and contract (work rules id, weekly contract minutes)."""

    role_id: int
    work_rules_id: int | None = None
    contract_minutes_per_week: int | None = None


class RateBook:
    """The rates of some people over a period: `rate_on(person, day)` is the most specific rate valid on
    that day (the person's own, then their role's on their contract, then their role's), or None."""

    def __init__(
        self, rates: list[tuple[int | None, int | None, int | None, Rate]], people: Mapping[int, PersonTerms]
    ):
        """`rates`: (person id, role id, work rules id, rate) of each rate row."""
        self.people = people
        self._own: dict[int, list[Rate]] = defaultdict(list)
        self._role: dict[tuple[int, int | None], list[Rate]] = defaultdict(list)
        self._chains: dict[int, tuple[Rate, ...]] = {}
        for person_id, role_id, work_rules_id, rate in rates:
            if person_id is not None:
                self._own[person_id].append(rate)
            else:
                self._role[(role_id, work_rules_id)].append(rate)

    def rate_on(self, person_id: int, day: date) -> Rate | None:
        chain = self._chains.get(person_id)
        if chain is None:
            chain = self._chains[person_id] = self._chain(person_id)
        for rate in chain:
            if rate.valid_from <= day and (rate.valid_to is None or day <= rate.valid_to):
                return rate
        return None

    def _chain(self, person_id: int) -> tuple[Rate, ...]:
        """The person's rates in the order they are tried: own, role on contract, role."""
        terms = self.people.get(person_id)
        chain = list(self._own.get(person_id, ()))
        if terms is not None:
            if terms.work_rules_id is not None:
                chain += self._role.get((terms.role_id, terms.work_rules_id), ())
            chain += self._role.get((terms.role_id, None), ())
        return tuple(chain)


def rate_book(*, people: Mapping[int, PersonTerms], start: date, end: date) -> RateBook:
    """Every rate of these people (and of their roles) valid on any day from start to end. One query."""
    roles = {terms.role_id for terms in people.values()}
    rows = (
        PayRate.objects.filter(
            Q(person_id__in=list(people)) | Q(person__isnull=True, role_id__in=list(roles)),
            Q(valid_to__isnull=True) | Q(valid_to__gte=start),
            valid_from__lte=end,
        )
        .order_by("valid_from", "id")
        .values_list("person_id", "role_id", "work_rules_id", "id", *RATE_TERMS)
    )
    return RateBook([(row[0], row[1], row[2], Rate(*row[3:])) for row in rows], people)


def person_terms(person_ids) -> dict[int, PersonTerms]:
    """Role and contract of each person. One query."""
    rows = Person.objects.filter(pk__in=list(person_ids)).values_list(
        "pk", "role_id", "contract__work_rules_id", "contract__work_rules__contract_minutes_per_week"
    )
    return {pk: PersonTerms(role, rules, minutes) for pk, role, rules, minutes in rows}
