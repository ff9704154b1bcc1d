"""The pipeline end to end through the services: thread → case → vetting → go → planning; re-key."""

from __future__ import annotations

import pytest

from corridor.accounts.models import User
from corridor.cases import grants, services, workflow
from corridor.cases import keys as data_keys
from corridor.cases.models import ApprovalKind, Case, DataKeyWrap, FlagKind, Stage
from corridor.crypto import keys
from corridor.crypto.errors import DecryptionFailed
from corridor.hotline.triage import Triage
from tests.hotline.helpers import open_web_thread, private_key


def test_thread_to_planning_and_rekey(olga: User, alice: User, bob: User, carol: User) -> None:
    thread = open_web_thread("help", triage=Triage(region="RU-CE", safe_contact="+7 928 000 11 22")).thread
    new = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=thread, caseworker=alice
    )
    case = Case.objects.select_related("key").get(pk=new.case.pk)
    assert case.key_id == thread.staff_key_id
    ka, kb, kc = private_key(alice), private_key(bob), private_key(carol)
    grants.grant_case_access(actor=alice, user_private_key=ka, case=case, grantee=bob)
    grants.grant_case_access(actor=alice, user_private_key=ka, case=case, grantee=carol)
    workflow.move_case(actor=alice, user_private_key=ka, case=case, to_stage=Stage.SCREENING)
    with pytest.raises(services.CaseRefused):
        workflow.move_case(actor=alice, user_private_key=ka, case=case, to_stage=Stage.VETTING)
    approval = workflow.request_approval(
        actor=alice, user_private_key=ka, case=case, kind=ApprovalKind.ELIGIBILITY
    )
    workflow.decide_approval(actor=bob, user_private_key=kb, approval=approval, decision="approve")
    workflow.decide_approval(actor=carol, user_private_key=kc, approval=approval, decision="approve")
    case.refresh_from_db()
    workflow.move_case(actor=alice, user_private_key=ka, case=case, to_stage=Stage.VETTING)
    flag = workflow.raise_flag(
        actor=alice,
        user_private_key=ka,
        case=case,
        kind=FlagKind.SECURITY_CONCERN,
        reason="staff_report",
        note="x",
    )
    approval = workflow.request_approval(
        actor=alice, user_private_key=ka, case=case, kind=ApprovalKind.VETTING
    )
    workflow.decide_approval(actor=bob, user_private_key=kb, approval=approval, decision="approve")
    workflow.decide_approval(actor=carol, user_private_key=kc, approval=approval, decision="approve")
    case.refresh_from_db()
    with pytest.raises(services.CaseRefused):
        workflow.move_case(actor=alice, user_private_key=ka, case=case, to_stage=Stage.PLANNING)
    workflow.clear_flag(actor=carol, user_private_key=kc, flag=flag, note="checked")
    workflow.move_case(actor=alice, user_private_key=ka, case=case, to_stage=Stage.PLANNING)
    services.add_case_note(actor=alice, user_private_key=ka, case=case, text="secret note")

    old_wrap = DataKeyWrap.objects.get(key=case.key, user=bob)
    old_key = keys.unseal(kb, bytes(old_wrap.sealed))
    count = grants.revoke_case_access(actor=alice, user_private_key=ka, case=case, user=bob, rekey=True)
    assert count >= 5
    case = Case.objects.select_related("key").get(pk=case.pk)
    assert case.key.version == 2
    with pytest.raises(DecryptionFailed):
        services.read_profile(old_key, case)
    assert services.read_profile(
        services.open_case_key(user=alice, user_private_key=ka, case=case, purpose="t"), case
    )
    with pytest.raises(data_keys.KeyLocked):
        services.open_case_key(user=bob, user_private_key=kb, case=case, purpose="t")


def test_stepping_back_withdraws_the_decision_to_go_on(
    olga: User, alice: User, bob: User, carol: User
) -> None:
    """The plan changed: the go/no-go taken for the old plan does not let the new one go ahead."""
    thread = open_web_thread("help").thread
    case = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=thread, caseworker=alice
    ).case
    ka, kb, kc = private_key(alice), private_key(bob), private_key(carol)
    for colleague in (bob, carol):
        grants.grant_case_access(actor=alice, user_private_key=ka, case=case, grantee=colleague)

    def approve(kind: str) -> None:
        approval = workflow.request_approval(actor=alice, user_private_key=ka, case=case, kind=kind)
        for person, key in ((bob, kb), (carol, kc)):
            workflow.decide_approval(
                actor=person, user_private_key=key, approval=approval, decision="approve"
            )

    def move(stage: str) -> None:
        workflow.move_case(
            actor=alice, user_private_key=ka, case=Case.objects.get(pk=case.pk), to_stage=stage
        )

    move(Stage.SCREENING)
    approve(ApprovalKind.ELIGIBILITY)
    move(Stage.VETTING)
    approve(ApprovalKind.VETTING)
    move(Stage.PLANNING)
    approve(ApprovalKind.GO_NO_GO)
    move(Stage.IN_TRANSIT)
    move(Stage.PLANNING)
    with pytest.raises(services.CaseRefused):
        move(Stage.IN_TRANSIT)
    approve(ApprovalKind.GO_NO_GO)
    move(Stage.IN_TRANSIT)
    assert Case.objects.get(pk=case.pk).stage == Stage.IN_TRANSIT


def test_decisions_cannot_be_collected_before_their_stage(
    olga: User, alice: User, bob: User, carol: User
) -> None:
    """A go/no-go before there is a plan, or a vetting decision before vetting, is refused."""
    thread = open_web_thread("help").thread
    case = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=thread, caseworker=alice
    ).case
    ka = private_key(alice)
    for kind in (
        ApprovalKind.ELIGIBILITY,
        ApprovalKind.VETTING,
        ApprovalKind.GO_NO_GO,
        ApprovalKind.DEPARTURE,
    ):
        with pytest.raises(services.CaseRefused):
            workflow.request_approval(actor=alice, user_private_key=ka, case=case, kind=kind)
    workflow.move_case(actor=alice, user_private_key=ka, case=case, to_stage=Stage.SCREENING)
    approval = workflow.request_approval(
        actor=alice, user_private_key=ka, case=case, kind=ApprovalKind.ELIGIBILITY
    )
    with pytest.raises(services.CaseRefused):
        workflow.request_approval(actor=alice, user_private_key=ka, case=case, kind=ApprovalKind.GO_NO_GO)
    # A request left waiting when the case steps back is withdrawn, and cannot be decided.
    for colleague in (bob, carol):
        grants.grant_case_access(actor=alice, user_private_key=ka, case=case, grantee=colleague)
    workflow.decide_approval(
        actor=bob, user_private_key=private_key(bob), approval=approval, decision="approve"
    )
    workflow.decide_approval(
        actor=carol, user_private_key=private_key(carol), approval=approval, decision="approve"
    )
    workflow.move_case(
        actor=alice, user_private_key=ka, case=Case.objects.get(pk=case.pk), to_stage=Stage.VETTING
    )
    vetting = workflow.request_approval(
        actor=alice, user_private_key=ka, case=case, kind=ApprovalKind.VETTING
    )
    workflow.move_case(
        actor=alice, user_private_key=ka, case=Case.objects.get(pk=case.pk), to_stage=Stage.SCREENING
    )
    with pytest.raises(services.CaseRefused):
        workflow.decide_approval(
            actor=bob, user_private_key=private_key(bob), approval=vetting, decision="approve"
        )
    # Stepping back to screening undid the eligibility decision too.
    with pytest.raises(services.CaseRefused):
        workflow.move_case(
            actor=alice, user_private_key=ka, case=Case.objects.get(pk=case.pk), to_stage=Stage.VETTING
        )
