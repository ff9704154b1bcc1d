# The Throttle model now belongs to corridor.limits (below the apps that use it); the
# table is not touched here, limits takes it over with its rows.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("web", "0001_initial"), ("limits", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Throttle")],
            database_operations=[],
        ),
    ]
