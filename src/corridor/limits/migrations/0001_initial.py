# The Throttle model moves here from the web app with its rows: this migration only
# takes it over in Django's state (the table stays as it is); 0002 renames the table.

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("web", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Throttle",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=64, unique=True)),
                        ("failures", models.PositiveIntegerField(default=0)),
                        ("window_started_at", models.DateTimeField()),
                    ],
                    options={"db_table": "web_throttle"},
                ),
            ],
            database_operations=[],
        ),
    ]
