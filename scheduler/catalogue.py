"""CRUD writes of the scheduler catalogue: shift types, work rules, cover requirements, shift requests.

Each write validates with the model's own rules (full_clean), runs in a transaction and bumps the
"roster" cache namespace where it happens. Rosters themselves are written by scheduler.services.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from capacity.catalogue import _apply, _delete, _save
from capacity.models import Department, Person
from ops import audit
from ops.cache import bump
from ops.errors import ApplicationError
from ops.integrity import conflict
from scheduler.models import CoverRequirement, ShiftRequest, ShiftType, WorkRules

COVER_BULK_MAX_ROWS = 2000

SHIFT_TYPE_FIELDS = (
    "department",
    "code",
    "name",
    "start_time",
    "duration_minutes",
    "paid_minutes",
    "is_night",
)
WORK_RULES_FIELDS = tuple(
    f.name for f in WorkRules._meta.get_fields() if getattr(f, "concrete", False) and not f.primary_key
)
COVER_FIELDS = (
    "department",
    "date",
    "shift_type",
    "skill",
    "minimum",
    "preferred",
    "under_weight",
    "over_weight",
    "source",
)
SHIFT_REQUEST_FIELDS = ("person", "date", "shift_type", "kind", "weight")


def _check_shift_type_applies(department: Department, shift_type: ShiftType | None) -> None:
    """A shift type of the unit itself or of one of its ancestors (an organisation's applies to all)."""
    if shift_type is None:
        return
    node = department
    while node is not None:
        if node.pk == shift_type.department_id:
            return
        node = node.parent
    raise ValidationError({"shift_type": "This shift type does not apply to this department"})


@transaction.atomic
def shift_type_create(
    *,
    department: Department,
    code: str,
    name: str,
    start_time,
    duration_minutes: int,
    paid_minutes: int,
    is_night: bool = False,
) -> ShiftType:
    shift_type = _save(
        ShiftType(
            department=department,
            code=code,
            name=name,
            start_time=start_time,
            duration_minutes=duration_minutes,
            paid_minutes=paid_minutes,
            is_night=is_night,
        ),
        "shift_type_create",
    )
    bump("roster")
    return shift_type


@transaction.atomic
def shift_type_update(*, shift_type: ShiftType, **changes) -> ShiftType:
    _save(_apply(shift_type, changes, SHIFT_TYPE_FIELDS), "shift_type_update")
    bump("roster")
    return shift_type


@transaction.atomic
def shift_type_delete(*, shift_type: ShiftType) -> None:
    _delete(shift_type, "shift_type_delete")
    bump("roster")


@transaction.atomic
def work_rules_create(*, name: str, contract_minutes_per_week: int, **optional) -> WorkRules:
    rules = _apply(
        WorkRules(name=name, contract_minutes_per_week=contract_minutes_per_week), optional, WORK_RULES_FIELDS
    )
    _save(rules, "work_rules_create")
    bump("roster")
    return rules


@transaction.atomic
def work_rules_update(*, work_rules: WorkRules, **changes) -> WorkRules:
    _save(_apply(work_rules, changes, WORK_RULES_FIELDS), "work_rules_update")
    bump("roster")
    return work_rules


@transaction.atomic
def work_rules_delete(*, work_rules: WorkRules) -> None:
    _delete(work_rules, "work_rules_delete")
    bump("roster")


def _cover(row: dict) -> CoverRequirement:
    cover = _apply(CoverRequirement(), row, COVER_FIELDS)
    if cover.preferred is None and cover.minimum is not None:
        cover.preferred = cover.minimum
    if cover.department_id and cover.shift_type_id:
        _check_shift_type_applies(cover.department, cover.shift_type)
    return cover


@transaction.atomic
def cover_requirement_create(
    *, department: Department, date, shift_type: ShiftType, minimum: int, **optional
) -> CoverRequirement:
    cover = _cover(
        {"department": department, "date": date, "shift_type": shift_type, "minimum": minimum, **optional}
    )
    _save(cover, "cover_requirement_create")
    bump("roster")
    return cover


@transaction.atomic
def cover_requirement_update(*, cover: CoverRequirement, **changes) -> CoverRequirement:
    _apply(cover, changes, COVER_FIELDS)
    _check_shift_type_applies(cover.department, cover.shift_type)
    _save(cover, "cover_requirement_update")
    bump("roster")
    return cover


@transaction.atomic
def cover_requirement_delete(*, cover: CoverRequirement) -> None:
    _delete(cover, "cover_requirement_delete")
    bump("roster")


@transaction.atomic
def cover_requirements_bulk_create(*, rows: list[dict]) -> list[CoverRequirement]:
    """Create many cover requirements at once, all or nothing; at most COVER_BULK_MAX_ROWS rows."""
    if len(rows) > COVER_BULK_MAX_ROWS:
        raise ApplicationError(
            f"At most {COVER_BULK_MAX_ROWS} rows per bulk load",
            extra={"limit": COVER_BULK_MAX_ROWS, "received": len(rows)},
            status=413,
        )
    covers, errors = [], {}
    for index, row in enumerate(rows):
        try:
            cover = _cover(row)
            cover.full_clean()
            covers.append(cover)
        except ValidationError as exc:
            errors[str(index)] = exc.message_dict
    if errors:
        raise ApplicationError("Bulk load refused; nothing was saved", extra={"rows": errors})
    try:
        with transaction.atomic():
            created = CoverRequirement.objects.bulk_create(covers, batch_size=1000)
    except IntegrityError as exc:
        raise conflict(exc, CoverRequirement) from exc
    audit.record_many(
        action="cover_requirements_bulk_create", items=[(c, {}, audit.snapshot(c)) for c in created]
    )
    bump("roster")
    return created


@transaction.atomic
def shift_request_create(
    *, person: Person, date, kind: str, shift_type: ShiftType | None = None, weight: int = 1
) -> ShiftRequest:
    request = ShiftRequest(person=person, date=date, kind=kind, shift_type=shift_type, weight=weight)
    _check_shift_type_applies(person.department, shift_type)
    _save(request, "shift_request_create")
    bump("roster")
    return request


@transaction.atomic
def shift_request_update(*, shift_request: ShiftRequest, **changes) -> ShiftRequest:
    _apply(shift_request, changes, SHIFT_REQUEST_FIELDS)
    _check_shift_type_applies(shift_request.person.department, shift_request.shift_type)
    _save(shift_request, "shift_request_update")
    bump("roster")
    return shift_request


@transaction.atomic
def shift_request_delete(*, shift_request: ShiftRequest) -> None:
    _delete(shift_request, "shift_request_delete")
    bump("roster")
