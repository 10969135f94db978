from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from capacity.models import Department, LabourBudget
from scheduler.labour_variance import compute_labour_variance
from scheduler.models import PayRate, Roster, TimesheetEntry

pytestmark = pytest.mark.django_db


def _counts():
    return [m.objects.count() for m in (PayRate, TimesheetEntry, LabourBudget, Roster)]


@pytest.mark.slow
def test_the_demo_has_rates_budgets_and_actuals_for_the_variance_report_and_reseeding_changes_nothing():
    # given the small demo seeded twice
    call_command("seed_demo", size="small", no_user=True, verbosity=0)
    first = _counts()
    call_command("seed_demo", size="small", no_user=True, verbosity=0)
    # then nothing was added the second time, and a person has a rate history with one change
    assert _counts() == first
    assert PayRate.objects.filter(valid_to__isnull=False).exists()
    # and the past four weeks have a budget, a roster and actuals in every unit
    today = timezone.localdate()
    units = list(Department.objects.filter(kind=Department.Kind.UNIT).values_list("id", flat=True))
    report = compute_labour_variance(
        department_ids=units, first_week=today - timedelta(days=today.weekday(), weeks=4), weeks=4
    )
    for unit in report["units"]:
        for week in unit["weeks"]:
            assert week["budget"]["cost"] > 0
            assert week["rostered"]["cost"] > 0
            assert week["actual"]["cost"] > 0
