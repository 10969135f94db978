from datetime import date
from decimal import Decimal

import factory

from capacity.models import Assignment, Department, Leave, Person, PersonSkill, Project, Role, SkillTag
from capacity.services import week_hours_sync


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Department {n}")
    kind = Department.Kind.ORGANISATION
    parent = None
    time_zone = "Europe/London"


class UnitFactory(DepartmentFactory):
    kind = Department.Kind.UNIT
    name = factory.Sequence(lambda n: f"Ward {n}")
    parent = factory.SubFactory(DepartmentFactory, kind=Department.Kind.SITE)


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Role {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    department = factory.SubFactory(UnitFactory)
    role = factory.SubFactory(RoleFactory)
    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.test")
    weekly_capacity_hours = Decimal("37.5")
    hire_date = date(2020, 1, 6)


class SkillTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SkillTag

    name = factory.Sequence(lambda n: f"Skill {n}")


class PersonSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonSkill

    person = factory.SubFactory(PersonFactory)
    skill = factory.SubFactory(SkillTagFactory)
    level = 3


class LeaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Leave

    person = factory.SubFactory(PersonFactory)
    start_date = date(2025, 3, 3)
    end_date = date(2025, 3, 7)
    status = Leave.Status.APPROVED


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project {n}")
    client = "Client"
    department = factory.SubFactory(UnitFactory)


class AssignmentFactory(factory.django.DjangoModelFactory):
    """An assignment whose fact rows are written too (pass `sync=False` to leave them out, e.g. to
    create drift for the reconcile tests). `weekly_hours` is stored as given, legacy keys included."""

    class Meta:
        model = Assignment
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    project = factory.SubFactory(ProjectFactory)
    role = factory.LazyAttribute(lambda a: a.person.role if a.person else RoleFactory())
    weekly_hours = factory.LazyFunction(dict)

    @factory.post_generation
    def sync(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            week_hours_sync(assignments=[obj])
