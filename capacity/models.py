"""Who works here: the department tree, roles, people, skills, leave, projects and their assignments."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_time_zone(value: str) -> None:
    """Only names of the IANA zone database (tzdata): a made-up zone or a path would fail every page
    that turns a shift into local time."""
    if value not in _zone_names():
        raise ValidationError(f"{value!r} is not a time zone of the IANA database (e.g. Europe/London)")


class Department(models.Model):
    """A node of the organisation tree: organisation > site > unit. Rosters are made per unit."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation"
        SITE = "site"
        UNIT = "unit"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    country = models.CharField(max_length=2, blank=True, default="", help_text="ISO code, for holidays")
    subdivision = models.CharField(
        max_length=10,
        blank=True,
        default="",
        help_text="region of the country for regional holidays, as the holidays package names it (SCT, VIC)",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "parent", name="department_name_unique_in_parent"),
            models.UniqueConstraint(
                Lower("name"), condition=Q(parent__isnull=True), name="department_root_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("id")), name="department_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        """The department's time zone (shift dates are local dates there); UTC when none is set."""
        return ZoneInfo(self.time_zone or "UTC")

    def clean(self) -> None:
        """The time zone must exist, and the country and region must be ones the holidays package knows."""
        import zoneinfo

        import holidays

        errors = {}
        try:
            zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errors["time_zone"] = f"Unknown time zone {self.time_zone!r} (an IANA name such as Europe/London)"
        supported = holidays.list_supported_countries()
        if self.country and self.country not in supported:
            errors["country"] = f"No public holidays are known for country {self.country!r}"
        elif self.subdivision and not self.country:
            errors["subdivision"] = "A subdivision needs its country"
        elif self.subdivision and self.subdivision not in supported[self.country]:
            known = ", ".join(supported[self.country]) or "none"
            errors["subdivision"] = (
                f"{self.subdivision!r} is not a subdivision of {self.country} (known: {known})"
            )
        if errors:
            raise ValidationError(errors)


class Role(models.Model):
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="role_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="people")
    # Units besides their own where the person may also be rostered (a float nurse, a shared night
    # worker). Their home is still `department` (capacity, access, reports); the problem builder offers
    # them to these units' solves too and blocks the days they already work elsewhere.
    other_units = models.ManyToManyField(
        Department, blank=True, related_name="visiting_people", limit_choices_to={"kind": "unit"}
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="people")
    name = models.CharField(max_length=120)
    email = models.EmailField(unique=True)
    weekly_capacity_hours = models.DecimalField(max_digits=5, decimal_places=2, default=37.5)
    hire_date = models.DateField()
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekly_capacity_hours__gte=0), name="person_capacity_non_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["department", "active"], name="person_department_active"),
            models.Index(fields=["role", "active"], name="person_role_active"),
        ]

    def __str__(self) -> str:
        return self.name


class SkillTag(models.Model):
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="skilltag_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class PersonSkill(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(SkillTag, on_delete=models.PROTECT, related_name="holders")
    level = models.PositiveSmallIntegerField(default=3)
    certified_until = models.DateField(null=True, blank=True, help_text="Empty: the skill does not expire")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "skill"], name="personskill_unique"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="personskill_level_1_5"),
        ]
        indexes = [models.Index(fields=["skill", "certified_until"], name="personskill_skill_expiry")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.skill_id}"


class Leave(models.Model):
    class Kind(models.TextChoices):
        ANNUAL = "annual"
        SICK = "sick"
        TRAINING = "training"
        UNAVAILABLE = "unavailable"

    class Status(models.TextChoices):
        REQUESTED = "requested"
        APPROVED = "approved"
        REJECTED = "rejected"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="leaves")
    start_date = models.DateField()
    end_date = models.DateField()
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ANNUAL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="leave_end_after_start"),
        ]
        indexes = [models.Index(fields=["person", "start_date", "end_date"], name="leave_person_dates")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.start_date}..{self.end_date}"


class Project(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned"
        ACTIVE = "active"
        CLOSED = "closed"

    name = models.CharField(max_length=160)
    client = models.CharField(max_length=160, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="projects")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "department", name="project_name_unique_in_department"),
        ]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """A person (or an unfilled placeholder) on a project, with planned hours per week.

    `weekly_hours` maps week keys (ISO dates of Mondays) to hours. Every write of it also rewrites the
    AssignmentWeekHours rows, in the same transaction (capacity.services).
    """

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assignments")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments")
    weekly_hours = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["person"], name="assignment_person"),
            models.Index(fields=["project"], name="assignment_project"),
            models.Index(fields=["role"], name="assignment_role"),
        ]

    def __str__(self) -> str:
        return f"assignment {self.pk} ({self.person_id or 'open'} on {self.project_id})"


class AssignmentWeekHours(models.Model):
    """The normalised fact table behind the capacity aggregates: one row per assignment and week."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="week_hours")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    week_start = models.DateField()
    hours = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "week_start"], name="weekhours_unique"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="weekhours_non_negative"),
        ]
        indexes = [
            models.Index(fields=["department", "week_start"], name="weekhours_department_week"),
            models.Index(fields=["role", "week_start"], name="weekhours_role_week"),
            models.Index(fields=["person", "week_start"], name="weekhours_person_week"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.week_start}: {self.hours}"


class RoleWeekHours(models.Model):
    """The fact table rolled up per department, role and week: what the `normalized` role-capacity source
    reads. Kept equal to a GROUP BY of AssignmentWeekHours by the write paths, which add the difference
    between an assignment's old and new fact rows in the same transaction (capacity.services). A row that
    falls to 0 stays; `backfill_week_hours` rebuilds the table and `--reconcile` reports drift.

    Department and role cascade: facts protect both, so only rows that fell to 0 can go with them.
    """

    # the unique index below leads with the department, so the foreign key needs no index of its own
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+", db_index=False)
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField()
    hours = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        constraints = [
            # the upsert's conflict target, and the index of the reads (departments, a range of weeks)
            models.UniqueConstraint(fields=["department", "week_start", "role"], name="roleweekhours_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.department_id}/{self.role_id} {self.week_start}: {self.hours}"


class LabourBudget(models.Model):
    """The hours and the cost a unit may spend on staff in one week (keyed by its Monday)."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="labour_budgets")
    week_start = models.DateField()
    hours = models.DecimalField(max_digits=9, decimal_places=2)
    cost = models.DecimalField(max_digits=12, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["week_start"]
        constraints = [
            models.UniqueConstraint(fields=["department", "week_start"], name="labourbudget_one_per_week"),
            models.CheckConstraint(condition=Q(hours__gte=0, cost__gte=0), name="labourbudget_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.department_id} {self.week_start}: {self.hours} h, {self.cost}"


class AccessGrant(models.Model):
    """A role on a department, and (with include_children) on every department below it."""

    class Role(models.TextChoices):
        ADMIN = "admin"
        PLANNER = "planner"
        MANAGER = "manager"
        VIEWER = "viewer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_grants")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=16, choices=Role.choices)
    include_children = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="accessgrant_one_per_department"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} on {self.department_id}"
