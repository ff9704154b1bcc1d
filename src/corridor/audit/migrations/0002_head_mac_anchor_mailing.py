from typing import Any

from django.db import migrations, models


def mac_existing_head(apps: Any, schema_editor: Any) -> None:
    """Give the head row, if there is one, the MAC that appends now write."""
    # The MAC rule lives in one place; its salt versions it, so a later rule gets a new
    # salt and its own migration rather than a different meaning for this one.
    from corridor.audit.chain import head_mac

    head_model = apps.get_model("audit", "AuditChainHead")
    for head in head_model.objects.using(schema_editor.connection.alias).all():
        head.mac = head_mac(seq=head.last_seq, digest=head.last_hash)
        head.save(update_fields=["mac"])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="mac",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.CreateModel(
            name="AnchorMailing",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("last_seq", models.BigIntegerField()),
                ("last_hash", models.CharField(max_length=64)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="audit_single_anchor_mailing")
                ],
            },
        ),
        # Reversing drops the column, so there is nothing to undo.
        migrations.RunPython(mac_existing_head, migrations.RunPython.noop),
    ]
