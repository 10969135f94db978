from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("capacity", "0007_labour_budget"), ("scheduler", "0003_cover_under_weight_500")]
AFTER = [
    ("capacity", "0008_person_hourly_rate_moved_to_pay_rates"),
    ("scheduler", "0005_workrules_overtime_moved_to_pay_rates"),
]


@pytest.fixture
def back_to_the_latest_schema():
    """Leave the test database at the latest migrations: the tests after this one (and a Celery worker on
    the same database) need every table of the later migrations."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_each_persons_hourly_rate_becomes_their_first_rate_row(back_to_the_latest_schema):
    # given the schema before pay rates, with a person on a contract paying overtime at x1.75
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    site = old.get_model("capacity", "Department").objects.create(name="Org", kind="organisation")
    role = old.get_model("capacity", "Role").objects.create(name="Nurse")
    person = old.get_model("capacity", "Person").objects.create(
        department=site,
        role=role,
        name="Ada",
        email="ada@example.test",
        hire_date=date(2021, 5, 3),
        hourly_rate=Decimal("19.25"),
    )
    rules = old.get_model("scheduler", "WorkRules").objects.create(
        name="Full time", contract_minutes_per_week=2250, overtime_multiplier=Decimal("1.75")
    )
    old.get_model("scheduler", "PersonContract").objects.create(person=person, work_rules=rules)
    # when the migrations run
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    # then the rate and the contract's multiplier are the person's first rate row, from the hire date on
    [rate] = new.get_model("scheduler", "PayRate").objects.filter(person_id=person.pk)
    assert (rate.valid_from, rate.valid_to, rate.hourly_rate, rate.overtime_multiplier) == (
        date(2021, 5, 3),
        None,
        Decimal("19.25"),
        Decimal("1.75"),
    )
    assert not hasattr(new.get_model("capacity", "Person")(), "hourly_rate")
    # and the schema goes back to the latest migrations, so the tests after this one see every column
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
