"""AccessGrant moves to capacity (capacity/migrations/0004_accessgrant.py takes it over in the state).

The table is renamed, not copied, so every grant (and its id sequence) is kept."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelTable(name="accessgrant", table="capacity_accessgrant"),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AccessGrant")],
            database_operations=[],
        ),
    ]
