"""The capacity half of the demo organisation: care homes with wards, people, skills, leave, projects.

Deterministic for a given seed, and idempotent: rows are found by natural keys (names, e-mails) and
the bulk rows of the demo departments are replaced, never added twice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from capacity.models import Assignment, Department, Leave, Person, PersonSkill, Project, Role, SkillTag
from capacity.week_hours import week_hours_remove, week_hours_sync
from capacity.weeks import monday_of, week_keys

ORGANISATION = "Demo Care Group"
SITE_NAMES = [
    "Riverside",
    "Hillcrest",
    "Oakwood",
    "Meadowbank",
    "Harbour View",
    "Elmfield",
    "Kingsbridge",
    "Westgate",
    "Ashford",
    "Lakeside",
    "Northgate",
    "Fairhaven",
]
WARD_NAMES = [
    "Rowan Ward",
    "Willow Ward",
    "Birch Ward",
    "Cedar Ward",
    "Maple Ward",
    "Hazel Ward",
    "Holly Ward",
    "Juniper Ward",
]
ROLES = [("Registered Nurse", 0.30), ("Senior Carer", 0.20), ("Care Assistant", 0.45), ("Ward Manager", 0.05)]
SKILLS = ["Medication", "Manual Handling", "Dementia Care", "First Aid", "Palliative Care", "Night Lead"]
FIRST = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Isla",
    "Jonas",
    "Kemi",
    "Liam",
    "Maya",
    "Noah",
    "Olu",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Yara",
    "Zoe",
]
LAST = [
    "Adeyemi",
    "Brooks",
    "Chen",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Iqbal",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Murphy",
    "Nowak",
    "Okafor",
    "Patel",
    "Quist",
    "Rossi",
    "Singh",
    "Taylor",
]
CLIENTS = ["NHS Trust North", "County Council", "", "Private Clients", "Hospice Partnership"]


@dataclass(frozen=True)
class DemoSize:
    sites: int
    units_per_site: int
    people_per_unit: int
    assignments_per_person: float


SIZES = {
    "small": DemoSize(sites=1, units_per_site=2, people_per_unit=14, assignments_per_person=1.5),
    "medium": DemoSize(sites=3, units_per_site=2, people_per_unit=25, assignments_per_person=2),
    "large": DemoSize(sites=10, units_per_site=8, people_per_unit=25, assignments_per_person=4),
}
PLAN_WEEKS = 26


def seed_capacity(size: DemoSize, rng: random.Random, today: date) -> list[Department]:
    """Build the tree, people and projects; returns the units."""
    org, _ = Department.objects.update_or_create(
        name=ORGANISATION,
        parent=None,
        defaults={"kind": Department.Kind.ORGANISATION, "time_zone": "Europe/London", "country": "GB"},
    )
    roles = {name: Role.objects.get_or_create(name=name)[0] for name, _ in ROLES}
    skills = {name: SkillTag.objects.get_or_create(name=name)[0] for name in SKILLS}
    units: list[Department] = []
    for s in range(size.sites):
        site, _ = Department.objects.update_or_create(
            name=SITE_NAMES[s],
            parent=org,
            defaults={"kind": Department.Kind.SITE, "time_zone": "Europe/London", "country": "GB"},
        )
        for u in range(size.units_per_site):
            unit, _ = Department.objects.update_or_create(
                name=f"{SITE_NAMES[s]} {WARD_NAMES[u]}",
                parent=site,
                defaults={"kind": Department.Kind.UNIT, "time_zone": "Europe/London", "country": "GB"},
            )
            units.append(unit)
    for index, unit in enumerate(units):
        _seed_people(unit, index, size, roles, skills, rng, today)
    _seed_projects(units, size, roles, rng, today)
    return units


def _seed_people(unit, unit_index, size, roles, skills, rng, today):
    role_names = [name for name, _ in ROLES]
    weights = [share for _, share in ROLES]
    for i in range(size.people_per_unit):
        role_name = "Ward Manager" if i == 0 else rng.choices(role_names[:3], weights[:3])[0]
        first, last = FIRST[(unit_index * 7 + i) % len(FIRST)], LAST[(unit_index * 3 + i * 7) % len(LAST)]
        full_time = rng.random() < 0.7
        person, _ = Person.objects.update_or_create(
            email=f"{first.lower()}.{last.lower()}.u{unit_index}p{i}@demo.crewplan.test",
            defaults={
                "department": unit,
                "role": roles[role_name],
                "name": f"{first} {last}",
                "weekly_capacity_hours": Decimal("37.5") if full_time else Decimal(rng.choice([20, 24, 30])),
                "hire_date": today - timedelta(days=rng.randint(-20, 3000)),
                "active": rng.random() > 0.03,
            },
        )
        PersonSkill.objects.filter(person=person).delete()
        held = {"Manual Handling", "First Aid"}
        if role_name in ("Registered Nurse", "Ward Manager", "Senior Carer"):
            held |= {"Medication"}
        held |= set(rng.sample(SKILLS, 2))
        PersonSkill.objects.bulk_create(
            PersonSkill(
                person=person,
                skill=skills[name],
                level=rng.randint(2, 5),
                certified_until=_certified_until(name, rng, today),
            )
            for name in sorted(held)
        )
        Leave.objects.filter(person=person).delete()
        if rng.random() < 0.35:
            start = today + timedelta(days=rng.randint(0, 60))
            Leave.objects.create(
                person=person,
                start_date=start,
                end_date=start + timedelta(days=rng.randint(0, 9)),
                kind=rng.choice([Leave.Kind.ANNUAL, Leave.Kind.ANNUAL, Leave.Kind.TRAINING, Leave.Kind.SICK]),
                status=rng.choice([Leave.Status.APPROVED, Leave.Status.APPROVED, Leave.Status.REQUESTED]),
            )


def _certified_until(skill: str, rng: random.Random, today: date) -> date | None:
    """Some certifications run out during the planning period and a few have lapsed; medication
    certificates are renewed more reliably (wards cannot run without them)."""
    if skill in ("Dementia Care", "Palliative Care"):
        return None
    days = [-10, 12, 25, 200, 400, 700] if skill != "Medication" else [30, 200, 400, 500, 700, 700, 900, -10]
    return today + timedelta(days=rng.choice(days))


def _seed_projects(units, size, roles, rng, today):
    first_monday = monday_of(today)
    keys = [k.isoformat() for k in week_keys(first_monday, PLAN_WEEKS)]
    unit_ids = [u.id for u in units]
    replaced = Assignment.objects.filter(project__department_id__in=unit_ids)
    week_hours_remove(assignment_ids=replaced.values_list("pk", flat=True))  # out of the rollup too
    replaced.delete()
    role_list = list(roles.values())
    for unit in units:
        projects = []
        for p in range(3):
            project, _ = Project.objects.update_or_create(
                name=f"{unit.name} {['Quality Audit', 'Training Programme', 'Outreach Clinic'][p]}",
                department=unit,
                defaults={"client": CLIENTS[(unit.id + p) % len(CLIENTS)], "status": Project.Status.ACTIVE},
            )
            projects.append(project)
        people = list(unit.people.order_by("id"))
        count = round(len(people) * size.assignments_per_person)
        new = []
        for a in range(count):
            person = people[a % len(people)] if rng.random() > 0.05 else None  # a few open placeholders
            start = rng.randint(0, PLAN_WEEKS - 4)
            hours = {}
            for key in keys[start : start + rng.randint(4, PLAN_WEEKS - start)]:
                hours[key] = rng.choice([2, 4, 4, 6, 8, 8, 12, 16])
            new.append(
                Assignment(
                    person=person,
                    project=projects[a % 3],
                    role=person.role if person else rng.choice(role_list),
                    weekly_hours=hours,
                )
            )
        created = Assignment.objects.bulk_create(new, batch_size=2000)
        for assignment in created:
            assignment.project = projects[[p.id for p in projects].index(assignment.project_id)]
        week_hours_sync(assignments=created)
