"""Move every thread key wrap into the one wrap table (cases.DataKeyWrap).

Each thread gets two key identities (conversation and staff) owned by
"hotline.Thread:<id>", the owner its wraps' commitments already bind, at the version
the thread was at; every wrap is copied with its commitment unchanged. A legacy thread
(one key) gets a staff key identity without wraps: its first opening creates them.
"""

from django.db import migrations


def move_wraps(apps, schema_editor):
    Thread = apps.get_model("hotline", "Thread")
    ThreadKeyWrap = apps.get_model("hotline", "ThreadKeyWrap")
    DataKey = apps.get_model("cases", "DataKey")
    DataKeyWrap = apps.get_model("cases", "DataKeyWrap")
    for thread in Thread.objects.all().iterator():
        owner = f"hotline.Thread:{thread.pk}"
        rows = {}
        for purpose in ("conversation", "staff"):
            rows[purpose] = DataKey.objects.create(
                owner=owner, purpose=purpose, version=thread.key_version, created_at=thread.created_at
            )
        Thread.objects.filter(pk=thread.pk).update(
            conversation_key=rows["conversation"], staff_key=rows["staff"]
        )
        DataKeyWrap.objects.bulk_create(
            DataKeyWrap(
                key=rows[wrap.purpose],
                purpose=wrap.purpose,
                version=wrap.key_version,
                recipient=wrap.recipient,
                sealed=wrap.sealed,
                key_check=wrap.key_check,
                created_at=thread.created_at,
            )
            for wrap in ThreadKeyWrap.objects.filter(thread=thread)
        )


class Migration(migrations.Migration):
    dependencies = [("hotline", "0005_thread_data_keys")]

    operations = [migrations.RunPython(move_wraps, migrations.RunPython.noop)]
