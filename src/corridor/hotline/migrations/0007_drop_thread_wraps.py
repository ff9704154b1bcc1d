import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("hotline", "0006_move_wraps")]

    operations = [
        migrations.DeleteModel(name="ThreadKeyWrap"),
        migrations.RemoveField(model_name="thread", name="key_version"),
        migrations.AlterField(
            model_name="thread",
            name="conversation_key",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="cases.datakey"
            ),
        ),
        migrations.AlterField(
            model_name="thread",
            name="staff_key",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="cases.datakey"
            ),
        ),
    ]
