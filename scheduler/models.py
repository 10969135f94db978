"""Shift types, contracts, cover, requests and rosters."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from capacity.models import Department, Person, Role, SkillTag


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


RULE_WEIGHT_MAX = 1_000_000  # a weight far above any roster's other costs is still an integer CP-SAT can sum


class RuleWeights(models.Model):
    """A unit's weights for the optional soft rules of its rosters; 0 leaves a rule out. Cover weights live on
    each requirement and request weights on each request."""

    department = models.OneToOneField(Department, on_delete=models.CASCADE, related_name="rule_weights")
    fairness_nights = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(RULE_WEIGHT_MAX)],
        help_text="Penalty per night of spread between people on the same contract",
    )
    fairness_weekends = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(RULE_WEIGHT_MAX)],
        help_text="Penalty per worked weekend of spread between people on the same contract",
    )
    fairness_minutes = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(RULE_WEIGHT_MAX)],
        help_text="Penalty per minute of spread in worked minutes on the same contract",
    )
    cover_shortfall_risk = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(RULE_WEIGHT_MAX)],
        help_text="Cost of a shift sure to be under-staffed, charged times the chance it is (forecast)",
    )
    labour_budget_over = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(RULE_WEIGHT_MAX)],
        help_text="Penalty per started hour and per currency unit a week is rostered over its labour budget",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "rule weights"

    def __str__(self) -> str:
        return f"rule weights of {self.department_id}"


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
    version = models.PositiveIntegerField(default=1, help_text="Counts published states (new versions)")
    revision = models.PositiveIntegerField(
        default=0, help_text="Counts changes of this version (edits, undos, solves): what If-Match names"
    )
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

    @property
    def etag_version(self) -> str:
        """What the roster's ETag names: its revision and last change (API and pages send it as If-Match)."""
        return f"{self.revision}-{int(self.updated_at.timestamp() * 1e6)}"


class RosterAssignment(models.Model):
    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roster_assignments")
    date = models.DateField()
    shift_type = models.ForeignKey(ShiftType, on_delete=models.PROTECT, related_name="+")
    pinned = models.BooleanField(default=False, help_text="Locked: a re-solve keeps it")
    override_reason = models.TextField(
        blank=True, default="", help_text="Why a planner kept this cell against a hard rule"
    )
    overridden_rules = models.JSONField(default=list, blank=True)

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


class RosterDayOff(models.Model):
    """A day off a planner locked: a re-solve leaves the person off that day."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="days_off")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    override_reason = models.TextField(blank=True, default="")
    overridden_rules = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["date", "person"]
        constraints = [
            models.UniqueConstraint(fields=["roster", "person", "date"], name="roster_one_day_off_lock")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.date} off"


class RosterEdit(models.Model):
    """One planner edit of a roster version (a cell, a move, a swap, a multi-cell change, a lock released,
    an undo): each cell's state before and after, so the last edit can be undone."""

    class Action(models.TextChoices):
        SET = "set"
        MOVE = "move"
        SWAP = "swap"
        BULK = "bulk"
        RELEASE = "release"
        UNDO = "undo"

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="edits")
    action = models.CharField(max_length=8, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    cells = models.JSONField(help_text='[{"person", "date", "before": {...}, "after": {...}}]')
    override_reason = models.TextField(blank=True, default="")
    overridden_rules = models.JSONField(default=list, blank=True)
    undone_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="undoes"
    )

    class Meta:
        ordering = ["at", "id"]
        permissions = [
            ("override_hard_rules", "Can keep a roster edit that breaks a hard rule, with a reason")
        ]

    def __str__(self) -> str:
        return f"{self.roster_id} {self.action} {len(self.cells)} cell(s)"


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


class PayRate(models.Model):
    """An hourly rate valid from `valid_from` to `valid_to` (both included; no end: still valid), for one
    person, or for everyone of a role on one contract (or, without a contract, on any contract).

    The most specific rate valid on a day applies: the person's own, then the role's on their contract,
    then the role's. Minutes are paid at the rate times the highest multiplier that applies to them
    (overtime above the contract's hours, a night shift, a weekend, a public holiday of the unit's
    country): premiums do not stack. Kept here beside PersonContract: capacity knows nothing of contracts.

    Rates of one subject never overlap: a PostgreSQL exclusion constraint (btree_gist, migration 0004)
    and, for every database, `scheduler.pay_rates.pay_rate_create`.
    """

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="pay_rates"
    )
    role = models.ForeignKey(Role, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    work_rules = models.ForeignKey(
        WorkRules, null=True, blank=True, on_delete=models.CASCADE, related_name="pay_rates"
    )
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="Empty: valid until a later rate")
    hourly_rate = models.DecimalField(max_digits=8, decimal_places=2)
    overtime_multiplier = models.DecimalField(max_digits=4, decimal_places=2, default=1.5)
    night_multiplier = models.DecimalField(max_digits=4, decimal_places=2, default=1)
    weekend_multiplier = models.DecimalField(max_digits=4, decimal_places=2, default=1)
    holiday_multiplier = models.DecimalField(max_digits=4, decimal_places=2, default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, role__isnull=True, work_rules__isnull=True)
                | Q(person__isnull=True, role__isnull=False),
                name="payrate_person_or_role",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="payrate_valid_to_after_from",
            ),
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="payrate_rate_non_negative"),
            models.CheckConstraint(
                condition=Q(
                    overtime_multiplier__gte=1,
                    night_multiplier__gte=1,
                    weekend_multiplier__gte=1,
                    holiday_multiplier__gte=1,
                ),
                name="payrate_multipliers_ge_1",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "valid_from"], name="payrate_person_from"),
            models.Index(fields=["role", "valid_from"], name="payrate_role_from"),
        ]

    def __str__(self) -> str:
        subject = (
            f"person {self.person_id}" if self.person_id else f"role {self.role_id}/{self.work_rules_id}"
        )
        return f"{subject} {self.hourly_rate} from {self.valid_from}"


class TimesheetEntry(models.Model):
    """Hours a person actually worked in a unit on a day: from `start` to `end` (an end before the start
    is on the next day) less the break, optionally naming the shift worked."""

    class Source(models.TextChoices):
        MANUAL = "manual"
        IMPORT = "import"
        CLOCK = "clock"

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="timesheet_entries")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="timesheet_entries")
    date = models.DateField()
    start = models.TimeField()
    end = models.TimeField()
    break_minutes = models.PositiveIntegerField(default=0)
    worked_minutes = models.PositiveIntegerField(help_text="end - start - break, kept by the service")
    shift_type = models.ForeignKey(
        ShiftType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "timesheet entries"
        ordering = ["date", "start", "person"]
        constraints = [
            models.UniqueConstraint(fields=["person", "date", "start"], name="timesheet_one_start_per_day"),
            models.CheckConstraint(condition=Q(worked_minutes__lte=24 * 60), name="timesheet_at_most_a_day"),
        ]
        indexes = [models.Index(fields=["department", "date"], name="timesheet_department_date")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.date} {self.start:%H:%M}-{self.end:%H:%M}"


class RosterScenario(models.Model):
    """A what-if tried on a roster: its inputs changed (`changes`), solved as a job into a roster of its own
    (`result`), never written to the base. Adopting it makes its cells the roster's next version."""

    base = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="scenarios")
    base_revision = models.PositiveIntegerField(
        help_text="The base roster's revision when the scenario was tried"
    )
    changes = models.JSONField(help_text="The inputs changed, as posted (validated)")
    job = models.ForeignKey("ops.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    result = models.JSONField(
        default=dict, blank=True, help_text="The solved scenario: its cells, figures and the solver's summary"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    adopted_as = models.ForeignKey(
        Roster, null=True, blank=True, on_delete=models.SET_NULL, related_name="adopted_scenarios"
    )
    adopted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"scenario {self.pk} of roster {self.base_id}"
