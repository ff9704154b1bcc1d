"""Moving a case through the pipeline: stage changes, closing and reopening, flags, approvals.

Every change is an explicit call with its actor, time and coded reason, is audited, and
refuses (CaseRefused, with a message for the person) rather than half-happening: the
rules are in corridor.cases.rules, checked against the database inside the transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from corridor.accounts.models import Role, User
from corridor.audit.services import record_event
from corridor.cases import access, identifiers, rules, sealing
from corridor.cases.models import (
    Approval,
    ApprovalDecision,
    ApprovalKind,
    ApprovalStatus,
    Case,
    CaseFlag,
    ChangeReason,
    DecisionChoice,
    FlagKind,
    FlagReason,
    Outcome,
    Stage,
    StageChange,
    VettingFailure,
)
from corridor.cases.services import CaseRefused, clean_text, open_case_key, seal_case_text


def _now() -> datetime:
    return datetime.now(UTC)


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("key").get(pk=case.pk)


def open_flags(case: Case) -> set[str]:
    return set(CaseFlag.objects.filter(case=case, cleared_at__isnull=True).values_list("kind", flat=True))


# --- approvals ------------------------------------------------------------------------


def _approvers(approval: Approval) -> set[uuid.UUID]:
    return set(
        approval.decisions.filter(decision=DecisionChoice.APPROVE).values_list("decided_by_id", flat=True)
    )


def is_approved(case: Case, kind: str, subject: str = "") -> bool:
    """An approval of this kind (and subject) was granted in the case's current cycle."""
    return Approval.objects.filter(
        case=case, kind=kind, subject=subject, cycle=case.cycle, status=ApprovalStatus.APPROVED
    ).exists()


def missing_approvals(case: Case, to_stage: str) -> list[str]:
    return [kind for kind in rules.gates(case.stage, to_stage) if not is_approved(case, kind)]


@transaction.atomic
def request_approval(
    *, actor: User, user_private_key: bytes, case: Case, kind: str, subject: str = "", note: str = ""
) -> Approval:
    """Ask for a decision; asking again while one is waiting returns the waiting one."""
    if kind not in ApprovalKind.values:
        raise CaseRefused(_("Choose what needs approval."))
    case = _locked(case)
    if case.stage == Stage.CLOSED:
        raise CaseRefused(_("The case is closed."))
    if not rules.may_ask(kind, case.stage):
        raise CaseRefused(_("This decision is taken at another stage of the case."))
    if kind == ApprovalKind.CLOSURE:
        outcome, _sep, reason = subject.partition(":")
        if not rules.outcome_allowed(case.stage, outcome, reason):
            raise CaseRefused(_("This outcome cannot be chosen at this stage."))
    elif kind == ApprovalKind.SPEND:
        amount, _sep, currency = subject.partition(" ")
        if not amount.isdigit() or len(currency) != 3 or not currency.isalpha():
            raise CaseRefused(_("Give the amount and its currency, for example 450 EUR."))
        subject = f"{int(amount)} {currency.upper()}"
    elif subject:
        raise CaseRefused(_("This approval has no subject."))
    waiting = Approval.objects.filter(
        case=case, kind=kind, subject=subject, cycle=case.cycle, status=ApprovalStatus.PENDING
    ).first()
    if waiting is not None:
        return waiting
    note = clean_text(note, required=False)
    approval = Approval(
        id=uuid.uuid4(),
        case=case,
        kind=kind,
        subject=subject,
        cycle=case.cycle,
        requested_by=actor,
        requested_at=_now(),
    )
    approval.note = seal_case_text(
        actor=actor,
        user_private_key=user_private_key,
        case=case,
        row=approval,
        field="note",
        text=note,
        purpose="approval",
    )
    approval.save(force_insert=True)
    record_event(
        action="cases.approval_requested",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"approval": str(approval.pk), "kind": kind, "subject": subject},
    )
    return approval


def may_decide(user: User, approval: Approval) -> bool:
    """Whether this person may decide: never the requester, never twice, coordinators where needed."""
    if approval.status != ApprovalStatus.PENDING or approval.requested_by_id == user.pk:
        return False
    if approval.decisions.filter(decided_by=user).exists():
        return False
    # Deciding on a case one cannot read would be deciding blind.
    if not access.readable_cases(user).filter(pk=approval.case_id).exists():
        return False
    if approval.kind in rules.COORDINATOR_ONLY:
        return user.has_role(Role.COORDINATOR)
    return user.has_role(Role.CASEWORKER) or user.has_role(Role.COORDINATOR)


@transaction.atomic
def decide_approval(
    *, actor: User, user_private_key: bytes, approval: Approval, decision: str, note: str = ""
) -> Approval:
    """Approve or reject. Two-person kinds need two approvals by different people; one rejection
    rejects. Decisions are append-only."""
    if decision not in DecisionChoice.values:
        raise CaseRefused(_("Choose approve or reject."))
    approval = Approval.objects.select_for_update().select_related("case__key").get(pk=approval.pk)
    if not may_decide(actor, approval):
        raise CaseRefused(_("You cannot decide on this request."))
    if not rules.may_ask(approval.kind, approval.case.stage):
        raise CaseRefused(_("This decision is taken at another stage of the case."))
    note = clean_text(note, required=decision == DecisionChoice.REJECT)
    case = approval.case
    entry = ApprovalDecision(
        id=uuid.uuid4(), approval=approval, decided_by=actor, decision=decision, at=_now()
    )
    entry.note = seal_case_text(
        actor=actor,
        user_private_key=user_private_key,
        case=case,
        row=entry,
        field="note",
        text=note,
        purpose="approval",
    )
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError:
        raise CaseRefused(_("You have already decided on this request.")) from None
    needed = 2 if approval.kind in rules.TWO_PERSON else 1
    if decision == DecisionChoice.REJECT:
        approval.status = ApprovalStatus.REJECTED
    elif len(_approvers(approval) - {approval.requested_by_id}) >= needed:
        approval.status = ApprovalStatus.APPROVED
    if approval.status != ApprovalStatus.PENDING:
        approval.decided_at = entry.at
        approval.save(update_fields=["status", "decided_at"])
    record_event(
        action="cases.approval_decided",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={
            "approval": str(approval.pk),
            "kind": approval.kind,
            "decision": decision,
            "status": approval.status,
        },
    )
    return approval


# --- stage changes --------------------------------------------------------------------


def _record_change(
    *,
    case: Case,
    actor: User,
    user_private_key: bytes,
    to_stage: str,
    reason: str,
    note: str,
    outcome: str = "",
    outcome_reason: str = "",
) -> StageChange:
    now = _now()
    change = StageChange(
        id=uuid.uuid4(),
        case=case,
        from_stage=case.stage,
        to_stage=to_stage,
        outcome=outcome,
        outcome_reason=outcome_reason,
        reason=reason,
        actor=actor,
        at=now,
    )
    change.note = seal_case_text(
        actor=actor,
        user_private_key=user_private_key,
        case=case,
        row=change,
        field="note",
        text=note,
        purpose="stage_change",
    )
    change.save(force_insert=True)
    updates: dict[str, object] = {"stage": to_stage, "stage_changed_at": now}
    if to_stage == Stage.CLOSED:
        updates.update(outcome=outcome, outcome_reason=outcome_reason, closed_at=now)
    Case.objects.filter(pk=case.pk).update(**updates)
    record_event(
        action="cases.stage_changed",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={
            "from": case.stage,
            "to": to_stage,
            "reason": reason,
            **({"outcome": outcome} if outcome else {}),
            **({"outcome_reason": outcome_reason} if outcome_reason else {}),
        },
    )
    return change


@transaction.atomic
def move_case(
    *, actor: User, user_private_key: bytes, case: Case, to_stage: str, note: str = ""
) -> StageChange:
    """One step along the pipeline (or back): refused if the rules, a flag or a missing approval forbid it."""
    case = _locked(case)
    if not rules.is_move(case.stage, to_stage):
        raise CaseRefused(_("A case cannot go from this stage to that one."))
    back = rules.is_back(case.stage, to_stage)
    if blocking := rules.blocking_flags(to_stage, open_flags(case), back=back):
        labels = ", ".join(str(FlagKind(flag).label) for flag in blocking)
        raise CaseRefused(_("Blocked by: %(flags)s. Clear the flag first.") % {"flags": labels})
    if missing := missing_approvals(case, to_stage):
        labels = ", ".join(str(ApprovalKind(kind).label) for kind in missing)
        raise CaseRefused(_("Needs an approval first: %(kinds)s.") % {"kinds": labels})
    reason = (
        ChangeReason.STEP_BACK
        if back
        else (ChangeReason.SHORTCUT if (case.stage, to_stage) in rules.SHORTCUTS else ChangeReason.PROGRESS)
    )
    change = _record_change(
        case=case,
        actor=actor,
        user_private_key=user_private_key,
        to_stage=to_stage,
        reason=reason,
        note=clean_text(note, required=False),
    )
    if back:
        _withdraw_decisions_from(case, to_stage, actor)
    return change


def _withdraw_decisions_from(case: Case, stage: str, actor: User) -> None:
    """The plan changed: decisions taken to leave `stage` or any later one no longer hold (nor
    do requests still waiting for them), and must be taken again."""
    undone = set(rules.later_stages(stage))
    kinds = {kind for (source, _target), needed in rules.GATES.items() if source in undone for kind in needed}
    withdrawn = list(
        Approval.objects.filter(
            case=case,
            cycle=case.cycle,
            kind__in=kinds,
            status__in=[ApprovalStatus.APPROVED, ApprovalStatus.PENDING],
        ).values_list("pk", "kind")
    )
    if not withdrawn:
        return
    Approval.objects.filter(pk__in=[pk for pk, _kind in withdrawn]).update(status=ApprovalStatus.WITHDRAWN)
    for pk, kind in withdrawn:
        record_event(
            action="cases.approval_withdrawn",
            actor_id=actor.pk,
            target_type="case",
            target_id=case.pk,
            data={"approval": str(pk), "kind": kind, "back_to": stage},
        )


@transaction.atomic
def close_case(
    *,
    actor: User,
    user_private_key: bytes,
    case: Case,
    outcome: str,
    outcome_reason: str = "",
    note: str = "",
) -> StageChange:
    """Close with an outcome that a coordinator approved. A failed vetting puts the case's
    identifiers on the provocateur blocklist."""
    case = _locked(case)
    if not rules.outcome_allowed(case.stage, outcome, outcome_reason):
        raise CaseRefused(_("This outcome cannot be chosen at this stage."))
    if not is_approved(case, ApprovalKind.CLOSURE, rules.closure_subject(outcome, outcome_reason)):
        raise CaseRefused(_("Closing needs a coordinator's approval of this outcome first."))
    change = _record_change(
        case=case,
        actor=actor,
        user_private_key=user_private_key,
        to_stage=Stage.CLOSED,
        reason=ChangeReason.OUTCOME,
        note=clean_text(note, required=False),
        outcome=outcome,
        outcome_reason=outcome_reason,
    )
    # Only a suspected provocateur is blocked: someone out of mandate or unverifiable may
    # well be genuine and write again.
    if outcome == Outcome.FAILED_VETTING and outcome_reason == VettingFailure.SUSPECTED_PROVOCATEUR:
        blocked = identifiers.block_identifiers_of(case)
        record_event(
            action="cases.identifiers_blocked",
            actor_id=actor.pk,
            target_type="case",
            target_id=case.pk,
            data={"count": blocked, "reason": outcome_reason},
        )
    return change


@transaction.atomic
def reopen_case(*, actor: User, user_private_key: bytes, case: Case, to_stage: str, note: str) -> StageChange:
    """A coordinator reopens a closed case; approvals given before no longer count."""
    if not actor.has_role(Role.COORDINATOR):
        raise CaseRefused(_("Only a coordinator can reopen a case."))
    case = _locked(case)
    if case.stage != Stage.CLOSED:
        raise CaseRefused(_("The case is not closed."))
    if to_stage not in (Stage.SCREENING, Stage.VETTING, Stage.SHELTERED, Stage.FOLLOW_UP):
        raise CaseRefused(_("Choose the stage to reopen at."))
    note = clean_text(note, required=True)
    change = _record_change(
        case=case,
        actor=actor,
        user_private_key=user_private_key,
        to_stage=to_stage,
        reason=ChangeReason.REOPENED,
        note=note,
    )
    Case.objects.filter(pk=case.pk).update(
        cycle=case.cycle + 1, outcome="", outcome_reason="", closed_at=None
    )
    return change


# --- flags ----------------------------------------------------------------------------


@transaction.atomic
def raise_flag(
    *, actor: User, user_private_key: bytes, case: Case, kind: str, reason: str, note: str = ""
) -> CaseFlag:
    if kind not in FlagKind.values:
        raise CaseRefused(_("Choose a flag from the list."))
    if reason not in FlagReason.values or reason == FlagReason.BLOCKLIST_MATCH:
        raise CaseRefused(_("Choose a reason from the list."))
    case = _locked(case)
    if CaseFlag.objects.filter(case=case, kind=kind, cleared_at__isnull=True).exists():
        raise CaseRefused(_("This flag is already raised."))
    note = clean_text(note, required=reason == FlagReason.OTHER)
    flag = CaseFlag(id=uuid.uuid4(), case=case, kind=kind, reason=reason, raised_by=actor, raised_at=_now())
    flag.note = seal_case_text(
        actor=actor,
        user_private_key=user_private_key,
        case=case,
        row=flag,
        field="note",
        text=note,
        purpose="flag",
    )
    flag.save(force_insert=True)
    record_event(
        action="cases.flag_raised",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"flag": kind, "reason": reason},
    )
    return flag


@transaction.atomic
def clear_flag(*, actor: User, user_private_key: bytes, flag: CaseFlag, note: str) -> CaseFlag:
    """Clear a flag explicitly, saying why; a security concern is cleared by a coordinator only."""
    flag = CaseFlag.objects.select_for_update().select_related("case__key").get(pk=flag.pk)
    if flag.cleared_at is not None:
        raise CaseRefused(_("This flag was already cleared."))
    if flag.kind == FlagKind.SECURITY_CONCERN and not actor.has_role(Role.COORDINATOR):
        raise CaseRefused(_("Only a coordinator can clear a security concern."))
    note = clean_text(note, required=True)
    key = open_case_key(user=actor, user_private_key=user_private_key, case=flag.case, purpose="flag")
    flag.cleared_by, flag.cleared_at = actor, _now()
    flag.clear_note = sealing.seal_text(key, flag.case.key.version, flag, "clear_note", note)
    flag.save(update_fields=["cleared_by", "cleared_at", "clear_note"])
    record_event(
        action="cases.flag_cleared",
        actor_id=actor.pk,
        target_type="case",
        target_id=flag.case_id,
        data={"flag": flag.kind},
    )
    return flag


@dataclass(frozen=True)
class NextSteps:
    """What the case page offers: each possible move with what stands in its way."""

    moves: list[tuple[rules.Move, list[str], list[str]]]  # move, blocking flags, missing approvals
    outcomes: list[tuple[str, str]]


def next_steps(case: Case) -> NextSteps:
    flags = open_flags(case)
    moves = []
    for move in rules.moves_from(case.stage):
        back = move.reason == "step_back"
        moves.append(
            (
                move,
                rules.blocking_flags(move.to_stage, flags, back=back),
                [] if back else missing_approvals(case, move.to_stage),
            )
        )
    return NextSteps(moves=moves, outcomes=rules.outcomes_from(case.stage))
