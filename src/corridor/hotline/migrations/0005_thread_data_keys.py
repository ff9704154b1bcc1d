import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("hotline", "0004_thread_outcomes"),
    ]

    operations = [
        migrations.AddField(
            model_name="thread",
            name="conversation_key",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="cases.datakey"
            ),
        ),
        migrations.AddField(
            model_name="thread",
            name="staff_key",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="cases.datakey"
            ),
        ),
    ]
