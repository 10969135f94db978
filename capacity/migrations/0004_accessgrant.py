"""AccessGrant, moved here from api: state only, the table was renamed by api 0002."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("capacity", "0003_roleweekhours"),
        ("api", "0002_move_accessgrant_to_capacity"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="AccessGrant",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("role", models.CharField(choices=[("admin", "Admin"), ("planner", "Planner"), ("manager", "Manager"), ("viewer", "Viewer")], max_length=16)),
                        ("include_children", models.BooleanField(default=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("department", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="capacity.department")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="access_grants", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "constraints": [models.UniqueConstraint(fields=("user", "department"), name="accessgrant_one_per_department")],
                    },
                ),
            ],
        ),
    ]
