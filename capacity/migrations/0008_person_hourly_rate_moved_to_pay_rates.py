# Person.hourly_rate now lives in scheduler.PayRate (copied there by scheduler 0004); drop the column.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('capacity', '0007_labour_budget'),
        ('scheduler', '0004_pay_rates_and_timesheets'),
    ]

    operations = [
        migrations.RemoveConstraint(model_name='person', name='person_rate_non_negative'),
        migrations.RemoveField(model_name='person', name='hourly_rate'),
    ]
