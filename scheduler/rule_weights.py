"""A unit's weights for the optional soft rules (fairness spreads, shortfall risk, labour budget): read,
write, and the solver's `Weights` built from them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from capacity.models import Department
from ops import audit
from ops.cache import bump
from ops.errors import ApplicationError
from scheduler.models import RuleWeights
from scheduler.solver import domain as sd

RULE_WEIGHT_FIELDS = (
    "fairness_nights",
    "fairness_weekends",
    "fairness_minutes",
    "cover_shortfall_risk",
    "labour_budget_over",
)


def rule_weights_of(*, unit: Department) -> RuleWeights:
    """The unit's stored weights, or the defaults (every optional rule off) when none are stored."""
    return RuleWeights.objects.filter(department=unit).first() or RuleWeights(department=unit)


@transaction.atomic
def rule_weights_set(*, unit: Department, **values: int) -> RuleWeights:
    """Replace the given weights of a unit's rules (the others keep their value)."""
    if unit.kind != Department.Kind.UNIT:
        raise ApplicationError("Rule weights are set per unit", extra={"department": unit.pk})
    unknown = set(values) - set(RULE_WEIGHT_FIELDS)
    if unknown:
        raise ApplicationError("Unknown rule weights", extra={"fields": sorted(unknown)})
    row, created = RuleWeights.objects.select_for_update().get_or_create(department=unit)
    before = {} if created else audit.snapshot(row)
    for name, value in values.items():
        setattr(row, name, value)
    try:
        row.full_clean()
    except ValidationError as exc:
        raise ApplicationError("Invalid rule weights", extra={"fields": exc.message_dict}) from exc
    row.save()
    audit.record(action="rule_weights_set", obj=row, before=before, after=audit.snapshot(row))
    bump("roster")
    return row


def solver_weights(*, unit: Department, change: int = 0) -> sd.Weights:
    row = rule_weights_of(unit=unit)
    return sd.Weights(change=change, **{name: getattr(row, name) for name in RULE_WEIGHT_FIELDS})
