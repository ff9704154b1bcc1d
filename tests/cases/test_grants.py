"""Granting and revoking a case: only certified keys are sealed to, and a revoked re-key leaves an
old copy of a wrap opening nothing of the case."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, models, transaction

from corridor.accounts.integrity import IntegrityFailure
from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import grants, sealing, services, workflow
from corridor.cases.models import ApprovalKind, Case, DataKeyWrap, FlagKind, Stage, WrapRecipient
from corridor.cases.profile import Profile
from corridor.crypto import keys
from corridor.crypto.envelope import generate_key
from corridor.crypto.errors import CryptoError
from corridor.hotline import keys as thread_keys
from corridor.hotline import services as hotline
from corridor.hotline.models import Message, MessageKind, Thread
from corridor.hotline.triage import Triage
from tests.hotline.helpers import open_web_thread, private_key


@dataclass
class Fixture:
    case: Case
    keys: dict[str, bytes]


@pytest.fixture
def full_case(olga: User, alice: User, bob: User, carol: User) -> Fixture:
    """A case from a thread with something in every encrypted field, held by alice, bob and carol."""
    pk = {u.username: private_key(u) for u in (olga, alice, bob, carol)}
    thread = open_web_thread("help", triage=Triage(region="RU-CE", safe_contact="+7 928 000 11 22")).thread
    hotline.add_note(operator=olga, user_private_key=pk["olga"], thread=thread, text="note before the case")
    case = services.open_case_from_thread(
        actor=olga, user_private_key=pk["olga"], thread=thread, caseworker=alice
    ).case
    ka = pk["alice"]
    for grantee in (bob, carol):
        grants.grant_case_access(actor=alice, user_private_key=ka, case=case, grantee=grantee)
    hotline.add_note(
        operator=alice, user_private_key=ka, thread=Thread.objects.get(pk=thread.pk), text="thread note"
    )
    services.update_profile(
        actor=alice, user_private_key=ka, case=case, profile=Profile(names=["Ruslan"], location="Grozny")
    )
    services.add_case_note(actor=alice, user_private_key=ka, case=case, text="case note")
    services.log_contact(actor=alice, user_private_key=ka, case=case, channel="call", text="called")
    services.reassess_risk(actor=alice, user_private_key=ka, case=case, factors=["outed"])
    flag = workflow.raise_flag(
        actor=alice, user_private_key=ka, case=case, kind=FlagKind.ON_HOLD, reason="other", note="why"
    )
    workflow.clear_flag(actor=alice, user_private_key=ka, flag=flag, note="resolved")
    workflow.move_case(actor=alice, user_private_key=ka, case=case, to_stage=Stage.SCREENING, note="go")
    approval = workflow.request_approval(
        actor=alice, user_private_key=ka, case=case, kind=ApprovalKind.ELIGIBILITY, note="please"
    )
    workflow.decide_approval(
        actor=bob, user_private_key=pk["bob"], approval=approval, decision="approve", note="yes"
    )
    return Fixture(case=Case.objects.select_related("key").get(pk=case.pk), keys=pk)


def _rows_of(case: Case) -> Iterator[tuple[models.Model, str]]:
    """Every non-empty envelope under the case key, from the sealing registry of every app."""
    for sealed in sealing.registered():
        lookup = {"pk": case.pk} if sealed.relation == "" else {sealed.relation: case}
        for row in sealed.model._default_manager.filter(**lookup):
            if bytes(getattr(row, sealed.field)):
                yield row, sealed.field


def _thread_envelopes(case: Case) -> Iterator[tuple[bytes, dict[str, object]]]:
    thread = Thread.objects.get(case=case)
    yield (
        bytes(thread.intake),
        {
            "model": "hotline.Thread",
            "row": str(thread.pk),
            "field": "intake",
            "context": thread_keys.intake_context(thread),
        },
    )
    for note in Message.objects.filter(thread=thread, kind=MessageKind.NOTE):
        yield (
            bytes(note.body),
            {
                "model": "hotline.Message",
                "row": str(note.pk),
                "field": "body",
                "context": thread_keys.message_context(note),
            },
        )


def _open_all(key: bytes, case: Case) -> int:
    opened = 0
    for row, field in _rows_of(case):
        sealing.open_row(key, row, field)
        opened += 1
    for blob, where in _thread_envelopes(case):
        thread_keys.open_json(key, blob, **where)  # type: ignore[arg-type]
        opened += 1
    return opened


@pytest.mark.django_db
def test_revoke_with_rekey_leaves_the_old_wrap_opening_nothing(
    full_case: Fixture, alice: User, bob: User, carol: User
) -> None:
    case, pk = full_case.case, full_case.keys
    covered = {(type(row).__name__, field) for row, field in _rows_of(case)}
    assert covered >= {
        ("Case", "profile"),
        ("CaseNote", "body"),
        ("CaseFlag", "note"),
        ("CaseFlag", "clear_note"),
        ("Approval", "note"),
        ("ApprovalDecision", "note"),
        ("RiskAssessment", "factors"),
        ("StageChange", "note"),
        ("ContactLog", "note"),
    }
    assert Message.objects.filter(thread__case=case, kind=MessageKind.NOTE).count() == 2
    old_wrap = DataKeyWrap.objects.get(key=case.key, user=bob)
    old_key = keys.unseal(pk["bob"], bytes(old_wrap.sealed))
    total = _open_all(old_key, case)  # the old key opened everything before
    old_version = case.key.version

    grants.revoke_case_access(actor=alice, user_private_key=pk["alice"], case=case, user=bob, rekey=True)

    case = Case.objects.select_related("key").get(pk=case.pk)
    assert case.key.version == old_version + 1
    tried = 0
    for row, field in _rows_of(case):
        with pytest.raises(CryptoError):
            sealing.open_row(old_key, row, field)
        tried += 1
    for blob, where in _thread_envelopes(case):
        with pytest.raises(CryptoError):
            thread_keys.open_json(old_key, blob, **where)  # type: ignore[arg-type]
        tried += 1
    assert tried == total
    for holder in (alice, carol):
        key = services.open_case_key(
            user=holder, user_private_key=pk[holder.username], case=case, purpose="t"
        )
        assert _open_all(key, case) == total
    assert not DataKeyWrap.objects.filter(key=case.key, user=bob).exists()
    assert DataKeyWrap.objects.filter(
        key=case.key, version=case.key.version, recipient=WrapRecipient.RECOVERY
    ).exists()
    assert set(DataKeyWrap.objects.filter(key=case.key).values_list("version", flat=True)) == {
        case.key.version
    }
    event = AuditEvent.objects.filter(action="cases.access_revoked", target_id=str(case.pk)).get()
    assert event.data["rekeyed"] is True
    assert event.data["user"] == str(bob.pk)


@pytest.mark.django_db
def test_grant_refuses_a_public_key_written_into_the_database(olga: User, alice: User, bob: User) -> None:
    ka = private_key(alice)
    case = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=open_web_thread().thread, caseworker=alice
    ).case
    attacker = keys.public_key_of(generate_key())
    User.objects.filter(pk=bob.pk).update(public_key=attacker)
    with pytest.raises(IntegrityFailure):
        grants.grant_case_access(
            actor=alice, user_private_key=ka, case=case, grantee=User.objects.get(pk=bob.pk)
        )
    assert not DataKeyWrap.objects.filter(user=bob).exists()
    assert not AuditEvent.objects.filter(action="cases.access_granted", target_id=str(case.pk)).exists()


@pytest.mark.django_db
def test_a_wrap_of_another_key_is_refused_on_opening(olga: User, alice: User, bob: User) -> None:
    ka, kb = private_key(alice), private_key(bob)
    case = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=open_web_thread().thread, caseworker=alice
    ).case
    grants.grant_case_access(actor=alice, user_private_key=ka, case=case, grantee=bob)
    planted = keys.seal_to(bytes(bob.public_key), generate_key())
    DataKeyWrap.objects.filter(key_id=case.key_id, user=bob).update(sealed=planted)
    with pytest.raises(IntegrityFailure):
        services.open_case_key(user=bob, user_private_key=kb, case=case, purpose="t")


@pytest.mark.django_db
def test_admins_and_auditors_cannot_be_granted(olga: User, alice: User, dave: User, judy: User) -> None:
    ka = private_key(alice)
    case = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=open_web_thread().thread, caseworker=alice
    ).case
    for grantee in (dave, judy):
        with pytest.raises(services.CaseRefused):
            grants.grant_case_access(actor=alice, user_private_key=ka, case=case, grantee=grantee)
        assert not DataKeyWrap.objects.filter(user=grantee).exists()


@pytest.mark.django_db
def test_the_database_refuses_a_case_key_sealed_to_the_applicant(olga: User, alice: User) -> None:
    case = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=open_web_thread().thread, caseworker=alice
    ).case
    with pytest.raises(IntegrityError), transaction.atomic():
        DataKeyWrap.objects.create(
            key_id=case.key_id,
            purpose="staff",
            version=1,
            recipient=WrapRecipient.APPLICANT,
            sealed=b"sealed",
            key_check=b"",
            created_at=datetime.now(UTC),
        )
