"""CRUD writes of the capacity catalogue: departments, roles, people, skills, leave, projects.

Each write validates with the model's own rules (full_clean: fields, check and unique constraints), runs
in a transaction and bumps the cache namespaces it affects where it happens ("capacity" for everything
the aggregates read, "access" too when the department tree changes). Assignments are written by
capacity.services (assignment_create / assignment_update / assignment_delete).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from capacity.models import Assignment, Department, Leave, Person, PersonSkill, Project, Role, SkillTag
from capacity.week_hours import week_hours_remove, week_hours_resync_people, week_hours_sync
from ops import audit
from ops.cache import bump
from ops.errors import ApplicationError
from ops.integrity import conflict

PEOPLE_BULK_MAX_ROWS = 500

DEPARTMENT_FIELDS = ("name", "kind", "parent", "time_zone", "country", "subdivision")
ROLE_FIELDS = ("name",)
PERSON_FIELDS = (
    "department",
    "role",
    "name",
    "email",
    "weekly_capacity_hours",
    "hire_date",
    "active",
)
SKILL_FIELDS = ("name",)
PERSON_SKILL_FIELDS = ("person", "skill", "level", "certified_until")
LEAVE_FIELDS = ("person", "start_date", "end_date", "kind", "status")
PROJECT_FIELDS = ("name", "client", "status", "department")


def _apply(instance: models.Model, changes: dict, editable: Iterable[str]) -> models.Model:
    unknown = set(changes) - set(editable)
    if unknown:
        raise ApplicationError("Unknown or read-only fields", extra={"fields": sorted(unknown)})
    for field, value in changes.items():
        setattr(instance, field, value)
    return instance


def _department_of(instance: models.Model) -> int | None:
    """The department an entry is scoped to: the department itself, its own, or its person's."""
    if isinstance(instance, Department):
        return instance.pk
    if hasattr(instance, "department_id"):
        return instance.department_id
    person = getattr(instance, "person", None)
    return person.department_id if person is not None else None


def _save(instance: models.Model, action: str) -> models.Model:
    instance.full_clean()
    # the stored row, not the instance the caller already changed, is what the write replaces
    stored = type(instance).objects.filter(pk=instance.pk).first() if instance.pk else None
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:  # a concurrent writer won a uniqueness race that full_clean checked
        raise conflict(exc, type(instance)) from exc
    audit.record(
        action=action,
        obj=instance,
        department_id=_department_of(instance),
        before=audit.snapshot(stored),
        after=audit.snapshot(instance),
    )
    return instance


def _delete(instance: models.Model, action: str) -> None:
    audit.record(
        action=action, obj=instance, department_id=_department_of(instance), before=audit.snapshot(instance)
    )
    try:
        with transaction.atomic():
            instance.delete()
    except models.ProtectedError as exc:
        blocking = sorted({type(obj).__name__ for obj in exc.protected_objects})
        raise ApplicationError(
            f"Still in use by {', '.join(blocking)}; remove those first",
            extra={"protected_by": blocking},
            status=409,
        ) from exc


# --- departments ---------------------------------------------------------------------------------------

_KIND_PARENT = {
    Department.Kind.ORGANISATION: None,
    Department.Kind.SITE: Department.Kind.ORGANISATION,
    Department.Kind.UNIT: Department.Kind.SITE,
}


def _check_department_place(department: Department) -> None:
    expected_parent_kind = _KIND_PARENT[department.kind]
    parent = department.parent
    if expected_parent_kind is None and parent is not None:
        raise ValidationError({"parent": "An organisation has no parent"})
    if expected_parent_kind is not None and (parent is None or parent.kind != expected_parent_kind):
        raise ValidationError({"parent": f"A {department.kind} sits under a {expected_parent_kind}"})
    ancestor = parent
    while ancestor is not None and department.pk is not None:
        if ancestor.pk == department.pk:
            raise ValidationError({"parent": "A department cannot sit under itself or its descendants"})
        ancestor = ancestor.parent


@transaction.atomic
def department_create(
    *,
    name: str,
    kind: str,
    parent: Department | None = None,
    time_zone: str = "UTC",
    country: str = "",
    subdivision: str = "",
) -> Department:
    department = Department(
        name=name, kind=kind, parent=parent, time_zone=time_zone, country=country, subdivision=subdivision
    )
    _check_department_place(department)
    _save(department, "department_create")
    bump("capacity", "access")
    return department


@transaction.atomic
def department_update(*, department: Department, **changes) -> Department:
    _apply(department, changes, DEPARTMENT_FIELDS)
    _check_department_place(department)
    _save(department, "department_update")
    # a move changes every aggregate over the tree and every user's inherited access
    bump("capacity", "access")
    return department


@transaction.atomic
def department_delete(*, department: Department) -> None:
    _delete(department, "department_delete")
    bump("capacity", "access")


# --- roles and skills ---------------------------------------------------------------------------------


@transaction.atomic
def role_create(*, name: str) -> Role:
    role = _save(Role(name=name), "role_create")
    bump("capacity")
    return role


@transaction.atomic
def role_update(*, role: Role, **changes) -> Role:
    _save(_apply(role, changes, ROLE_FIELDS), "role_update")
    bump("capacity")
    return role


@transaction.atomic
def role_delete(*, role: Role) -> None:
    _delete(role, "role_delete")
    bump("capacity")


@transaction.atomic
def skill_create(*, name: str) -> SkillTag:
    skill = _save(SkillTag(name=name), "skill_create")
    bump("capacity")
    return skill


@transaction.atomic
def skill_update(*, skill: SkillTag, **changes) -> SkillTag:
    _save(_apply(skill, changes, SKILL_FIELDS), "skill_update")
    bump("capacity")
    return skill


@transaction.atomic
def skill_delete(*, skill: SkillTag) -> None:
    _delete(skill, "skill_delete")
    bump("capacity")


@transaction.atomic
def person_skill_set(*, person: Person, skill: SkillTag, level: int = 3, certified_until=None) -> PersonSkill:
    """Give a person a skill, or change its level and certification expiry."""
    held = PersonSkill.objects.filter(person=person, skill=skill).first() or PersonSkill(
        person=person, skill=skill
    )
    held.level = level
    held.certified_until = certified_until
    _save(held, "person_skill_set")
    bump("capacity", "roster")
    return held


@transaction.atomic
def person_skill_delete(*, person_skill: PersonSkill) -> None:
    _delete(person_skill, "person_skill_delete")
    bump("capacity", "roster")


# --- people -------------------------------------------------------------------------------------------


@transaction.atomic
def person_create(
    *, department: Department, role: Role, name: str, email: str, hire_date, **optional
) -> Person:
    person = _apply(
        Person(department=department, role=role, name=name, email=email, hire_date=hire_date),
        optional,
        PERSON_FIELDS,
    )
    _save(person, "person_create")
    bump("capacity", "roster")
    return person


@transaction.atomic
def person_update(*, person: Person, **changes) -> Person:
    resync = any(
        field in changes and changes[field] != getattr(person, field) for field in ("department", "hire_date")
    )
    _save(_apply(person, changes, PERSON_FIELDS), "person_update")
    if resync:  # the fact rows carry the department and honour the hire date
        week_hours_resync_people(person_ids=[person.pk])
    bump("capacity", "roster")
    return person


@transaction.atomic
def person_delete(*, person: Person) -> None:
    """Delete a person; their assignments cascade, so their hours leave the rollup first (in a savepoint
    with the delete, so a refused delete forgets nothing)."""
    with transaction.atomic():
        week_hours_remove(
            assignment_ids=Assignment.objects.filter(person=person).values_list("pk", flat=True)
        )
        _delete(person, "person_delete")
    bump("capacity", "roster")


@transaction.atomic
def people_bulk_create(*, rows: list[dict]) -> list[Person]:
    """Create many people at once, all or nothing; at most PEOPLE_BULK_MAX_ROWS rows."""
    if len(rows) > PEOPLE_BULK_MAX_ROWS:
        raise ApplicationError(
            f"At most {PEOPLE_BULK_MAX_ROWS} rows per bulk load",
            extra={"limit": PEOPLE_BULK_MAX_ROWS, "received": len(rows)},
            status=413,
        )
    people = [_apply(Person(), row, PERSON_FIELDS) for row in rows]
    errors = {}
    for index, person in enumerate(people):
        try:
            person.full_clean()
        except ValidationError as exc:
            errors[str(index)] = exc.message_dict
    emails = [p.email.lower() for p in people]
    duplicates = sorted({e for e in emails if emails.count(e) > 1})
    if duplicates:
        errors["emails"] = {"email": [f"repeated in the payload: {', '.join(duplicates)}"]}
    if errors:
        raise ApplicationError("Bulk load refused; nothing was saved", extra={"rows": errors})
    try:
        with transaction.atomic():
            created = Person.objects.bulk_create(people, batch_size=500)
    except IntegrityError as exc:
        raise conflict(exc, Person) from exc
    audit.record_many(
        action="people_bulk_create", items=[(person, {}, audit.snapshot(person)) for person in created]
    )
    bump("capacity", "roster")
    return created


# --- leave and projects ---------------------------------------------------------------------------------


@transaction.atomic
def leave_create(*, person: Person, start_date, end_date, **optional) -> Leave:
    leave = _apply(Leave(person=person, start_date=start_date, end_date=end_date), optional, LEAVE_FIELDS)
    _save(leave, "leave_create")
    bump("capacity", "roster")
    return leave


@transaction.atomic
def leave_update(*, leave: Leave, **changes) -> Leave:
    _save(_apply(leave, changes, LEAVE_FIELDS), "leave_update")
    bump("capacity", "roster")
    return leave


@transaction.atomic
def leave_delete(*, leave: Leave) -> None:
    _delete(leave, "leave_delete")
    bump("capacity", "roster")


@transaction.atomic
def project_create(*, name: str, department: Department, **optional) -> Project:
    project = _apply(Project(name=name, department=department), optional, PROJECT_FIELDS)
    _save(project, "project_create")
    bump("capacity")
    return project


@transaction.atomic
def project_update(*, project: Project, **changes) -> Project:
    moved = "department" in changes and changes["department"] != project.department
    _save(_apply(project, changes, PROJECT_FIELDS), "project_update")
    if moved:  # open placeholders count against the project's department
        week_hours_sync(assignments=Assignment.objects.filter(project=project, person__isnull=True))
    bump("capacity")
    return project


@transaction.atomic
def project_delete(*, project: Project) -> None:
    """Delete a project; its assignments cascade, so their hours leave the rollup first (in a savepoint
    with the delete, so a refused delete forgets nothing)."""
    with transaction.atomic():
        week_hours_remove(
            assignment_ids=Assignment.objects.filter(project=project).values_list("pk", flat=True)
        )
        _delete(project, "project_delete")
    bump("capacity")
