"""The budget page without a browser: who may read and save it, bad numbers refused in words, and the
demo's manager and viewer logins."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from capacity.models import AccessGrant, LabourBudget
from ops.models import AuditEntry
from web.views.common import this_monday

pytestmark = pytest.mark.django_db


def test_a_viewer_reads_the_budgets_but_cannot_save_them(client, ward, viewer):
    client.force_login(viewer)

    page = client.get(reverse("budgets", args=[ward.unit.id]))
    refused = client.post(reverse("budgets", args=[ward.unit.id]), {f"hours_{this_monday()}": "1"})

    assert page.status_code == 200
    assert "disabled" in page.content.decode()
    assert refused.status_code == 403
    assert not LabourBudget.objects.exists()


def test_a_planner_saves_a_week_and_a_bad_number_is_refused_in_words(client, ward, planner):
    client.force_login(planner)
    url = reverse("budgets", args=[ward.unit.id])
    monday = this_monday()

    client.post(url, {f"hours_{monday}": "900", f"cost_{monday}": "25000"})
    # a second save that changes this week and gives words for next week's hours: all or nothing
    next_week = monday + timedelta(weeks=1)
    bad = client.post(
        url,
        {
            f"hours_{monday}": "900",
            f"cost_{monday}": "1",
            f"hours_{next_week}": "lots",
            f"cost_{next_week}": "5",
        },
        follow=True,
    )

    assert LabourBudget.objects.get().cost == Decimal(25000)
    assert AuditEntry.objects.filter(action="labour_budget_set", actor=planner).count() == 1
    assert "give a number" in bad.content.decode()
    assert LabourBudget.objects.get().cost == Decimal(25000)  # the refused form changed nothing


@pytest.mark.slow
def test_the_demo_adds_a_manager_and_a_viewer_login_beside_the_planner(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo", size="small")

    printed = capsys.readouterr().out
    users = get_user_model().objects
    for name, role in (("manager", "manager"), ("viewer", "viewer")):
        user = users.get(username=name)
        assert not user.is_superuser and user.check_password("crewplan-demo")
        assert AccessGrant.objects.get(user=user).role == role
        assert f"Demo login: {name} / crewplan-demo" in printed
    assert users.get(username="planner").is_superuser
