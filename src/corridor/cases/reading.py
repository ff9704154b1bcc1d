"""Decrypting a case for its page: the profile and one timeline of everything that happened.

The case key is opened once (audited as `cases.case_decrypted`). A row that does not
decrypt (a damaged envelope, a bound column changed outside Corridor) is shown as
unreadable and the rest of the page still shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models

from corridor.accounts.models import User
from corridor.cases import access, grants, sealing, services, workflow
from corridor.cases.forms_case import RISK_FACTORS
from corridor.cases.models import (
    Approval,
    ApprovalDecision,
    ApprovalKind,
    ApprovalStatus,
    Case,
    CaseFlag,
    CaseNote,
    ContactChannel,
    ContactLog,
    DecisionChoice,
    FlagKind,
    FlagReason,
    Outcome,
    RiskAssessment,
    Stage,
    StageChange,
    VettingFailure,
)
from corridor.cases.panels import PanelContext, ShownPanel, build_panels
from corridor.cases.profile import Profile
from corridor.crypto.errors import CryptoError
from corridor.hotline import reading as thread_reading

_UNREADABLE = (CryptoError, ValueError, KeyError, TypeError)


@dataclass(frozen=True)
class Entry:
    """One line of the timeline. `kind` picks how the template shows it; `data` holds codes."""

    at: datetime
    kind: str
    actor: str
    text: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    unreadable: bool = False
    # The codes in words, in the reader's language.
    summary: str = ""


@dataclass(frozen=True)
class PendingApproval:
    approval: Approval
    may_decide: bool


@dataclass(frozen=True)
class CaseView:
    case: Case
    profile: Profile
    profile_unreadable: bool
    timeline: list[Entry]
    flags: list[CaseFlag]
    pending: list[PendingApproval]
    steps: workflow.NextSteps
    holders: list[User]
    thread_withheld: bool = False
    # Sections other apps add (corridor.cases.panels), built with the key opened here.
    panels: list[ShownPanel] = field(default_factory=list)


def _label(choices: type[models.Choices], code: str) -> str:
    """The label of a code, or the code itself if it is not (or no longer) one of the choices."""
    return str(dict(choices.choices).get(code, code))


def _name(user: User | None) -> str:
    return user.username if user is not None else ""


def _text(key: bytes, row: models.Model, name: str) -> tuple[str, bool]:
    try:
        return sealing.open_text(key, row, name), False
    except _UNREADABLE:
        return "", True


def _changes(key: bytes, case: Case) -> list[Entry]:
    entries = []
    for change in StageChange.objects.filter(case=case).select_related("actor"):
        text, bad = _text(key, change, "note")
        data = {
            "from": change.from_stage,
            "to": change.to_stage,
            "reason": change.reason,
            "outcome": change.outcome,
            "outcome_reason": change.outcome_reason,
        }
        summary = " → ".join(_label(Stage, code) for code in (change.from_stage, change.to_stage) if code)
        if change.outcome:
            summary += f" ({_label(Outcome, change.outcome)}"
            summary += f": {_label(VettingFailure, change.outcome_reason)})" if change.outcome_reason else ")"
        entries.append(Entry(change.at, "stage", _name(change.actor), text, data, bad, summary))
    return entries


def _flags(key: bytes, case: Case) -> list[Entry]:
    entries = []
    for flag in CaseFlag.objects.filter(case=case).select_related("raised_by", "cleared_by"):
        text, bad = _text(key, flag, "note")
        data = {"flag": flag.kind, "reason": flag.reason}
        summary = f"{_label(FlagKind, flag.kind)} ({_label(FlagReason, flag.reason)})"
        entries.append(Entry(flag.raised_at, "flag_raised", _name(flag.raised_by), text, data, bad, summary))
        if flag.cleared_at is not None:
            text, bad = _text(key, flag, "clear_note")
            entries.append(
                Entry(
                    flag.cleared_at,
                    "flag_cleared",
                    _name(flag.cleared_by),
                    text,
                    {"flag": flag.kind},
                    bad,
                    _label(FlagKind, flag.kind),
                )
            )
    return entries


def _approvals(key: bytes, case: Case) -> list[Entry]:
    entries = []
    for approval in Approval.objects.filter(case=case).select_related("requested_by"):
        text, bad = _text(key, approval, "note")
        data = {"approval": approval.kind, "subject": approval.subject, "status": approval.status}
        summary = _label(ApprovalKind, approval.kind) + (f" ({approval.subject})" if approval.subject else "")
        entries.append(
            Entry(
                approval.requested_at,
                "approval_requested",
                _name(approval.requested_by),
                text,
                data,
                bad,
                summary,
            )
        )
    decisions = ApprovalDecision.objects.filter(approval__case=case).select_related("decided_by", "approval")
    for decision in decisions:
        text, bad = _text(key, decision, "note")
        data = {"approval": decision.approval.kind, "decision": decision.decision}
        summary = (
            f"{_label(ApprovalKind, decision.approval.kind)}: {_label(DecisionChoice, decision.decision)}"
        )
        entries.append(
            Entry(decision.at, "approval_decided", _name(decision.decided_by), text, data, bad, summary)
        )
    return entries


def _assessments(key: bytes, case: Case) -> list[Entry]:
    entries = []
    for assessment in RiskAssessment.objects.filter(case=case).select_related("assessed_by"):
        data: dict[str, Any] = {"urgency": assessment.urgency, "from_triage": assessment.from_triage}
        try:
            factors = sealing.open_row(key, assessment, "factors")["factors"]
            data["factors"] = [str(factor) for factor in factors]
            bad = False
        except _UNREADABLE:
            data["factors"], bad = [], True
        labels = dict(RISK_FACTORS)
        summary = ", ".join(str(labels.get(code, code)) for code in data["factors"])
        entries.append(Entry(assessment.at, "risk", _name(assessment.assessed_by), "", data, bad, summary))
    return entries


def _work(key: bytes, case: Case) -> list[Entry]:
    entries = []
    for note in CaseNote.objects.filter(case=case).select_related("author"):
        text, bad = _text(key, note, "body")
        entries.append(Entry(note.at, "note", _name(note.author), text, {}, bad))
    for contact in ContactLog.objects.filter(case=case).select_related("logged_by"):
        text, bad = _text(key, contact, "note")
        entries.append(
            Entry(
                contact.at,
                "contact",
                _name(contact.logged_by),
                text,
                {"channel": contact.channel},
                bad,
                _label(ContactChannel, contact.channel),
            )
        )
    return entries


def _thread(user: User, user_private_key: bytes, case: Case) -> tuple[list[Entry], bool]:
    if case.thread is None:
        return [], False
    view = thread_reading.thread_for_staff(user=user, user_private_key=user_private_key, thread=case.thread)
    entries = [
        Entry(
            message.created_at,
            f"message_{message.kind}",
            message.author,
            message.text,
            {},
            message.unreadable,
        )
        for message in view.messages
    ]
    return entries, view.withheld


def _profile(key: bytes, case: Case) -> tuple[Profile, bool]:
    try:
        return services.read_profile(key, case), False
    except _UNREADABLE:
        return Profile(), True


def case_for_staff(*, user: User, user_private_key: bytes, case: Case) -> CaseView:
    """Everything on the case page, decrypted with one audited opening of the case key."""
    key = services.open_case_key(user=user, user_private_key=user_private_key, case=case, purpose="read")
    profile, profile_unreadable = _profile(key, case)
    messages, withheld = _thread(user, user_private_key, case)
    timeline = [
        *_changes(key, case),
        *_flags(key, case),
        *_approvals(key, case),
        *_assessments(key, case),
        *_work(key, case),
        *messages,
    ]
    timeline.sort(key=lambda entry: entry.at)
    pending = Approval.objects.filter(case=case, status=ApprovalStatus.PENDING).select_related("requested_by")
    return CaseView(
        case=case,
        profile=profile,
        profile_unreadable=profile_unreadable,
        timeline=timeline,
        flags=list(CaseFlag.objects.filter(case=case, cleared_at__isnull=True).order_by("raised_at")),
        pending=[PendingApproval(a, workflow.may_decide(user, a)) for a in pending.order_by("requested_at")],
        steps=workflow.next_steps(case),
        holders=grants.holders(case),
        thread_withheld=withheld,
        panels=build_panels(
            PanelContext(
                user=user,
                user_private_key=user_private_key,
                case=case,
                key=key,
                is_coordinator=access.is_coordinator(user),
            )
        ),
    )
