# WorkRules.overtime_multiplier now lives on each PayRate (copied there by 0004); drop the column.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('scheduler', '0004_pay_rates_and_timesheets'),
    ]

    operations = [
        migrations.RemoveConstraint(model_name='workrules', name='workrules_overtime_ge_1'),
        migrations.RemoveField(model_name='workrules', name='overtime_multiplier'),
    ]
