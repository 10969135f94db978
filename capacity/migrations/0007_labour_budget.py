# Labour budgets per unit and week (issue 17).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('capacity', '0006_department_subdivision'),
    ]

    operations = [
        migrations.CreateModel(
            name='LabourBudget',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('week_start', models.DateField()),
                ('hours', models.DecimalField(decimal_places=2, max_digits=9)),
                ('cost', models.DecimalField(decimal_places=2, max_digits=12)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('department', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='labour_budgets', to='capacity.department')),
            ],
            options={
                'ordering': ['week_start'],
                'constraints': [
                    models.UniqueConstraint(fields=('department', 'week_start'), name='labourbudget_one_per_week'),
                    models.CheckConstraint(condition=models.Q(('cost__gte', 0), ('hours__gte', 0)), name='labourbudget_non_negative'),
                ],
            },
        ),
    ]
