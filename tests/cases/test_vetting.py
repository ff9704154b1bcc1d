"""Vetting services: checklist, references, interviews, red flags, and the two-person decision."""

from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import grants, sealing, services, vetting, workflow
from corridor.cases.models import (
    ApprovalKind,
    ApprovalStatus,
    Case,
    RedFlag,
    Stage,
    VettingCheck,
    VettingRecord,
)
from tests.hotline.helpers import open_web_thread, private_key

CANARY = "CANARY-Zelimkhan-7731"


@pytest.fixture
def case(olga: User, alice: User, bob: User, carol: User) -> Case:
    """A case in screening, alice its caseworker, bob and carol granted."""
    new = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=open_web_thread().thread, caseworker=alice
    )
    ka = private_key(alice)
    case = Case.objects.select_related("key").get(pk=new.case.pk)
    grants.grant_case_access(actor=alice, user_private_key=ka, case=case, grantee=bob)
    grants.grant_case_access(actor=alice, user_private_key=ka, case=case, grantee=carol)
    workflow.move_case(actor=alice, user_private_key=ka, case=case, to_stage=Stage.SCREENING)
    return Case.objects.select_related("key").get(pk=case.pk)


def events(action: str, case: Case) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, target_id=str(case.pk)))


def test_latest_check_counts_and_is_audited(case: Case, alice: User, bob: User) -> None:
    vetting.record_check(actor=alice, case=case, item="identity_confirmed", result="concern")
    vetting.record_check(actor=bob, case=case, item="identity_confirmed", result="confirmed")
    view = vetting.vetting_for_staff(user=alice, user_private_key=private_key(alice), case=case)
    row = next(r for r in view.checklist if r.code == "identity_confirmed")
    assert (row.result, row.checked_by) == ("confirmed", "bob")
    assert view.done == 1
    assert [e.data for e in events("cases.vetting_checked", case)] == [
        {"item": "identity_confirmed", "result": "concern"},
        {"item": "identity_confirmed", "result": "confirmed"},
    ]


def test_unknown_item_or_result_is_refused(case: Case, alice: User) -> None:
    with pytest.raises(services.CaseRefused):
        vetting.record_check(actor=alice, case=case, item="made_up", result="confirmed")
    with pytest.raises(services.CaseRefused):
        vetting.record_check(actor=alice, case=case, item="documents_seen", result="maybe")
    assert not VettingCheck.objects.exists()


def test_checklist_follows_the_setting(case: Case, alice: User, settings: SettingsWrapper) -> None:
    settings.CORRIDOR_VETTING_CHECKLIST = ["documents_seen", "met_partner_in_person"]
    items = vetting.checklist_items()
    assert [code for code, _label in items] == ["documents_seen", "met_partner_in_person"]
    assert items[1][1] == "met_partner_in_person"
    vetting.record_check(actor=alice, case=case, item="met_partner_in_person", result="confirmed")
    with pytest.raises(services.CaseRefused):
        vetting.record_check(actor=alice, case=case, item="identity_confirmed", result="confirmed")


def test_records_are_encrypted_and_read_back(case: Case, alice: User, carol: User) -> None:
    ka = private_key(alice)
    reference = vetting.add_reference(
        actor=alice,
        user_private_key=ka,
        case=case,
        who=f"{CANARY} cousin",
        how_they_know="school",
        contact="+7 928 111 22 33",
        assessment=f"Knows him well {CANARY}",
    )
    interview = vetting.add_interview(actor=alice, user_private_key=ka, case=case, text=f"Told {CANARY}")
    flag = vetting.raise_red_flag(actor=alice, user_private_key=ka, case=case, code="other", note=CANARY)
    for row in (VettingRecord.objects.get(pk=reference.pk), VettingRecord.objects.get(pk=interview.pk)):
        assert CANARY.encode() not in bytes(row.body)
    assert CANARY.encode() not in bytes(RedFlag.objects.get(pk=flag.pk).note)
    for event in AuditEvent.objects.all():
        assert CANARY not in str(event.data)
        assert "+7 928" not in str(event.data)

    view = vetting.vetting_for_staff(user=carol, user_private_key=private_key(carol), case=case)
    assert view.references[0].who == f"{CANARY} cousin"
    assert view.references[0].contact == "+7 928 111 22 33"
    assert view.interviews[0].text == f"Told {CANARY}"
    assert (view.red_flags[0].code, view.red_flags[0].note) == ("other", CANARY)
    assert [e.data["kind"] for e in events("cases.vetting_record_added", case)] == ["reference", "interview"]
    assert events("cases.red_flag_raised", case)[0].data["code"] == "other"
    assert any(e.data == {"purpose": "vetting"} for e in events("cases.case_decrypted", case))


def test_a_record_moved_to_another_author_is_unreadable(case: Case, alice: User, bob: User) -> None:
    record = vetting.add_interview(actor=alice, user_private_key=private_key(alice), case=case, text="x")
    VettingRecord.objects.filter(pk=record.pk).update(author=bob)
    view = vetting.vetting_for_staff(user=alice, user_private_key=private_key(alice), case=case)
    assert view.interviews[0].unreadable
    assert view.interviews[0].text == ""
    assert events("cases.envelope_unreadable", case)
    # The envelope binds its columns: it opens again once they are put back.
    VettingRecord.objects.filter(pk=record.pk).update(author=alice)
    key = services.open_case_key(user=alice, user_private_key=private_key(alice), case=case, purpose="t")
    assert sealing.open_row(key, VettingRecord.objects.get(pk=record.pk), "body") == {"text": "x"}


def test_other_red_flag_needs_a_note(case: Case, alice: User) -> None:
    with pytest.raises(services.CaseRefused):
        vetting.raise_red_flag(actor=alice, user_private_key=private_key(alice), case=case, code="other")
    with pytest.raises(services.CaseRefused):
        vetting.raise_red_flag(actor=alice, user_private_key=private_key(alice), case=case, code="nonsense")
    vetting.raise_red_flag(
        actor=alice, user_private_key=private_key(alice), case=case, code="asks_for_locations"
    )
    assert list(RedFlag.objects.values_list("code", flat=True)) == ["asks_for_locations"]


def test_wrong_stage_is_refused(olga: User, alice: User) -> None:
    new = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=open_web_thread().thread, caseworker=alice
    )
    ka = private_key(alice)
    with pytest.raises(services.CaseRefused):
        vetting.record_check(actor=alice, case=new.case, item="documents_seen", result="confirmed")
    with pytest.raises(services.CaseRefused):
        vetting.add_interview(actor=alice, user_private_key=ka, case=new.case, text="notes")
    with pytest.raises(services.CaseRefused):
        vetting.raise_red_flag(actor=alice, user_private_key=ka, case=new.case, code="story_changes")
    assert not VettingRecord.objects.exists()
    assert not VettingCheck.objects.exists()
    assert not RedFlag.objects.exists()


def test_operators_and_strangers_cannot_vet(case: Case, olga: User, dave: User) -> None:
    with pytest.raises(services.CaseRefused):
        vetting.record_check(actor=olga, case=case, item="documents_seen", result="confirmed")
    with pytest.raises(services.CaseRefused):
        vetting.add_interview(actor=dave, user_private_key=private_key(dave), case=case, text="x")
    with pytest.raises(services.CaseRefused):
        vetting.vetting_for_staff(user=olga, user_private_key=private_key(olga), case=case)


def test_caseworker_without_grant_cannot_vet(case: Case, org: dict[str, object]) -> None:
    from tests.conftest import make_user

    eve = make_user(org, "eve", {"caseworker"})
    with pytest.raises(services.CaseRefused):
        vetting.record_check(actor=eve, case=case, item="documents_seen", result="confirmed")
    assert not VettingCheck.objects.exists()


def test_decision_needs_two_reviewers_neither_the_requester(
    case: Case, alice: User, bob: User, carol: User
) -> None:
    ka, kb, kc = private_key(alice), private_key(bob), private_key(carol)
    workflow.request_approval(actor=alice, user_private_key=ka, case=case, kind="eligibility")
    approval = workflow.request_approval(actor=alice, user_private_key=ka, case=case, kind="eligibility")
    workflow.decide_approval(actor=bob, user_private_key=kb, approval=approval, decision="approve")
    workflow.decide_approval(actor=carol, user_private_key=kc, approval=approval, decision="approve")
    workflow.move_case(actor=alice, user_private_key=ka, case=case, to_stage=Stage.VETTING)

    approval = workflow.request_approval(actor=bob, user_private_key=kb, case=case, kind=ApprovalKind.VETTING)
    with pytest.raises(services.CaseRefused):
        workflow.decide_approval(actor=bob, user_private_key=kb, approval=approval, decision="approve")
    workflow.decide_approval(actor=alice, user_private_key=ka, approval=approval, decision="approve")
    view = vetting.vetting_for_staff(user=alice, user_private_key=ka, case=case)
    assert view.approval is not None
    assert view.approval.status == ApprovalStatus.PENDING
    assert [d.decided_by for d in view.decisions] == [alice]
    workflow.decide_approval(actor=carol, user_private_key=kc, approval=approval, decision="approve")
    view = vetting.vetting_for_staff(user=alice, user_private_key=ka, case=case)
    assert view.approval is not None
    assert view.approval.status == ApprovalStatus.APPROVED
    assert len(view.decisions) == 2
