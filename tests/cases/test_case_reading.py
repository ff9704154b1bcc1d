"""Decrypting a case for its page: one audited opening, one timeline in time order, damage contained."""

from __future__ import annotations

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import grants, reading, services, workflow
from corridor.cases.models import ApprovalKind, Case, CaseFlag, FlagKind, Origin, Stage, StageChange
from corridor.cases.profile import Profile
from corridor.hotline import services as hotline
from corridor.hotline.triage import Triage
from tests.hotline.helpers import open_web_thread, private_key


def open_case(olga: User, alice: User) -> Case:
    thread = open_web_thread("They are looking for me", triage=Triage(region="RU-CE")).thread
    new = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=thread, caseworker=alice
    )
    return Case.objects.select_related("key", "thread").get(pk=new.case.pk)


def test_one_timeline_of_everything_in_time_order(olga: User, alice: User, carol: User) -> None:
    case = open_case(olga, alice)
    ka = private_key(alice)
    grants.grant_case_access(actor=alice, user_private_key=ka, case=case, grantee=carol)
    assert case.thread is not None
    hotline.add_note(operator=alice, user_private_key=ka, thread=case.thread, text="thread note")
    workflow.move_case(actor=alice, user_private_key=ka, case=case, to_stage=Stage.SCREENING, note="moved")
    flag = workflow.raise_flag(
        actor=alice, user_private_key=ka, case=case, kind=FlagKind.ON_HOLD, reason="other", note="why held"
    )
    workflow.clear_flag(actor=alice, user_private_key=ka, flag=flag, note="no longer")
    approval = workflow.request_approval(
        actor=alice, user_private_key=ka, case=case, kind=ApprovalKind.ELIGIBILITY, note="please"
    )
    workflow.decide_approval(
        actor=carol, user_private_key=private_key(carol), approval=approval, decision="approve", note="ok"
    )
    services.reassess_risk(actor=alice, user_private_key=ka, case=case, factors=["detained_now"])
    services.add_case_note(actor=alice, user_private_key=ka, case=case, text="case note")
    services.log_contact(actor=alice, user_private_key=ka, case=case, channel="call", text="spoke")
    AuditEvent.objects.filter(action="cases.case_decrypted").delete()

    view = reading.case_for_staff(user=alice, user_private_key=ka, case=case)

    kinds = [entry.kind for entry in view.timeline]
    assert kinds[0] in {"stage", "risk", "message_applicant"}
    assert {
        "stage",
        "risk",
        "message_applicant",
        "message_note",
        "flag_raised",
        "flag_cleared",
        "approval_requested",
        "approval_decided",
        "note",
        "contact",
    } <= set(kinds)
    times = [entry.at for entry in view.timeline]
    assert times == sorted(times)
    texts = {entry.kind: entry.text for entry in view.timeline if entry.text}
    assert texts["flag_raised"] == "why held"
    assert texts["flag_cleared"] == "no longer"
    assert texts["approval_requested"] == "please"
    assert texts["approval_decided"] == "ok"
    assert texts["message_note"] == "thread note"
    assert texts["contact"] == "spoke"
    risks = [entry for entry in view.timeline if entry.kind == "risk"]
    assert risks[-1].data["factors"] == ["detained_now"]
    assert not any(entry.unreadable for entry in view.timeline)
    assert view.flags == []
    assert {holder.username for holder in view.holders} >= {"alice", "carol", "olga"}
    # The case key was opened once for the page (the thread's keys are audited by the hotline).
    assert AuditEvent.objects.filter(action="cases.case_decrypted", target_id=str(case.pk)).count() == 1


def test_a_tampered_row_is_unreadable_and_the_rest_shows(olga: User, alice: User) -> None:
    case = open_case(olga, alice)
    ka = private_key(alice)
    workflow.move_case(actor=alice, user_private_key=ka, case=case, to_stage=Stage.SCREENING, note="moved")
    flag = workflow.raise_flag(
        actor=alice, user_private_key=ka, case=case, kind=FlagKind.ON_HOLD, reason="other", note="held"
    )
    # A database write turns the on-hold flag's note into a detention flag's: the envelope refuses.
    CaseFlag.objects.filter(pk=flag.pk).update(kind=FlagKind.DETAINED)
    StageChange.objects.filter(case=case, to_stage=Stage.SCREENING).update(reason="shortcut")

    view = reading.case_for_staff(user=alice, user_private_key=ka, case=case)

    broken = [entry for entry in view.timeline if entry.unreadable]
    assert {entry.kind for entry in broken} == {"flag_raised", "stage"}
    assert all(entry.text == "" for entry in broken)
    assert any(entry.kind == "message_applicant" and entry.text for entry in view.timeline)


def test_pending_approvals_say_who_may_decide(olga: User, alice: User, carol: User) -> None:
    case = open_case(olga, alice)
    ka = private_key(alice)
    grants.grant_case_access(actor=alice, user_private_key=ka, case=case, grantee=carol)
    workflow.move_case(actor=alice, user_private_key=ka, case=case, to_stage=Stage.SCREENING)
    workflow.request_approval(actor=alice, user_private_key=ka, case=case, kind=ApprovalKind.ELIGIBILITY)
    mine = reading.case_for_staff(user=alice, user_private_key=ka, case=case)
    theirs = reading.case_for_staff(user=carol, user_private_key=private_key(carol), case=case)
    assert [item.may_decide for item in mine.pending] == [False]
    assert [item.may_decide for item in theirs.pending] == [True]
    assert [move.to_stage for move, _flags, _missing in mine.steps.moves] == [Stage.SCREENING]


def test_a_case_without_a_thread_has_no_messages(alice: User) -> None:
    new = services.open_case_directly(
        actor=alice,
        user_private_key=private_key(alice),
        origin=Origin.IN_PERSON,
        profile=Profile(names=["Test Person"]),
        region="RU-CE",
        urgency=3,
        factors=["outed"],
        caseworker=alice,
    )
    view = reading.case_for_staff(user=alice, user_private_key=private_key(alice), case=new.case)
    assert view.profile.names == ["Test Person"]
    assert not view.profile_unreadable
    assert sorted(entry.kind for entry in view.timeline) == ["risk", "stage"]
