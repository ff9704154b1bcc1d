"""Synthetic cases for `corridor demo`: every stage, flags, approvals, a failed vetting and a blocklist hit.

Everything goes through the services, as staff would do it, so the demo shows what the
real pipeline produces (and its audit log is a real one).
"""

from __future__ import annotations

from dataclasses import dataclass

from corridor.accounts.models import User
from corridor.cases import grants, services, workflow
from corridor.cases.models import ApprovalKind, Case, FlagKind, FlagReason, Origin, Stage
from corridor.cases.profile import Profile
from corridor.hotline import services as hotline
from corridor.hotline.triage import Triage

MARK = "[Демо: вымышленный случай]"

PATH: list[str] = [
    Stage.SCREENING,
    Stage.VETTING,
    Stage.PLANNING,
    Stage.IN_TRANSIT,
    Stage.SHELTERED,
    Stage.RELOCATING,
    Stage.DEPARTED,
    Stage.ARRIVED,
    Stage.FOLLOW_UP,
]
# The approval a step needs before it is taken (two-person kinds are decided by bob and carol).
BEFORE: dict[str, list[str]] = {
    Stage.VETTING: [ApprovalKind.ELIGIBILITY],
    Stage.PLANNING: [ApprovalKind.VETTING],
    Stage.IN_TRANSIT: [ApprovalKind.GO_NO_GO],
    Stage.DEPARTED: [ApprovalKind.DEPARTURE],
}
# A phone number shared by the provocateur's case and a later request (another spelling).
PROVOCATEUR_PHONE = "+7 928 555-01-77"
PROVOCATEUR_PHONE_AGAIN = "8 (928) 555 01 77"


@dataclass
class Staff:
    olga: User
    alice: User
    bob: User
    carol: User
    keys: dict[str, bytes]

    def key(self, user: User) -> bytes:
        return self.keys[user.username]


def _approve(staff: Staff, case: Case, kind: str, subject: str = "") -> None:
    approval = workflow.request_approval(
        actor=staff.alice, user_private_key=staff.key(staff.alice), case=case, kind=kind, subject=subject
    )
    deciders = [staff.carol] if kind not in workflow.rules.TWO_PERSON else [staff.bob, staff.carol]
    for person in deciders:
        workflow.decide_approval(
            actor=person, user_private_key=staff.key(person), approval=approval, decision="approve"
        )


def _advance(staff: Staff, case: Case, target: str) -> Case:
    for stage in PATH[: PATH.index(target) + 1] if target in PATH else []:
        for kind in BEFORE.get(stage, []):
            _approve(staff, case, kind)
        case = Case.objects.select_related("key").get(pk=case.pk)
        workflow.move_case(
            actor=staff.alice, user_private_key=staff.key(staff.alice), case=case, to_stage=stage
        )
    return Case.objects.select_related("key").get(pk=case.pk)


def _case_from_thread(staff: Staff, *, region: str, contact: str, text: str, urgent: bool = False) -> Case:
    triage = Triage(
        region=region,
        in_danger_now=urgent,
        threatened_by=["relatives", "police"] if urgent else ["relatives"],
        outed_to_family="yes",
        safe_contact=contact,
    )
    thread = hotline.open_thread(triage=triage, text=f"{MARK} {text}", files=[]).thread
    new = services.open_case_from_thread(
        actor=staff.olga, user_private_key=staff.key(staff.olga), thread=thread, caseworker=staff.alice
    )
    case = Case.objects.select_related("key").get(pk=new.case.pk)
    for colleague in (staff.bob, staff.carol):
        grants.grant_case_access(
            actor=staff.alice, user_private_key=staff.key(staff.alice), case=case, grantee=colleague
        )
    return case


def create_demo_cases(staff: Staff) -> None:
    """About fifteen cases across the whole pipeline."""
    alice_key = staff.key(staff.alice)
    regions = ["RU-CE", "RU-CE", "RU-IN", "RU-DA", "RU-CE", "RU-KB", "RU-CE", "RU-SE", "RU-CE", "RU-MOW"]
    stages = [None, *PATH]
    for i, target in enumerate(stages):
        case = _case_from_thread(
            staff,
            region=regions[i % len(regions)],
            contact=f"+7 928 {100 + i:03d}-2{i % 10}-3{i % 10}, после 21:00",
            text="Прошу помочь уехать, родственники ищут меня.",
            urgent=i % 3 == 0,
        )
        profile = Profile(
            names=[f"Демо Человек {i + 1}"],
            aliases=[f"demo{i + 1}"],
            birth="1995",
            phones=[f"+7 928 {100 + i:03d}-2{i % 10}-3{i % 10}"],
            location=f"{MARK} у знакомых",
            family="Родственники не знают, где он.",
            risk_notes="Искали через общих знакомых.",
        )
        services.update_profile(actor=staff.alice, user_private_key=alice_key, case=case, profile=profile)
        if target is not None:
            case = _advance(staff, case, target)
        services.add_case_note(
            actor=staff.alice,
            user_private_key=alice_key,
            case=case,
            text=f"{MARK} Созвонились, всё спокойно.",
        )
        if target == Stage.SHELTERED:
            workflow.raise_flag(
                actor=staff.alice,
                user_private_key=alice_key,
                case=case,
                kind=FlagKind.MEDICAL_HOLD,
                reason=FlagReason.STAFF_REPORT,
                note=f"{MARK} Нужен врач перед дорогой.",
            )
        if target == Stage.ARRIVED:
            # One more arrived person, whose case is closed: resettled abroad.
            case = _advance(
                staff,
                _case_from_thread(
                    staff, region="RU-CE", contact="+7 928 300-40-50", text="Спасибо, я доехал."
                ),
                Stage.ARRIVED,
            )
            _approve(staff, case, ApprovalKind.CLOSURE, "resettled_abroad")
            workflow.close_case(
                actor=staff.alice, user_private_key=alice_key, case=case, outcome="resettled_abroad"
            )

    # Waiting in the approvals queue: eligibility with one of two approvals.
    waiting = _case_from_thread(
        staff, region="RU-CE", contact="+7 928 700-00-01", text="Меня держали три дня, сейчас отпустили."
    )
    waiting = _advance(staff, waiting, Stage.SCREENING)
    approval = workflow.request_approval(
        actor=staff.alice, user_private_key=alice_key, case=waiting, kind=ApprovalKind.ELIGIBILITY
    )
    workflow.decide_approval(
        actor=staff.bob, user_private_key=staff.key(staff.bob), approval=approval, decision="approve"
    )

    # A failed vetting: the provocateur's phone goes on the blocklist.
    suspect = _case_from_thread(
        staff, region="RU-CE", contact=PROVOCATEUR_PHONE, text="Где вы прячете остальных? Мне нужно к ним."
    )
    suspect = _advance(staff, suspect, Stage.VETTING)
    workflow.raise_flag(
        actor=staff.alice,
        user_private_key=alice_key,
        case=suspect,
        kind=FlagKind.SECURITY_CONCERN,
        reason=FlagReason.STAFF_REPORT,
        note=f"{MARK} Спрашивает адреса других.",
    )
    _approve(staff, suspect, ApprovalKind.CLOSURE, "failed_vetting:suspected_provocateur")
    workflow.close_case(
        actor=staff.alice,
        user_private_key=alice_key,
        case=suspect,
        outcome="failed_vetting",
        outcome_reason="suspected_provocateur",
    )
    # Weeks later the same number writes again: the new case is flagged on opening.
    _case_from_thread(staff, region="RU-CE", contact=PROVOCATEUR_PHONE_AGAIN, text="Помогите, меня ищут.")

    # Referred by a partner organisation, opened directly by the coordinator.
    services.open_case_directly(
        actor=staff.carol,
        user_private_key=staff.key(staff.carol),
        origin=Origin.PARTNER,
        profile=Profile(names=["Демо Партнёрский"], phones=["+7 928 800-10-20"], location=f"{MARK} Москва"),
        region="RU-MOW",
        urgency=2,
        factors=["threatened_by_relatives"],
        caseworker=staff.bob,
    )
