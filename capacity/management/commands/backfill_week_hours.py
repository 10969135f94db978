"""Rebuild the AssignmentWeekHours fact table from Assignment.weekly_hours, and the RoleWeekHours rollup
from the fact table; or check both.

    python manage.py backfill_week_hours [--department ID] [--chunk 1000]
    python manage.py backfill_week_hours --reconcile [--department ID] [--fail-on-drift]

Idempotent: each chunk of assignments has its rows rewritten in one transaction (the rollup following
them), then the rollup of the departments in scope is recomputed from the fact table in one more, so
running it twice writes the same rows and any rollup drift is repaired. `--reconcile` writes nothing: it
compares, per assignment and week, the hours the fact table holds with the hours the JSON gives, and per
department, role and week the rollup with a GROUP BY of the fact table, and reports both drifts.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from capacity.models import Assignment, AssignmentWeekHours, Department
from capacity.selectors import department_subtree_ids, role_week_hours_drift
from capacity.week_hours import capacity_changed, role_week_hours_rebuild, week_hours_rows, week_hours_sync

SHOW_DRIFTED = 20


class Command(BaseCommand):
    help = (
        "Rebuild (or, with --reconcile, check) the week-hours fact table from the assignments' JSON, and "
        "the role-week rollup from the fact table."
    )

    def add_arguments(self, parser):
        parser.add_argument("--department", type=int, help="Only this department and those below it")
        parser.add_argument("--chunk", type=int, default=1000, help="Assignments per transaction")
        parser.add_argument(
            "--reconcile", action="store_true", help="Compare and report drift; write nothing"
        )
        parser.add_argument("--fail-on-drift", action="store_true", help="With --reconcile: exit 1 on drift")

    def handle(self, *args, department, chunk, reconcile, fail_on_drift, **options):
        if chunk < 1:
            raise CommandError("--chunk must be at least 1")
        assignments = Assignment.objects.order_by("pk")
        ids = None
        if department is not None:
            if not Department.objects.filter(pk=department).exists():
                raise CommandError(f"No department {department}")
            ids = department_subtree_ids(department_ids=[department])
            assignments = assignments.filter(
                Q(person__department_id__in=ids) | Q(person__isnull=True, project__department_id__in=ids)
            )
        pks = list(assignments.values_list("pk", flat=True))
        if reconcile:
            self._reconcile(pks, chunk, ids, fail_on_drift)
            return
        written = 0
        for start in range(0, len(pks), chunk):
            batch = Assignment.objects.filter(pk__in=pks[start : start + chunk]).only("pk")
            written += week_hours_sync(assignments=batch)
        rolled_up = role_week_hours_rebuild(department_ids=ids)
        capacity_changed()
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(pks)} assignments, {written} week rows written; {rolled_up} role-week rows rebuilt"
            )
        )

    def _reconcile(self, pks: list[int], chunk: int, department_ids, fail_on_drift: bool) -> None:
        drifted: list[int] = []
        json_total = fact_total = Decimal(0)
        for start in range(0, len(pks), chunk):
            batch_ids = pks[start : start + chunk]
            expected: dict[int, dict] = defaultdict(dict)
            for assignment in Assignment.objects.filter(pk__in=batch_ids).select_related("person", "project"):
                for row in week_hours_rows(assignment):
                    expected[assignment.pk][
                        (row.week_start, row.department_id, row.person_id, row.role_id)
                    ] = row.hours
                    json_total += row.hours
            stored: dict[int, dict] = defaultdict(dict)
            for row in AssignmentWeekHours.objects.filter(assignment_id__in=batch_ids).values_list(
                "assignment_id", "week_start", "department_id", "person_id", "role_id", "hours"
            ):
                stored[row[0]][row[1:5]] = row[5]
                fact_total += row[5]
            drifted += [pk for pk in batch_ids if expected.get(pk, {}) != stored.get(pk, {})]
        self.stdout.write(
            f"{len(pks)} assignments checked; JSON hours {json_total:.2f}, "
            f"fact-table hours {fact_total:.2f}, drift {json_total - fact_total:.2f}; "
            f"{len(drifted)} assignments differ"
        )
        if drifted:
            shown = ", ".join(str(pk) for pk in drifted[:SHOW_DRIFTED])
            self.stdout.write(
                self.style.WARNING(
                    f"drifted assignments: {shown}{' ...' if len(drifted) > SHOW_DRIFTED else ''}"
                )
            )
        rollup_drifted, rollup_total, rollup_fact_total = role_week_hours_drift(department_ids=department_ids)
        self.stdout.write(
            f"role-week rollup: {rollup_total:.2f} hours against {rollup_fact_total:.2f} in the fact table, "
            f"drift {rollup_total - rollup_fact_total:.2f}; {len(rollup_drifted)} role-weeks differ"
        )
        for department_id, role_id, week, in_rollup, in_facts in rollup_drifted[:SHOW_DRIFTED]:
            self.stdout.write(
                self.style.WARNING(
                    f"rollup drift: department {department_id}, role {role_id}, week {week}: "
                    f"{in_rollup:.2f} rolled up, {in_facts:.2f} in the fact table"
                )
            )
        if drifted or rollup_drifted:
            if fail_on_drift:
                raise CommandError(
                    f"{len(drifted)} assignments drift from their fact rows; "
                    f"{len(rollup_drifted)} role-weeks drift from the fact table"
                )
        else:
            self.stdout.write(self.style.SUCCESS("no drift"))
