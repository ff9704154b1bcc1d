"""Migrating a populated database across the move of thread key wraps into cases.DataKeyWrap."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest


@pytest.mark.django_db(transaction=True)
def test_thread_wraps_move_to_data_keys_with_their_commitments(org: dict[str, object]) -> None:
    """A split-layout thread written before the move reads the same after it, for staff and the person."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from corridor.accounts import keyring, services
    from corridor.accounts.integrity import key_check
    from corridor.accounts.models import OrgKeyKind
    from corridor.cases.models import DataKey, DataKeyWrap
    from corridor.crypto import codename, keys
    from corridor.hotline import keys as thread_keys
    from corridor.hotline import reading
    from corridor.hotline.models import Thread
    from tests.conftest import make_user
    from tests.hotline.helpers import private_key

    olga = make_user(org, "olga", {"operator"})
    olga_private = private_key(olga)
    # A codename issued before tags: 16 digits, no tag.
    code = codename.generate_digits(bytes(32))[: len("0000 0000 0000 0000")]
    derived = codename.derive(code, salt=thread_keys.codename_salt(), cost=services.argon2_cost())
    conversation, staff = b"\x41" * 32, b"\x42" * 32
    public = {
        "hotline": keyring.pinned_public_key(OrgKeyKind.HOTLINE),
        "recovery": keyring.pinned_public_key(OrgKeyKind.RECOVERY),
        "applicant": derived.keypair.public,
    }

    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    before = [("hotline", "0004_thread_outcomes")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    old_thread, old_wrap = old.get_model("hotline", "Thread"), old.get_model("hotline", "ThreadKeyWrap")
    old_message = old.get_model("hotline", "Message")

    thread_id, now = uuid.uuid4(), datetime.now(UTC)
    owner = f"hotline.Thread:{thread_id}"
    thread = old_thread(
        id=thread_id,
        code="H-MOVE01",
        lookup_id=derived.lookup_id,
        channel="web",
        urgency=2,
        region="RU-CE",
        layout=2,
        created_at=now,
        last_applicant_at=now,
        first_response_due_at=now + timedelta(hours=4),
    )
    thread.intake = thread_keys.seal_json(
        staff,
        {"triage": {"region": "RU-CE"}, "contact": ""},
        model="hotline.Thread",
        row=str(thread_id),
        field="intake",
        version=1,
        context=thread_keys.intake_context(thread),
    )
    thread.save(force_insert=True)
    for kind, text, key, author, at in (
        ("applicant", "please help", conversation, None, now),
        ("note", "staff only", staff, olga.pk, now + timedelta(seconds=1)),
    ):
        message = old_message(
            id=uuid.uuid4(), thread_id=thread_id, kind=kind, author_id=author, created_at=at
        )
        message.body = thread_keys.seal_json(
            key,
            {"text": text},
            model="hotline.Message",
            row=str(message.pk),
            field="body",
            version=1,
            context=thread_keys.message_context(message),
        )
        message.save(force_insert=True)
    written = []
    for purpose, key, recipients in (
        ("conversation", conversation, ("hotline", "applicant", "recovery")),
        ("staff", staff, ("hotline", "recovery")),
    ):
        for recipient in recipients:
            wrap = old_wrap.objects.create(
                thread_id=thread_id,
                purpose=purpose,
                recipient=recipient,
                key_version=1,
                sealed=keys.seal_to(public[recipient], key),
                key_check=key_check(owner, purpose, 1, key),
            )
            written.append((purpose, recipient, bytes(wrap.sealed), bytes(wrap.key_check)))

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    migrated = Thread.objects.select_related("conversation_key", "staff_key").get(pk=thread_id)
    assert migrated.conversation_key is not None
    assert migrated.staff_key is not None
    assert (migrated.conversation_key.owner, migrated.conversation_key.purpose) == (owner, "conversation")
    assert (migrated.staff_key.owner, migrated.staff_key.purpose) == (owner, "staff")
    assert DataKey.objects.filter(owner=owner).count() == 2
    copied = sorted(
        (w.purpose, w.recipient, bytes(w.sealed), bytes(w.key_check))
        for w in DataKeyWrap.objects.filter(key__owner=owner, version=1)
    )
    assert copied == sorted(written)

    view = reading.thread_for_staff(user=olga, user_private_key=olga_private, thread=migrated)
    assert [m.text for m in view.messages] == ["please help", "staff only"]
    assert view.triage.region == "RU-CE"
    seen = reading.thread_for_applicant(
        thread=Thread.objects.get(pk=thread_id), applicant_private=derived.keypair.private
    )
    assert [m.text for m in seen] == ["please help"]
