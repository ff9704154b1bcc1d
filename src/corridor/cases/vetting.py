"""Vetting a case: the checklist, references, interviews and red flags, and what the page shows.

Provocateurs posed as victims to learn where people hide, so before anyone is moved a
caseworker checks the person is who they say they are. Item and red flag codes are plain
(they gate and count); who vouched and what was said are envelopes under the case key.
The decision itself is an approval of kind "vetting" (corridor.cases.workflow): two
reviewers, neither of them the one who asked.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.accounts.models import Role, User
from corridor.audit.services import record_event
from corridor.cases import access, sealing
from corridor.cases.models import (
    Approval,
    ApprovalDecision,
    ApprovalKind,
    Case,
    CheckResult,
    RecordKind,
    RedFlag,
    RedFlagCode,
    Stage,
    VettingCheck,
    VettingRecord,
)
from corridor.cases.services import CaseRefused, clean_text, open_case_key, seal_case_text
from corridor.crypto.errors import CryptoError

VETTING_ROLES = (Role.CASEWORKER, Role.COORDINATOR)
VETTING_STAGES = (Stage.SCREENING, Stage.VETTING)
# Who vouched, how they know the person and how to reach them: a line each, not an essay.
MAX_SHORT = 500

# The default checklist; an organisation chooses its own with CORRIDOR_VETTING_CHECKLIST.
CHECKLIST_LABELS: dict[str, Promise] = {
    "identity_confirmed": gettext_lazy("Identity confirmed by a call"),
    "reference_contacted": gettext_lazy("At least one reference contacted"),
    "story_consistent": gettext_lazy("Account consistent across two conversations"),
    "documents_seen": gettext_lazy("Documents seen (photo or in person)"),
    "no_blocklist_match": gettext_lazy("No identifier on the blocklist"),
    "location_plausible": gettext_lazy("Current location plausible"),
}


def _now() -> datetime:
    return datetime.now(UTC)


def checklist_codes() -> list[str]:
    """The configured item codes, in order, without repeats."""
    codes = getattr(settings, "CORRIDOR_VETTING_CHECKLIST", list(CHECKLIST_LABELS))
    return list(dict.fromkeys(code for code in codes if code))


def item_label(code: str) -> str:
    """An item's label in the reader's language; an organisation's own code is its own label."""
    label = CHECKLIST_LABELS.get(code)
    return str(label) if label is not None else code


def checklist_items() -> list[tuple[str, str]]:
    return [(code, item_label(code)) for code in checklist_codes()]


def may_vet(user: User) -> bool:
    return any(user.has_role(role) for role in VETTING_ROLES)


def _case_for_vetting(actor: User, case: Case) -> Case:
    """The case, locked, if this person may add to its vetting now; CaseRefused otherwise."""
    if not may_vet(actor):
        raise CaseRefused(_("Your role does not vet cases."))
    if not access.readable_cases(actor).filter(pk=case.pk).exists():
        raise CaseRefused(_("You do not hold this case."))
    case = Case.objects.select_for_update().select_related("key").get(pk=case.pk)
    if case.stage not in VETTING_STAGES:
        raise CaseRefused(_("Vetting can be recorded only while the case is in screening or vetting."))
    return case


def _short(text: str, *, required: bool) -> str:
    text = clean_text(text, required=required)
    if len(text) > MAX_SHORT:
        raise CaseRefused(_("The text is too long."))
    return text


# --- writes ---------------------------------------------------------------------------


@transaction.atomic
def record_check(*, actor: User, case: Case, item: str, result: str) -> VettingCheck:
    """Tick a checklist item (again): a new row, the latest one counts."""
    if item not in checklist_codes():
        raise CaseRefused(_("Choose an item of the checklist."))
    if result not in CheckResult.values:
        raise CaseRefused(_("Choose a result from the list."))
    case = _case_for_vetting(actor, case)
    check = VettingCheck.objects.create(
        id=uuid.uuid4(), case=case, item=item, result=result, checked_by=actor, at=_now()
    )
    record_event(
        action="cases.vetting_checked",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"item": item, "result": result},
    )
    return check


def _add_record(
    *, actor: User, user_private_key: bytes, case: Case, kind: str, body: dict[str, str]
) -> VettingRecord:
    key = open_case_key(user=actor, user_private_key=user_private_key, case=case, purpose="vetting")
    record = VettingRecord(id=uuid.uuid4(), case=case, kind=kind, author=actor, at=_now())
    record.body = sealing.seal_row(key, case.key.version, record, "body", body)
    record.save(force_insert=True)
    record_event(
        action="cases.vetting_record_added",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"record": str(record.pk), "kind": kind},
    )
    return record


@transaction.atomic
def add_reference(
    *,
    actor: User,
    user_private_key: bytes,
    case: Case,
    who: str,
    how_they_know: str,
    contact: str,
    assessment: str,
) -> VettingRecord:
    """Someone who vouched (or would not): who, how they know the person, what they said."""
    body = {
        "who": _short(who, required=True),
        "how_they_know": _short(how_they_know, required=True),
        "contact": _short(contact, required=False),
        "assessment": clean_text(assessment, required=True),
    }
    case = _case_for_vetting(actor, case)
    return _add_record(
        actor=actor, user_private_key=user_private_key, case=case, kind=RecordKind.REFERENCE, body=body
    )


@transaction.atomic
def add_interview(*, actor: User, user_private_key: bytes, case: Case, text: str) -> VettingRecord:
    """Notes of a vetting conversation with the person."""
    body = {"text": clean_text(text, required=True)}
    case = _case_for_vetting(actor, case)
    return _add_record(
        actor=actor, user_private_key=user_private_key, case=case, kind=RecordKind.INTERVIEW, body=body
    )


@transaction.atomic
def raise_red_flag(*, actor: User, user_private_key: bytes, case: Case, code: str, note: str = "") -> RedFlag:
    """A sign the person may not be who they say; "other" must say what in the note."""
    if code not in RedFlagCode.values:
        raise CaseRefused(_("Choose a red flag from the list."))
    note = clean_text(note, required=code == RedFlagCode.OTHER)
    case = _case_for_vetting(actor, case)
    flag = RedFlag(id=uuid.uuid4(), case=case, code=code, raised_by=actor, at=_now())
    flag.note = seal_case_text(
        actor=actor,
        user_private_key=user_private_key,
        case=case,
        row=flag,
        field="note",
        text=note,
        purpose="vetting",
    )
    flag.save(force_insert=True)
    record_event(
        action="cases.red_flag_raised",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"red_flag": str(flag.pk), "code": code},
    )
    return flag


# --- the page -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistRow:
    code: str
    label: str
    result: str  # "" while unchecked
    result_label: str
    checked_by: str
    at: datetime | None


@dataclass(frozen=True)
class Reference:
    id: str
    author: str
    at: datetime
    who: str = ""
    how_they_know: str = ""
    contact: str = ""
    assessment: str = ""
    unreadable: bool = False


@dataclass(frozen=True)
class Interview:
    id: str
    author: str
    at: datetime
    text: str = ""
    unreadable: bool = False


@dataclass(frozen=True)
class RedFlagView:
    id: str
    code: str
    label: str
    raised_by: str
    at: datetime
    note: str = ""
    unreadable: bool = False


@dataclass
class Vetting:
    """Everything the vetting page shows, decrypted for one reader."""

    checklist: list[ChecklistRow]
    references: list[Reference] = field(default_factory=list)
    interviews: list[Interview] = field(default_factory=list)
    red_flags: list[RedFlagView] = field(default_factory=list)
    approval: Approval | None = None
    decisions: list[ApprovalDecision] = field(default_factory=list)
    open_for_records: bool = False

    @property
    def done(self) -> int:
        return sum(1 for row in self.checklist if row.result)

    @property
    def concerns(self) -> int:
        return sum(1 for row in self.checklist if row.result == CheckResult.CONCERN)


def _name(user: User | None) -> str:
    return user.username if user is not None else "—"


def _unreadable(user: User, case: Case, row: VettingRecord | RedFlag) -> None:
    record_event(
        action="cases.envelope_unreadable",
        actor_id=user.pk,
        target_type="case",
        target_id=case.pk,
        data={"model": type(row).__name__, "row": str(row.pk)},
    )


def _checklist(case: Case) -> list[ChecklistRow]:
    latest: dict[str, VettingCheck] = {}
    for row in VettingCheck.objects.filter(case=case).select_related("checked_by").order_by("at"):
        latest[row.item] = row
    rows = []
    for code, label in checklist_items():
        check = latest.get(code)
        rows.append(
            ChecklistRow(
                code=code,
                label=label,
                result=check.result if check else "",
                result_label=str(CheckResult(check.result).label) if check else "",
                checked_by=_name(check.checked_by) if check else "",
                at=check.at if check else None,
            )
        )
    return rows


def _open(key: bytes | None, row: VettingRecord | RedFlag, name: str) -> dict[str, Any] | None:
    if key is None:
        return None
    try:
        return sealing.open_row(key, row, name)
    except CryptoError:
        return None


def vetting_for_staff(*, user: User, user_private_key: bytes, case: Case) -> Vetting:
    """The checklist as it stands, the records decrypted (one audited opening of the case key,
    only if there is anything to open) and the current vetting approval."""
    if not may_vet(user):
        raise CaseRefused(_("Your role does not vet cases."))
    records = list(VettingRecord.objects.filter(case=case).select_related("author").order_by("at"))
    flags = list(RedFlag.objects.filter(case=case).select_related("raised_by").order_by("at"))
    key = None
    if records or any(bytes(flag.note) for flag in flags):
        key = open_case_key(user=user, user_private_key=user_private_key, case=case, purpose="vetting")
    view = Vetting(checklist=_checklist(case), open_for_records=case.stage in VETTING_STAGES)
    for record in records:
        body = _open(key, record, "body")
        if body is None:
            _unreadable(user, case, record)
        rid, author = str(record.pk), _name(record.author)
        if record.kind == RecordKind.REFERENCE:
            view.references.append(
                Reference(id=rid, author=author, at=record.at, unreadable=True)
                if body is None
                else Reference(
                    id=rid,
                    author=author,
                    at=record.at,
                    who=str(body.get("who", "")),
                    how_they_know=str(body.get("how_they_know", "")),
                    contact=str(body.get("contact", "")),
                    assessment=str(body.get("assessment", "")),
                )
            )
        else:
            text = "" if body is None else str(body.get("text", ""))
            view.interviews.append(
                Interview(id=rid, author=author, at=record.at, text=text, unreadable=body is None)
            )
    for flag in flags:
        note, unreadable = "", False
        if bytes(flag.note):
            opened = _open(key, flag, "note")
            unreadable = opened is None
            note = "" if opened is None else str(opened.get("text", ""))
            if unreadable:
                _unreadable(user, case, flag)
        view.red_flags.append(
            RedFlagView(
                id=str(flag.pk),
                code=flag.code,
                label=str(RedFlagCode(flag.code).label) if flag.code in RedFlagCode.values else flag.code,
                raised_by=_name(flag.raised_by),
                at=flag.at,
                note=note,
                unreadable=unreadable,
            )
        )
    view.approval = (
        Approval.objects.filter(case=case, kind=ApprovalKind.VETTING, cycle=case.cycle)
        .select_related("requested_by")
        .order_by("-requested_at")
        .first()
    )
    if view.approval is not None:
        view.decisions = list(view.approval.decisions.select_related("decided_by").order_by("at"))
    return view
