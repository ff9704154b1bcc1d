"""The named sites of the gazetteer's data file (sites.csv)."""

from typing import Any

from django.db import migrations

from corridor.documentation import gazetteer


def load(apps: Any, schema_editor: Any) -> None:
    gazetteer.load_sites(apps.get_model("documentation", "Site"))


class Migration(migrations.Migration):
    dependencies = [("documentation", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
