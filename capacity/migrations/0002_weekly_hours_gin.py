"""A GIN index on Assignment.weekly_hours for the `jsonb` role-capacity source (PostgreSQL only)."""

from django.db import migrations


def create_gin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS assignment_weekly_hours_gin "
            "ON capacity_assignment USING gin ((weekly_hours::jsonb))"
        )


def drop_gin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS assignment_weekly_hours_gin")


class Migration(migrations.Migration):
    dependencies = [("capacity", "0001_initial")]
    operations = [migrations.RunPython(create_gin, drop_gin)]
