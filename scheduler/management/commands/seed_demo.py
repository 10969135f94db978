import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from capacity.access import access_grant_set
from capacity.demo import ORGANISATION, SIZES, seed_capacity
from capacity.models import Department
from forecasting.demo import seed_demand
from scheduler.demo import seed_scheduling

DEMO_USER = "planner"
DEMO_PASSWORD = "crewplan-demo"
# beside the planner (a superuser): a manager and a viewer of the whole organisation, to see what they see
DEMO_READERS = ("manager", "viewer")


class Command(BaseCommand):
    help = "Build the deterministic demo organisation (care homes with wards). Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="medium")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--no-user", action="store_true", help="Do not create the demo login")
        parser.add_argument(
            "--yes-i-know",
            action="store_true",
            help="Create the demo login (a superuser with a published password) even with DEBUG off",
        )

    def handle(self, *args, size: str, seed: int, no_user: bool, yes_i_know: bool = False, **options):
        if seed < 0:
            raise CommandError("--seed must be zero or positive")
        if not no_user and not settings.DEBUG and not yes_i_know:
            raise CommandError(
                f"DEBUG is off: seed_demo would create the superuser {DEMO_USER!r} with the published "
                "password. Use --no-user, or --yes-i-know if this really is a throw-away demo."
            )
        rng = random.Random(seed)
        today = timezone.localdate()
        with transaction.atomic():
            units = seed_capacity(SIZES[size], rng, today)
            organisation = Department.objects.get(name=ORGANISATION, parent=None)
            seed_scheduling(organisation, units, rng, today)
            seed_demand(units, rng, today)
            if not no_user:
                self._demo_user()
                self._demo_readers(organisation)
        people = sum(unit.people.count() for unit in units)
        self.stdout.write(
            self.style.SUCCESS(f"Demo organisation ready: {len(units)} units, {people} people ({size}).")
        )

    def _demo_user(self):
        user, _ = get_user_model().objects.get_or_create(
            username=DEMO_USER, defaults={"email": "planner@demo.crewplan.test"}
        )
        user.is_staff = True
        user.is_superuser = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        self.stdout.write(f"Demo login: {DEMO_USER} / {DEMO_PASSWORD}")

    def _demo_readers(self, organisation):
        for role in DEMO_READERS:
            user, _ = get_user_model().objects.get_or_create(
                username=role, defaults={"email": f"{role}@demo.crewplan.test"}
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            access_grant_set(user=user, department=organisation, role=role)
            self.stdout.write(f"Demo login: {role} / {DEMO_PASSWORD} ({role} of {organisation.name})")
