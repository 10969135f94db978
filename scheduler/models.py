"""Shift types, contracts, cover, requests and rosters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from capacity.models import Department, Person, SkillTag


class ShiftType(models.Model):
    """A shift a unit staffs (Early, Late, Night); one of the organisation node applies to all its units."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="shift_types")
    code = models.CharField(max_length=8)
    name = models.CharField(max_length=80)
    start_time = models.TimeField()
    duration_minutes = models.PositiveIntegerField()
    paid_minutes = models.PositiveIntegerField()
    is_night = models.BooleanField(default=False)

    class Meta:
        ordering = ["start_time", "code"]
        constraints = [
            models.UniqueConstraint(fields=["department", "code"], name="shifttype_code_unique"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0, duration_minutes__lte=24 * 60),
                name="shifttype_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(paid_minutes__lte=F("duration_minutes")), name="shifttype_paid_le_duration"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.name})"


class WorkRules(models.Model):
    """A contract template. Empty limits mean "no limit"; zero means "never"."""

    name = models.CharField(max_length=80)
    contract_minutes_per_week = models.PositiveIntegerField(help_text="Hours above this are overtime")
    min_minutes_per_week = models.PositiveIntegerField(null=True, blank=True)
    max_minutes_per_week = models.PositiveIntegerField(null=True, blank=True)
    min_minutes_per_horizon = models.PositiveIntegerField(null=True, blank=True)
    max_minutes_per_horizon = models.PositiveIntegerField(null=True, blank=True)
    max_shifts_per_type = models.JSONField(
        default=dict, blank=True, help_text='{"N": 8}: shift code to limit'
    )
    max_consecutive_work_days = models.PositiveSmallIntegerField(null=True, blank=True)
    min_consecutive_work_days = models.PositiveSmallIntegerField(null=True, blank=True)
    min_consecutive_days_off = models.PositiveSmallIntegerField(null=True, blank=True)
    max_weekends_per_horizon = models.PositiveSmallIntegerField(null=True, blank=True)
    min_rest_hours = models.PositiveSmallIntegerField(default=11)
    max_consecutive_nights = models.PositiveSmallIntegerField(null=True, blank=True)
    overtime_multiplier = models.DecimalField(max_digits=4, decimal_places=2, default=1.5)

    class Meta:
        verbose_name_plural = "work rules"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="workrules_name_unique_ci"),
            models.CheckConstraint(
                condition=Q(min_minutes_per_week__isnull=True)
                | Q(max_minutes_per_week__isnull=True)
                | Q(max_minutes_per_week__gte=F("min_minutes_per_week")),
                name="workrules_week_min_le_max",
            ),
            models.CheckConstraint(
                condition=Q(min_minutes_per_horizon__isnull=True)
                | Q(max_minutes_per_horizon__isnull=True)
                | Q(max_minutes_per_horizon__gte=F("min_minutes_per_horizon")),
                name="workrules_horizon_min_le_max",
            ),
            models.CheckConstraint(condition=Q(overtime_multiplier__gte=1), name="workrules_overtime_ge_1"),
        ]

    def __str__(self) -> str:
        return self.name


class PersonContract(models.Model):
    """Which work rules a person works under (kept here: `capacity` knows nothing of shifts)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="contract")
    work_rules = models.ForeignKey(WorkRules, on_delete=models.PROTECT, related_name="contracts")

    def __str__(self) -> str:
        return f"{self.person_id}: {self.work_rules_id}"


class CoverRequirement(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual"
        FORECAST = "forecast"

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="cover_requirements")
    date = models.DateField()
    shift_type = models.ForeignKey(ShiftType, on_delete=models.CASCADE, related_name="cover_requirements")
    skill = models.ForeignKey(SkillTag, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    minimum = models.PositiveSmallIntegerField()
    preferred = models.PositiveSmallIntegerField()
    under_weight = models.PositiveIntegerField(default=500, help_text="Penalty per person below preferred")
    over_weight = models.PositiveIntegerField(default=1)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "shift_type"]
        constraints = [
            models.CheckConstraint(
                condition=Q(preferred__gte=F("minimum")), name="cover_preferred_ge_minimum"
            ),
            models.UniqueConstraint(
                fields=["department", "date", "shift_type", "skill", "source"],
                condition=Q(skill__isnull=False),
                name="cover_unique_with_skill",
            ),
            models.UniqueConstraint(
                fields=["department", "date", "shift_type", "source"],
                condition=Q(skill__isnull=True),
                name="cover_unique_without_skill",
            ),
        ]
        indexes = [models.Index(fields=["department", "date"], name="cover_department_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.shift_type_id} min {self.minimum}"


class ShiftRequest(models.Model):
    class Kind(models.TextChoices):
        ON = "on"
        OFF = "off"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="shift_requests")
    date = models.DateField()
    shift_type = models.ForeignKey(
        ShiftType, null=True, blank=True, on_delete=models.CASCADE, help_text="Empty: any shift (a whole day)"
    )
    kind = models.CharField(max_length=3, choices=Kind.choices)
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=1), name="shiftrequest_weight_positive")
        ]
        indexes = [models.Index(fields=["person", "date"], name="shiftrequest_person_date")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.date}"


class Roster(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft"
        SOLVING = "solving"
        SOLVED = "solved"
        PUBLISHED = "published"

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="rosters")
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    engine = models.CharField(max_length=16, blank=True, default="")
    objective = models.FloatField(null=True, blank=True)
    bound = models.FloatField(null=True, blank=True)
    statistics = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    previous_version = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_versions"
    )
    job = models.ForeignKey(
        "ops.Job",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The latest solve",
    )

    class Meta:
        ordering = ["-start_date", "-version"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="roster_end_after_start"),
        ]
        indexes = [models.Index(fields=["department", "start_date"], name="roster_department_start")]

    def __str__(self) -> str:
        return f"{self.department} {self.start_date}..{self.end_date} v{self.version}"


class RosterAssignment(models.Model):
    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roster_assignments")
    date = models.DateField()
    shift_type = models.ForeignKey(ShiftType, on_delete=models.PROTECT, related_name="+")
    pinned = models.BooleanField(default=False)

    class Meta:
        ordering = ["date", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["roster", "person", "date"], name="roster_one_shift_per_person_day"
            ),
        ]
        indexes = [models.Index(fields=["person", "date"], name="rosterassignment_person_date")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.date} {self.shift_type_id}"


class RosterEvent(models.Model):
    """The audit trail of a roster: who generated, edited, re-solved or published it, and when."""

    class Action(models.TextChoices):
        GENERATE = "generate"
        SOLVED = "solved"
        EDIT = "edit"
        RESOLVE = "resolve"
        PUBLISH = "publish"
        NEW_VERSION = "new_version"

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.roster_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
