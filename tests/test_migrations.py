from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_pending_migrations() -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_audit_head_gets_its_mac_when_migrating_forward(org: dict[str, object]) -> None:
    """A head written before heads carried a MAC verifies after the migration, and stays guarded."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from corridor.audit.chain import head_mac
    from corridor.audit.models import AuditChainHead, AuditEvent
    from corridor.audit.services import record_event, verify_chain

    newest = [record_event(action="test.event", data={"n": n}) for n in range(3)][-1]
    table = AuditChainHead._meta.db_table
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([("audit", "0001_initial")])
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, table)}
        cursor.execute("SELECT last_seq, last_hash FROM audit_auditchainhead")
        assert cursor.fetchall() == [(newest.seq, newest.hash)]
    assert "mac" not in columns
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    head = AuditChainHead.objects.get()
    assert head.mac == head_mac(seq=newest.seq, digest=newest.hash)
    assert verify_chain(organisation_initialised=True).ok
    # The MAC now guards the head: moving it back over a cut fails verification.
    AuditEvent.objects.filter(seq=newest.seq).delete()
    AuditChainHead.objects.update(last_seq=newest.seq - 1, last_hash=newest.prev_hash)
    assert verify_chain(organisation_initialised=True).first_bad_seq == newest.seq


def _legacy_seal(key: bytes, plaintext: bytes, *, model: str, row: str, field: str) -> bytes:
    """An envelope exactly as Corridor wrote it before padding and context binding (format 1)."""
    import struct

    from nacl import bindings
    from nacl.utils import random as random_bytes

    from corridor.crypto.envelope import associated_data

    header = struct.pack(">BI", 1, 1)
    nonce = random_bytes(24)
    ad = associated_data(model=model, row=row, field=field, key_version=1, version=1)
    return (
        header
        + nonce
        + bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, header + ad, nonce, key)
    )


def _legacy_password_wrap(secret: bytes, password: str) -> bytes:
    """A password wrap as made before it was bound to its owner (format 1)."""
    import struct

    from nacl import bindings
    from nacl.utils import random as random_bytes

    from corridor.accounts.services import argon2_cost
    from corridor.crypto.kdf import derive_key, normalise_secret

    cost = argon2_cost()
    salt, nonce = random_bytes(16), random_bytes(24)
    header = struct.pack(">BIQ", 1, cost.opslimit, cost.memlimit)
    kek = derive_key(normalise_secret(password), salt, cost)
    ad = header + b"corridor.password-wrap.v1"
    return header + salt + nonce + bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(secret, ad, nonce, kek)


@pytest.mark.django_db(transaction=True)
def test_an_installation_from_before_key_integrity_migrates_forward(org: dict[str, object]) -> None:
    """Users, wraps and a thread written the old way (one key, unbound envelopes, unbound password
    wrap, no MACs) survive the migrations; the operator's next sign-in and reading upgrade them, and
    from then on the person's codename no longer opens the internal note.

    The same round trip proves the current migrations run forward on a populated database: the
    hotline and web apps go back to nothing (a thread written now goes with their tables) and are
    rebuilt, with the organisation, staff and audit chain in place. It is the suite's one trip
    through the whole history (each costs half a minute), so later schema changes that carry data
    add their own steps here rather than a second trip.
    """
    import base64
    import json
    import uuid
    from datetime import UTC, datetime, timedelta

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from corridor.accounts import services
    from corridor.accounts.models import OrgKeyKind, User
    from corridor.audit.models import AuditEvent
    from corridor.audit.services import verify_chain
    from corridor.cases.models import DataKeyWrap
    from corridor.crypto import codename, keys
    from corridor.crypto.envelope import open_field
    from corridor.crypto.errors import DecryptionFailed
    from corridor.crypto.kdf import wrap_version
    from corridor.hotline import keys as thread_keys
    from corridor.hotline import reading
    from corridor.hotline import services as hotline
    from corridor.hotline.models import Message, Thread, ThreadLayout
    from corridor.hotline.triage import Triage
    from tests.conftest import PASSWORD, make_user

    olga = make_user(org, "olga", {"operator"})
    populated = hotline.open_thread(triage=Triage(in_danger_now=True), text="populated", files=[]).thread
    users_before = User.objects.count()
    olga_private = services.unwrap_user_key(olga, PASSWORD)
    secrets = org["secrets"]
    assert isinstance(secrets, dict)
    hotline_public = keys.public_key_of(secrets[OrgKeyKind.HOTLINE])
    # A codename issued before tags: 16 digits, no tag.
    code = codename.generate_digits(bytes(32))[: len("0000 0000 0000 0000")]
    derived = codename.derive(code, salt=thread_keys.codename_salt(), cost=services.argon2_cost())

    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    # Back to nothing for hotline and web, then forward to where the old rows are written.
    executor.migrate([("hotline", None), ("web", None), ("accounts", "0001_initial")])
    executor = MigrationExecutor(connection)
    executor.migrate([("hotline", "0001_initial"), ("accounts", "0001_initial")])
    assert (
        not executor.loader.project_state([("hotline", "0001_initial")])
        .apps.get_model("hotline", "Thread")
        .objects.exists()
    )  # the hotline's own tables were rebuilt empty
    old = executor.loader.project_state([("hotline", "0001_initial"), ("accounts", "0001_initial")]).apps
    old_user = old.get_model("accounts", "User")
    old_thread, old_wrap = old.get_model("hotline", "Thread"), old.get_model("hotline", "ThreadKeyWrap")
    old_message = old.get_model("hotline", "Message")
    old_user.objects.filter(pk=olga.pk).update(
        wrapped_private_key=_legacy_password_wrap(olga_private, PASSWORD)
    )
    thread_key = b"\x11" * 32
    thread_id, now = uuid.uuid4(), datetime.now(UTC)
    old_thread.objects.create(
        id=thread_id,
        code="H-LEGACY",
        lookup_id=derived.lookup_id,
        channel="web",
        urgency=2,
        region="RU-CE",
        intake=_legacy_seal(
            thread_key,
            json.dumps({"triage": {"region": "RU-CE"}, "contact": ""}).encode(),
            model="hotline.Thread",
            row=str(thread_id),
            field="intake",
        ),
        created_at=now,
        last_applicant_at=now,
        first_response_due_at=now + timedelta(hours=4),
    )
    for recipient, public in (
        ("hotline", hotline_public),
        ("applicant", derived.keypair.public),
        ("recovery", bytes(keys.public_key_of(b"\x07" * 32))),
    ):
        old_wrap.objects.create(
            thread_id=thread_id, recipient=recipient, key_version=1, sealed=keys.seal_to(public, thread_key)
        )
    for kind, text, at in (
        ("applicant", "legacy message", now),
        ("note", "legacy note", now + timedelta(seconds=1)),
    ):
        message_id = uuid.uuid4()
        old_message.objects.create(
            id=message_id,
            thread_id=thread_id,
            kind=kind,
            author_id=olga.pk if kind == "note" else None,
            created_at=at,
            body=_legacy_seal(
                thread_key,
                json.dumps({"text": text}).encode(),
                model="hotline.Message",
                row=str(message_id),
                field="body",
            ),
        )

    old_attachment = old.get_model("hotline", "Attachment")
    first_message = old_message.objects.get(thread_id=thread_id, kind="applicant")
    attachment_id = uuid.uuid4()
    legacy_meta = {
        "name": "IMG_0001.jpg",
        "type": "image/jpeg",
        "size": 10,
        "sha256": "ab" * 32,
        "original_key": base64.b64encode(b"\x22" * 32).decode(),
        "view_key": base64.b64encode(b"\x33" * 32).decode(),
        "view_type": "image/jpeg",
        "view_size": 8,
    }
    old_attachment.objects.create(
        id=attachment_id,
        thread_id=thread_id,
        message_id=first_message.pk,
        created_at=now,
        meta=_legacy_seal(
            thread_key,
            json.dumps(legacy_meta).encode(),
            model="hotline.Attachment",
            row=str(attachment_id),
            field="meta",
        ),
        original_blob=f"hotline/{attachment_id}.orig",
        stripped_blob=f"hotline/{attachment_id}.view",
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    assert User.objects.count() == users_before
    assert verify_chain().ok
    assert not Thread.objects.filter(pk=populated.pk).exists()
    # The user row got its MAC from the migration, and the old wrap still signs in, once upgraded.
    unlocked = services.unlock_with_password("olga", PASSWORD)
    assert unlocked is not None
    assert wrap_version(bytes(User.objects.get(pk=olga.pk).wrapped_private_key)) == 2
    assert AuditEvent.objects.filter(action="account.wrap_upgraded").exists()
    assert services.unlock_with_password("olga", PASSWORD) is not None

    thread = Thread.objects.get(pk=thread_id)
    assert thread.layout == ThreadLayout.LEGACY
    view = reading.thread_for_staff(user=unlocked.user, user_private_key=unlocked.private_key, thread=thread)
    assert [m.text for m in view.messages] == ["legacy message", "legacy note"]
    assert view.triage.region == "RU-CE"
    assert Thread.objects.get(pk=thread_id).layout == ThreadLayout.SPLIT
    owner = f"hotline.Thread:{thread_id}"
    assert DataKeyWrap.objects.filter(key__owner=owner, purpose="staff").count() == 2
    # The codename opens the conversation, but the upgraded note is under the staff key now.
    conversation = keys.unseal(
        derived.keypair.private,
        bytes(DataKeyWrap.objects.get(key__owner=owner, recipient="applicant").sealed),
    )
    note = Message.objects.get(thread_id=thread_id, kind="note")
    with pytest.raises(DecryptionFailed):
        open_field(
            conversation,
            bytes(note.body),
            model="hotline.Message",
            row=str(note.pk),
            field="body",
            context=thread_keys.message_context(note),
            accept_legacy=True,
        )
    # The original's key left the description for the evidence key.
    from corridor.hotline.models import Attachment

    upgraded = Attachment.objects.get(pk=attachment_id)
    assert [a.name for a in view.messages[0].attachments] == ["IMG_0001.jpg"]
    assert "original_key" not in reading._attachment_meta(conversation, upgraded)
    original_key, sha256 = thread_keys.open_evidence(
        reader=None, evidence_private=secrets[OrgKeyKind.EVIDENCE], attachment=upgraded
    )
    assert (original_key, sha256) == (b"\x22" * 32, "ab" * 32)
    seen = reading.thread_for_applicant(
        thread=Thread.objects.get(pk=thread_id), applicant_private=derived.keypair.private
    )
    assert [m.text for m in seen] == ["legacy message"]
    hotline.open_thread(triage=Triage(), text="after migrating", files=[])
    assert Thread.objects.count() == 2
