# Pay rates over time and timesheet entries (issue 17).
#
# Rates of one subject must not overlap. PostgreSQL enforces it with exclusion constraints over
# daterange(valid_from, valid_to, '[]') (an empty valid_to is an unbounded range), which need btree_gist
# for the equality on ids; the constraints are added in SQL so that SQLite, which has none, migrates too
# (scheduler.pay_rates refuses overlaps on every database).
# Every person's hourly_rate becomes their first rate row, valid from their hire date, with their
# contract's overtime multiplier.

import django.db.models.deletion
from django.db import migrations, models

EXCLUSIONS = (
    (
        "payrate_person_no_overlap",
        "person_id WITH =, daterange(valid_from, valid_to, '[]') WITH &&",
        "person_id IS NOT NULL",
    ),
    (
        "payrate_role_contract_no_overlap",
        "role_id WITH =, COALESCE(work_rules_id, 0) WITH =, daterange(valid_from, valid_to, '[]') WITH &&",
        "person_id IS NULL",
    ),
)


def create_btree_gist(apps, schema_editor):
    # Not Django's BtreeGistExtension: it would drop the extension when migrating back, and query
    # pg_extension on SQLite doing so.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")


def add_exclusions(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, elements, where in EXCLUSIONS:
        schema_editor.execute(
            f"ALTER TABLE scheduler_payrate ADD CONSTRAINT {name} EXCLUDE USING gist ({elements}) WHERE ({where})"
        )


def drop_exclusions(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in EXCLUSIONS:
        schema_editor.execute(f"ALTER TABLE scheduler_payrate DROP CONSTRAINT IF EXISTS {name}")


def copy_person_rates(apps, schema_editor):
    Person = apps.get_model("capacity", "Person")
    PersonContract = apps.get_model("scheduler", "PersonContract")
    PayRate = apps.get_model("scheduler", "PayRate")
    overtime = dict(PersonContract.objects.values_list("person_id", "work_rules__overtime_multiplier"))
    PayRate.objects.bulk_create(
        [
            PayRate(
                person_id=pk,
                valid_from=hired,
                hourly_rate=rate,
                overtime_multiplier=overtime.get(pk) or 1,
            )
            for pk, hired, rate in Person.objects.values_list("pk", "hire_date", "hourly_rate")
        ],
        batch_size=1000,
    )


def copy_rates_back(apps, schema_editor):
    Person = apps.get_model("capacity", "Person")
    PayRate = apps.get_model("scheduler", "PayRate")
    first: dict = {}
    for person_id, rate in PayRate.objects.filter(person__isnull=False).order_by(
        "-valid_from"
    ).values_list("person_id", "hourly_rate"):
        first[person_id] = rate  # the earliest row wins (ordered newest first)
    for person_id, rate in first.items():
        Person.objects.filter(pk=person_id).update(hourly_rate=rate)


class Migration(migrations.Migration):

    dependencies = [
        ('capacity', '0007_labour_budget'),
        ('scheduler', '0003_cover_under_weight_500'),
    ]

    operations = [
        migrations.RunPython(create_btree_gist, migrations.RunPython.noop),
        migrations.CreateModel(
            name='PayRate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('valid_from', models.DateField()),
                ('valid_to', models.DateField(blank=True, help_text='Empty: valid until a later rate', null=True)),
                ('hourly_rate', models.DecimalField(decimal_places=2, max_digits=8)),
                ('overtime_multiplier', models.DecimalField(decimal_places=2, default=1.5, max_digits=4)),
                ('night_multiplier', models.DecimalField(decimal_places=2, default=1, max_digits=4)),
                ('weekend_multiplier', models.DecimalField(decimal_places=2, default=1, max_digits=4)),
                ('holiday_multiplier', models.DecimalField(decimal_places=2, default=1, max_digits=4)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='pay_rates', to='capacity.person')),
                ('role', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='capacity.role')),
                ('work_rules', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='pay_rates', to='scheduler.workrules')),
            ],
            options={
                'ordering': ['valid_from', 'id'],
                'indexes': [
                    models.Index(fields=['person', 'valid_from'], name='payrate_person_from'),
                    models.Index(fields=['role', 'valid_from'], name='payrate_role_from'),
                ],
                'constraints': [
                    models.CheckConstraint(condition=models.Q(models.Q(('person__isnull', False), ('role__isnull', True), ('work_rules__isnull', True)), models.Q(('person__isnull', True), ('role__isnull', False)), _connector='OR'), name='payrate_person_or_role'),
                    models.CheckConstraint(condition=models.Q(('valid_to__isnull', True), ('valid_to__gte', models.F('valid_from')), _connector='OR'), name='payrate_valid_to_after_from'),
                    models.CheckConstraint(condition=models.Q(('hourly_rate__gte', 0)), name='payrate_rate_non_negative'),
                    models.CheckConstraint(condition=models.Q(('holiday_multiplier__gte', 1), ('night_multiplier__gte', 1), ('overtime_multiplier__gte', 1), ('weekend_multiplier__gte', 1)), name='payrate_multipliers_ge_1'),
                ],
            },
        ),
        migrations.RunPython(add_exclusions, drop_exclusions),
        migrations.CreateModel(
            name='TimesheetEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField()),
                ('start', models.TimeField()),
                ('end', models.TimeField()),
                ('break_minutes', models.PositiveIntegerField(default=0)),
                ('worked_minutes', models.PositiveIntegerField(help_text='end - start - break, kept by the service')),
                ('source', models.CharField(choices=[('manual', 'Manual'), ('import', 'Import'), ('clock', 'Clock')], default='manual', max_length=8)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('department', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='timesheet_entries', to='capacity.department')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='timesheet_entries', to='capacity.person')),
                ('shift_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='scheduler.shifttype')),
            ],
            options={
                'verbose_name_plural': 'timesheet entries',
                'ordering': ['date', 'start', 'person'],
                'indexes': [models.Index(fields=['department', 'date'], name='timesheet_department_date')],
                'constraints': [
                    models.UniqueConstraint(fields=('person', 'date', 'start'), name='timesheet_one_start_per_day'),
                    models.CheckConstraint(condition=models.Q(('worked_minutes__lte', 1440)), name='timesheet_at_most_a_day'),
                ],
            },
        ),
        migrations.RunPython(copy_person_rates, copy_rates_back),
    ]
