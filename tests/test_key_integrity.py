"""Attacks on the key hierarchy by someone who can write to the database or holds one codename.

Each test performs the attack the way an adversary would (raw updates and inserts, a
leaked codename with a copy of the database) and checks that it gets nothing.
"""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from corridor.accounts import keyring, services
from corridor.accounts.integrity import IntegrityFailure
from corridor.accounts.models import KeyWrap, OrgKey, OrgKeyKind, Role, RoleAssignment, User
from corridor.audit.models import AuditEvent
from corridor.cases.models import DataKeyWrap
from corridor.crypto import codename, keys
from corridor.crypto.envelope import open_field
from corridor.crypto.errors import CryptoError, DecryptionFailed, WrongPassword
from corridor.crypto.files import decrypt_chunks
from corridor.crypto.kdf import wrap_with_password
from corridor.hotline import keys as thread_keys
from corridor.hotline import reading
from corridor.hotline import services as hotline
from corridor.hotline.models import Attachment, Message, MessageKind, Thread
from corridor.hotline.triage import Triage
from tests.conftest import PASSWORD, make_user, sign_in, totp_code
from tests.hotline.helpers import open_web_thread, prepared_photo, private_key


def integrity_events(what: str) -> int:
    return AuditEvent.objects.filter(action="integrity.check_failed", data__what=what).count()


def conversation_key_from_codename(thread: Thread, code: str) -> bytes:
    """What an adversary holding the person's codename and a copy of the database can open."""
    derived = codename.derive(code, salt=thread_keys.codename_salt(), cost=hotline.codename_cost())
    wrap = DataKeyWrap.objects.get(key=thread.conversation_key, recipient="applicant")
    return keys.unseal(derived.keypair.private, bytes(wrap.sealed))


# --- confidentiality ----------------------------------------------------------------


def test_a_leaked_codename_and_a_database_copy_do_not_open_notes_or_intake(olga: User) -> None:
    new = open_web_thread(
        "They are looking for me.", triage=Triage(region="RU-CE", safe_contact="after 21:00")
    )
    hotline.add_note(
        operator=olga, user_private_key=private_key(olga), thread=new.thread, text="likely provocateur"
    )
    conversation = conversation_key_from_codename(new.thread, new.codename)
    note = Message.objects.get(kind=MessageKind.NOTE)
    # The staff key is never sealed to the person, so nothing the codename opens reads the note.
    assert not DataKeyWrap.objects.filter(key=new.thread.staff_key, recipient="applicant").exists()
    for context in (thread_keys.message_context(note), {}):
        with pytest.raises(DecryptionFailed):
            open_field(
                conversation,
                bytes(note.body),
                model="hotline.Message",
                row=str(note.pk),
                field="body",
                context=context,
            )
    thread = Thread.objects.get(pk=new.thread.pk)
    with pytest.raises(DecryptionFailed):
        open_field(
            conversation,
            bytes(thread.intake),
            model="hotline.Thread",
            row=str(thread.pk),
            field="intake",
            context=thread_keys.intake_context(thread),
        )
    # What the person shares with staff still opens for them.
    first = Message.objects.get(kind=MessageKind.APPLICANT)
    assert b"They are looking for me." in open_field(
        conversation,
        bytes(first.body),
        model="hotline.Message",
        row=str(first.pk),
        field="body",
        context=thread_keys.message_context(first),
    )


def test_the_photo_original_with_gps_is_not_reachable_from_the_thread_keys(olga: User, carol: User) -> None:
    new = open_web_thread("photo", files=prepared_photo())
    attachment = Attachment.objects.get()
    opened = thread_keys.thread_keys_for_staff(
        user=olga, user_private_key=private_key(olga), thread=new.thread, purpose="test"
    )
    meta = reading._attachment_meta(opened.conversation, attachment)
    assert "original_key" not in meta
    from django.core.files.storage import default_storage

    with default_storage.open(attachment.original_blob, "rb") as handle:
        original = handle.read()
    for key in (opened.conversation, opened.staff, base64.b64decode(meta["view_key"])):
        with pytest.raises(CryptoError):
            b"".join(decrypt_chunks(key, iter([original])))
    # The evidence key (coordinators and documenters by default) opens it, GPS and all.
    assert OrgKeyKind.EVIDENCE.value not in keyring.held_kinds(olga)
    evidence_private = keyring.unseal_org_key(
        user=carol, user_private_key=private_key(carol), kind=OrgKeyKind.EVIDENCE
    )
    file_key, sha256 = thread_keys.open_evidence(
        reader=carol, evidence_private=evidence_private, attachment=attachment
    )
    assert AuditEvent.objects.filter(
        action="hotline.original_opened", actor_id=carol.pk, data__attachment=str(attachment.pk)
    ).exists()
    plain = b"".join(decrypt_chunks(file_key, iter([original])))
    assert b"SpyCam" in plain
    assert sha256 == meta["sha256"]


def test_the_evidence_seal_cannot_be_moved_to_another_attachment(carol: User) -> None:
    open_web_thread("one", files=prepared_photo("a.jpg"))
    open_web_thread("two", files=prepared_photo("b.jpg"))
    first, second = Attachment.objects.order_by("created_at")
    Attachment.objects.filter(pk=second.pk).update(evidence=first.evidence)
    evidence_private = keyring.unseal_org_key(
        user=carol, user_private_key=private_key(carol), kind=OrgKeyKind.EVIDENCE
    )
    with pytest.raises(IntegrityFailure):
        thread_keys.open_evidence(
            reader=carol, evidence_private=evidence_private, attachment=Attachment.objects.get(pk=second.pk)
        )


def test_message_lengths_fall_into_buckets(org: dict[str, object]) -> None:
    short = open_web_thread("Help").thread
    longer = open_web_thread(
        "Please help, they took my brother to the police station in Grozny yesterday."
    ).thread
    sizes = {len(bytes(m.body)) for m in Message.objects.filter(thread__in=[short, longer])}
    assert len(sizes) == 1


# --- organisation keys from the database ---------------------------------------------


def test_a_replaced_recovery_public_key_receives_nothing(client: Client, org: dict[str, object]) -> None:
    attacker = keys.generate_keypair()
    OrgKey.objects.filter(kind=OrgKeyKind.RECOVERY).update(public_key=attacker.public)
    with pytest.raises(IntegrityFailure):
        open_web_thread("sealed to whom?")
    assert not Thread.objects.exists()
    from tests.hotline.test_public_flow import request_data

    response = client.post("/en/request/", request_data())
    assert response.status_code == 503
    assert not Thread.objects.exists()
    assert integrity_events("org_key") >= 1


@pytest.mark.parametrize("kind", [OrgKeyKind.HOTLINE, OrgKeyKind.SIGNING])
def test_a_higher_version_key_row_is_not_picked_up(org: dict[str, object], kind: OrgKeyKind) -> None:
    attacker = keys.generate_keypair()
    OrgKey.objects.create(kind=kind, version=2, public_key=attacker.public)
    with pytest.raises(IntegrityFailure, match="unexpected version"):
        keyring.current_key(kind)


def test_a_reply_signed_under_an_inserted_key_does_not_show_as_signed(org: dict[str, object]) -> None:
    """The review's case: with the codename and write access, a forged 'signed' reply."""
    new = open_web_thread("Is this really you?")
    conversation = conversation_key_from_codename(new.thread, new.codename)
    forger = keys.generate_signing_seed()
    genuine = keyring.pinned_public_key(OrgKeyKind.SIGNING)
    OrgKey.objects.filter(kind=OrgKeyKind.SIGNING).update(public_key=keys.verify_key_of(forger))
    message = Message(thread=new.thread, kind=MessageKind.REPLY, created_at=new.thread.created_at)
    text = "Come to the station at 9, we will meet you."
    signature = keys.sign(forger, hotline._signing_payload(new.thread, message.pk, text))
    message.body = thread_keys.seal_json(
        conversation,
        {"text": text, "sig": base64.b64encode(signature).decode()},
        model="hotline.Message",
        row=str(message.pk),
        field="body",
        version=1,
        context=thread_keys.message_context(message),
    )
    message.save()
    found = hotline.find_thread_by_codename(new.codename)
    assert found is not None
    with pytest.raises(IntegrityFailure):
        reading.thread_for_applicant(thread=found.thread, applicant_private=found.private_key)
    # Restored, the pinned key verifies only genuine replies: the forgery shows unsigned.
    OrgKey.objects.filter(kind=OrgKeyKind.SIGNING).update(public_key=genuine)
    seen = reading.thread_for_applicant(thread=found.thread, applicant_private=found.private_key)
    (forged,) = [m for m in seen if m.kind == MessageKind.REPLY]
    assert forged.text == text
    assert not forged.signed


def test_an_inserted_version_zero_hotline_key_does_not_break_codenames(org: dict[str, object]) -> None:
    new = open_web_thread("Still me.")
    OrgKey.objects.create(kind=OrgKeyKind.HOTLINE, version=0, public_key=keys.generate_keypair().public)
    found = hotline.find_thread_by_codename(new.codename)
    assert found is not None
    assert found.thread.pk == new.thread.pk


def test_a_wrap_of_another_index_key_is_refused(alice: User) -> None:
    """A database writer seals their own index key to a user, to read the indexes that user writes."""
    KeyWrap.objects.filter(user=alice, org_key__kind=OrgKeyKind.INDEX).update(
        sealed=keys.seal_to(bytes(alice.public_key), b"\x01" * 32)
    )
    with pytest.raises(IntegrityFailure):
        keyring.unseal_org_key(user=alice, user_private_key=private_key(alice), kind=OrgKeyKind.INDEX)


def test_a_wrap_of_another_thread_key_is_refused(olga: User) -> None:
    """A thread's hotline wrap replaced by one of the attacker's key: new notes would be theirs."""
    thread = open_web_thread("hello").thread
    hotline_public = keyring.pinned_public_key(OrgKeyKind.HOTLINE)
    DataKeyWrap.objects.filter(key=thread.staff_key, recipient="hotline").update(
        sealed=keys.seal_to(hotline_public, b"\x02" * 32)
    )
    with pytest.raises(IntegrityFailure):
        hotline.add_note(operator=olga, user_private_key=private_key(olga), thread=thread, text="secret")
    assert not Message.objects.filter(kind=MessageKind.NOTE).exists()


# --- users' public keys, wraps, roles and second factors -----------------------------


def test_grants_and_recovery_refuse_a_replaced_user_public_key(olga: User, org: dict[str, object]) -> None:
    victim = make_user(org, "newop", {Role.OPERATOR})
    KeyWrap.objects.filter(user=victim).exclude(org_key__kind=OrgKeyKind.INDEX).delete()
    attacker = keys.generate_keypair()
    User.objects.filter(pk=victim.pk).update(public_key=attacker.public)
    victim = User.objects.get(pk=victim.pk)
    with pytest.raises(IntegrityFailure):
        keyring.grant_org_key(
            actor=olga, actor_private_key=private_key(olga), recipient=victim, kind=OrgKeyKind.HOTLINE
        )
    with pytest.raises(IntegrityFailure):
        keyring.recover_org_keys_for_user(share_texts=org["shares"][:3], user=victim)  # type: ignore[index]
    assert not KeyWrap.objects.filter(user=victim, org_key__kind=OrgKeyKind.HOTLINE).exists()


def test_a_wrap_copied_from_another_user_does_not_sign_in(alice: User, bob: User) -> None:
    """Bob knows his own password; his wrap copied onto alice's row does not make him alice."""
    User.objects.filter(pk=alice.pk).update(wrapped_private_key=bob.wrapped_private_key)
    assert services.unlock_with_password("alice", PASSWORD) is None
    with pytest.raises(WrongPassword):
        services.unwrap_user_key(User.objects.get(pk=alice.pk), PASSWORD)


def test_a_forged_wrap_bound_to_the_victim_does_not_sign_in(alice: User) -> None:
    """The attacker wraps their own key under a password they chose, bound to alice's id and public key."""
    from corridor.accounts.integrity import wrap_context

    attacker = keys.generate_keypair()
    forged = wrap_with_password(
        attacker.private, "attacker password 1", services.argon2_cost(), context=wrap_context(alice)
    )
    User.objects.filter(pk=alice.pk).update(wrapped_private_key=forged)
    assert services.unlock_with_password("alice", "attacker password 1") is None
    assert integrity_events("user") == 1
    # Even with a forged MAC the key pair check would stop it: the wrap holds another key.
    from corridor.accounts.integrity import seal_user

    row = User.objects.prefetch_related("role_assignments").get(pk=alice.pk)
    seal_user(row)
    row.save(update_fields=["integrity"])
    assert services.unlock_with_password("alice", "attacker password 1") is None
    assert integrity_events("user_key_pair") == 1


def test_roles_written_into_the_database_end_the_session_and_block_sign_in(signed_in, judy: User) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(judy)
    assert client.get(reverse("web:home")).status_code == 200
    RoleAssignment.objects.create(user=judy, role=Role.OPERATOR)
    assert client.get(reverse("web:home")).status_code == 302
    assert integrity_events("user") >= 1
    assert services.unlock_with_password("judy", PASSWORD) is None


def test_a_reenabled_account_in_the_database_cannot_sign_in(dave: User, alice: User) -> None:
    services.disable_user(actor=dave, user=alice)
    User.objects.filter(pk=alice.pk).update(is_active=True)
    assert services.unlock_with_password("alice", PASSWORD) is None


def test_an_inserted_authenticator_is_refused(client: Client, alice: User) -> None:
    """A database writer adds a TOTP device whose secret they know; its codes are refused."""
    planted = TOTPDevice.objects.create(user=alice, name="planted", confirmed=True)
    TOTPDevice.objects.filter(user=alice).exclude(pk=planted.pk).delete()
    from corridor.accounts import second_factor

    response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    response = client.post(reverse("accounts:verify"), {"code": second_factor.current_totp_code(planted)})
    assert response.status_code != 302 or "verify" in response.get("Location", "")
    assert integrity_events("second_factors") >= 1


def test_genuine_sign_in_still_works_and_is_unaffected(client: Client, alice: User) -> None:
    sign_in(client, alice)
    assert client.get(reverse("web:home")).status_code == 200
    assert totp_code(alice)


# --- meaning bound to ciphertext --------------------------------------------------


def test_a_note_turned_into_a_reply_is_not_shown_to_the_person(olga: User) -> None:
    new = open_web_thread("hello")
    hotline.add_note(
        operator=olga, user_private_key=private_key(olga), thread=new.thread, text="likely provocateur"
    )
    Message.objects.filter(kind=MessageKind.NOTE).update(kind=MessageKind.REPLY)
    found = hotline.find_thread_by_codename(new.codename)
    assert found is not None
    seen = reading.thread_for_applicant(thread=found.thread, applicant_private=found.private_key)
    assert all("provocateur" not in m.text for m in seen)
    assert [m.unreadable for m in seen if m.kind == MessageKind.REPLY] == [True]
    assert AuditEvent.objects.filter(action="hotline.row_unreadable").exists()


def test_a_message_moved_to_another_thread_or_author_is_unreadable(olga: User) -> None:
    one = open_web_thread("first thread").thread
    two = open_web_thread("second thread").thread
    reply = hotline.post_reply(
        operator=olga, user_private_key=private_key(olga), thread=one, text="for one only"
    )
    Message.objects.filter(pk=reply.pk).update(thread=two)
    view = reading.thread_for_staff(user=olga, user_private_key=private_key(olga), thread=two)
    assert [m.unreadable for m in view.messages if m.id == str(reply.pk)] == [True]
    Message.objects.filter(pk=reply.pk).update(thread=one, author=None)
    view = reading.thread_for_staff(user=olga, user_private_key=private_key(olga), thread=one)
    assert [m.unreadable for m in view.messages if m.id == str(reply.pk)] == [True]


def test_one_bad_envelope_keeps_the_rest_of_the_page(signed_in, olga: User) -> None:  # type: ignore[no-untyped-def]
    thread = open_web_thread("The first message stays readable.").thread
    hotline.add_note(
        operator=olga, user_private_key=private_key(olga), thread=thread, text="A readable note."
    )
    broken = hotline.post_reply(operator=olga, user_private_key=private_key(olga), thread=thread, text="x")
    Message.objects.filter(pk=broken.pk).update(body=b"\x02" + b"\x00" * 60)
    Thread.objects.filter(pk=thread.pk).update(channel="phone")  # the intake is bound to the channel
    response = signed_in(olga).get(reverse("hotline_staff:thread", args=[thread.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "The first message stays readable." in page
    assert "A readable note." in page
    assert "cannot be decrypted" in page
    events = AuditEvent.objects.filter(action="hotline.row_unreadable", target_id=str(thread.pk))
    assert {tuple(e.data) for e in events} == {("message",), ("intake",)}
    assert events.filter(data__message=str(broken.pk)).exists()


def test_audit_events_name_the_message(olga: User) -> None:
    thread = open_web_thread("hello").thread
    reply = hotline.post_reply(operator=olga, user_private_key=private_key(olga), thread=thread, text="reply")
    note = hotline.add_note(operator=olga, user_private_key=private_key(olga), thread=thread, text="note")
    assert AuditEvent.objects.get(action="hotline.reply_sent").data["message"] == str(reply.pk)
    assert AuditEvent.objects.get(action="hotline.note_added").data["message"] == str(note.pk)
    first = Message.objects.get(kind=MessageKind.APPLICANT)
    assert AuditEvent.objects.get(action="hotline.thread_opened").data["message"] == str(first.pk)


def test_pins_are_required_and_a_tampered_pin_file_is_refused(org: dict[str, object], settings) -> None:  # type: ignore[no-untyped-def]
    settings.CORRIDOR_KEY_PINS = ""
    with pytest.raises(IntegrityFailure, match="pin-keys"):
        keyring.current_key(OrgKeyKind.HOTLINE)
    text = org["pins"].text()  # type: ignore[attr-defined]
    settings.CORRIDOR_KEY_PINS = text.replace("hotline=1:", "hotline=1:" + "0" * 64 + "x")
    with pytest.raises(IntegrityFailure):
        keyring.current_key(OrgKeyKind.HOTLINE)
    settings.CORRIDOR_KEY_PINS = json.dumps({"not": "pins"})
    with pytest.raises(IntegrityFailure):
        keyring.current_key(OrgKeyKind.HOTLINE)


def test_blind_indexes_use_the_configured_pepper_and_only_the_pinned_key(
    org: dict[str, object],
    settings,  # type: ignore[no-untyped-def]
) -> None:
    secrets = org["secrets"]
    assert isinstance(secrets, dict)
    index_key = secrets[OrgKeyKind.INDEX]
    plain = keyring.blind_index_of(index_key=index_key, kind="phone", value="8 928 123-45-67")
    assert plain == keyring.blind_index_of(index_key=index_key, kind="phone", value="+79281234567")
    settings.CORRIDOR_INDEX_PEPPER = "p" * 40
    peppered = keyring.blind_index_of(index_key=index_key, kind="phone", value="+79281234567")
    assert peppered != plain
    with pytest.raises(IntegrityFailure):
        keyring.blind_index_of(index_key=b"\x01" * 32, kind="phone", value="+79281234567")
