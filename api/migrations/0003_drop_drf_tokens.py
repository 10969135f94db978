"""DRF tokens are retired in favour of hashed API keys: drop the table that held them in clear."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("api", "0002_move_accessgrant_to_capacity")]

    operations = [migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop)]
