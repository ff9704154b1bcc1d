# The throttle table takes this app's name; its rows (keys, counts, windows) are kept.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("limits", "0001_initial"), ("web", "0002_throttle_moved_to_limits")]

    operations = [migrations.AlterModelTable(name="throttle", table=None)]
