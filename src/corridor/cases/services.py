"""Opening cases and writing their record: profile, notes, contacts, risk.

Every write is a service here or in corridor.cases.workflow / corridor.cases.grants.
Every opening of a case key is audited (`cases.case_decrypted` with what it was for).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from corridor.accounts import keyring
from corridor.accounts.models import OrgKeyKind, Role, User
from corridor.audit.services import record_event
from corridor.cases import access, identifiers, sealing
from corridor.cases import keys as data_keys
from corridor.cases.models import (
    Case,
    CaseFlag,
    CaseNote,
    ContactLog,
    FlagKind,
    FlagReason,
    KeyPurpose,
    Origin,
    RiskAssessment,
    Stage,
    StageChange,
    WrapRecipient,
)
from corridor.cases.profile import Profile, identifiers_in_text, profile_identifiers
from corridor.hotline import keys as thread_keys
from corridor.hotline import receipts
from corridor.hotline import services as hotline
from corridor.hotline.models import Thread
from corridor.hotline.triage import REGIONS, Triage, first_response_window, urgency_for

MAX_TEXT = 20_000


class CaseRefused(ValueError):
    """The request is not allowed or not valid; the message says why, in the user's language."""


def _now() -> datetime:
    return datetime.now(UTC)


def _new_code() -> str:
    return hotline.unused_code("C-", Case)


def clean_text(text: str, *, required: bool) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    # NUL and other control characters are refused, as on the hotline, never silently dropped.
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise CaseRefused(_("The text contains characters that cannot be accepted."))
    if required and not text:
        raise CaseRefused(_("Write something first."))
    if len(text) > MAX_TEXT:
        raise CaseRefused(_("The text is too long."))
    return text


# --- keys and envelopes ---------------------------------------------------------------


def open_case_key(*, user: User, user_private_key: bytes, case: Case, purpose: str) -> bytes:
    """Open the case key with the holder's own wrap (or the hotline key while unassigned); audited."""
    key = data_keys.StaffOpener(user=user, user_private_key=user_private_key).open(case.key)
    record_event(
        action="cases.case_decrypted",
        actor_id=user.pk,
        target_type="case",
        target_id=case.pk,
        data={"purpose": purpose},
    )
    return key


def seal_case_text(
    *, actor: User, user_private_key: bytes, case: Case, row: Any, field: str, text: str, purpose: str
) -> bytes:
    """Free text of a case row under the case key; the key is opened (and audited) only for text."""
    if not text:
        return b""
    key = open_case_key(user=actor, user_private_key=user_private_key, case=case, purpose=purpose)
    return sealing.seal_text(key, case.key.version, row, field, text)


def profile_envelope(key: bytes, case: Case, profile: Profile) -> bytes:
    return sealing.seal_row(key, case.key.version, case, "profile", profile.as_dict())


def read_profile(key: bytes, case: Case) -> Profile:
    return Profile.from_dict(sealing.open_row(key, case, "profile"))


# --- identifiers: duplicates and the blocklist ----------------------------------------


@dataclass
class IdentifierCheck:
    """What a check of identifiers found: other cases sharing one, and whether any is blocked."""

    duplicates: list[access.Card] = field(default_factory=list)
    blocked: bool = False
    checked: bool = False


def index_key_for(user: User, user_private_key: bytes) -> bytes | None:
    """The index key if this person holds it (roles that search); None otherwise."""
    if OrgKeyKind.INDEX not in keyring.held_kinds(user):
        return None
    return keyring.unseal_org_key(user=user, user_private_key=user_private_key, kind=OrgKeyKind.INDEX)


def cases_shown_for(
    user: User, digests: set[identifiers.Digest], *, exclude: Case | None = None
) -> tuple[list[Case], set[str]]:
    """The cases sharing these identifiers that this person may see a card of, and those they read.

    The case that put a match on the blocklist is named only to those who hold it: to
    anyone else, duplicates and search alike, it does not exist.
    """
    others = identifiers.cases_sharing(digests, exclude=exclude)
    readable = access.readable_ids(user, [c.pk for c in others])
    hidden = identifiers.block_sources(digests) - readable
    return [c for c in others if str(c.pk) not in hidden], readable


def _check_identifiers(*, user: User, case: Case | None, digests: set[identifiers.Digest]) -> IdentifierCheck:
    shown, readable = cases_shown_for(user, digests, exclude=case)
    return IdentifierCheck(
        duplicates=access.cards(shown, readable_ids=readable),
        blocked=identifiers.blocked(digests),
        checked=True,
    )


def raise_blocklist_flag(*, case: Case) -> bool:
    """Flag a case whose identifiers match the blocklist, and alert the coordinators (fixed shape)."""
    if CaseFlag.objects.filter(case=case, kind=FlagKind.SECURITY_CONCERN, cleared_at__isnull=True).exists():
        return False
    CaseFlag.objects.create(
        case=case,
        kind=FlagKind.SECURITY_CONCERN,
        reason=FlagReason.BLOCKLIST_MATCH,
        raised_by=None,
        raised_at=_now(),
    )
    record_event(
        action="cases.flag_raised",
        target_type="case",
        target_id=case.pk,
        data={"flag": FlagKind.SECURITY_CONCERN.value, "reason": FlagReason.BLOCKLIST_MATCH.value},
    )
    alert_coordinators()
    return True


def alert_coordinators() -> None:
    """The fixed-shape staff alert, sent now: it says to look, never what or where."""
    from corridor.hotline.alerts import send_staff_alert_digest

    transaction.on_commit(send_staff_alert_digest.enqueue)


def check_thread_identifiers(
    *, user: User, user_private_key: bytes, thread: Thread, contact_text: str
) -> IdentifierCheck:
    """Check a thread's contact details against all cases and the blocklist (at operator intake,
    or when an operator first reads a web request: only staff hold the index key)."""
    index_key = index_key_for(user, user_private_key)
    if index_key is None:
        return IdentifierCheck()
    digests = identifiers.digests_of(index_key, identifiers_in_text(contact_text))
    result = _check_identifiers(user=user, case=getattr(thread, "case", None), digests=digests)
    if result.blocked:
        hotline.flag_security_concern(thread=thread)
        alert_coordinators()
    return result


def refresh_identifiers(
    *, user: User, user_private_key: bytes, case: Case, profile: Profile
) -> IdentifierCheck:
    """Recompute a case's blind indexes from its profile; a blocklist match raises the flag."""
    index_key = index_key_for(user, user_private_key)
    if index_key is None:
        return IdentifierCheck()
    digests = identifiers.digests_of(index_key, profile_identifiers(profile))
    identifiers.replace_identifiers(case, digests)
    result = _check_identifiers(user=user, case=case, digests=digests)
    if result.blocked:
        raise_blocklist_flag(case=case)
    return result


# --- opening a case -------------------------------------------------------------------


@dataclass(frozen=True)
class NewCase:
    case: Case
    check: IdentifierCheck
    # The case existed already (a repeated form, or the thread was opened before).
    repeated: bool = False


def _grant_on_open(
    *, case: Case, key: bytes, conversation: bytes | None, actor: User, caseworker: User | None
) -> None:
    thread = case.thread
    for person in {actor, *([caseworker] if caseworker else [])}:
        data_keys.seal_to_user(case.key, key, person, granted_by=actor)
        if thread is not None and conversation is not None:
            data_keys.seal_to_user(thread.conversation_key, conversation, person, granted_by=actor)
    if caseworker is not None:
        # Assigned: the case key leaves the hotline key, so other operators no longer read it.
        data_keys.revoke_org_wrap(case.key, WrapRecipient.HOTLINE)


def _risk_factors(triage: Triage) -> list[str]:
    factors = []
    if triage.in_danger_now:
        factors.append("in_danger_now")
    factors += [f"threatened_by_{who}" for who in triage.threatened_by]
    if triage.outed_to_family == "yes":
        factors.append("outed")
    if triage.has_internal_passport == "no":
        factors.append("documents_held")
    return factors


def _record_assessment(
    *,
    case: Case,
    key: bytes,
    urgency: int,
    factors: list[str],
    actor: User | None,
    from_triage: bool,
    at: datetime,
) -> RiskAssessment:
    due = at + first_response_window(urgency)
    assessment = RiskAssessment(
        id=uuid.uuid4(),
        case=case,
        urgency=urgency,
        response_due_at=due,
        from_triage=from_triage,
        assessed_by=actor,
        at=at,
    )
    assessment.factors = sealing.seal_row(key, case.key.version, assessment, "factors", {"factors": factors})
    assessment.save(force_insert=True)
    return assessment


@transaction.atomic
def open_case_from_thread(
    *, actor: User, user_private_key: bytes, thread: Thread, caseworker: User | None = None
) -> NewCase:
    """The thread's staff key becomes the case key: nothing is copied, nothing re-encrypted."""
    if not access.can_use_cases(actor):
        raise CaseRefused(_("Your role does not open cases."))
    thread = (
        Thread.objects.select_for_update().select_related("conversation_key", "staff_key").get(pk=thread.pk)
    )
    if existing := Case.objects.filter(thread=thread).select_related("key", "caseworker").first():
        return NewCase(case=existing, check=IdentifierCheck(), repeated=True)
    opened = thread_keys.thread_keys_for_staff(
        user=actor, user_private_key=user_private_key, thread=thread, purpose="open_case"
    )
    if opened.staff is None:
        raise data_keys.KeyLocked("the thread's staff key is not open to this person")
    thread.refresh_from_db()
    intake = thread_keys.open_json(
        opened.staff,
        bytes(thread.intake),
        model="hotline.Thread",
        row=str(thread.pk),
        field="intake",
        context=thread_keys.intake_context(thread),
    )
    triage = Triage.from_dict(intake.get("triage", {}))
    contact = " ".join([str(intake.get("contact", "")), triage.safe_contact])
    found = identifiers_in_text(contact)
    profile = Profile(
        phones=[v for k, v in found if k == "phone"],
        emails=[v for k, v in found if k == "email"],
        handles=[v for k, v in found if k == "handle"],
    )
    now = _now()
    case = Case(
        id=uuid.uuid4(),
        code=_new_code(),
        origin=Origin.HOTLINE,
        thread=thread,
        key=thread.staff_key,
        stage=Stage.INTAKE,
        urgency=thread.urgency,
        response_due_at=thread.first_response_due_at,
        region=thread.region,
        caseworker=caseworker,
        created_by=actor,
        created_at=now,
        stage_changed_at=now,
        last_contact_at=thread.last_applicant_at,
    )
    case.profile = profile_envelope(opened.staff, case, profile)
    case.save(force_insert=True)
    _record_assessment(
        case=case,
        key=opened.staff,
        urgency=thread.urgency,
        factors=_risk_factors(triage),
        actor=actor,
        from_triage=True,
        at=now,
    )
    StageChange.objects.create(
        case=case, from_stage="", to_stage=Stage.INTAKE, reason="progress", actor=actor, at=now
    )
    _grant_on_open(
        case=case, key=opened.staff, conversation=opened.conversation, actor=actor, caseworker=caseworker
    )
    hotline.mark_case_opened(actor=actor, thread=thread)
    record_event(
        action="cases.case_opened",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"origin": Origin.HOTLINE.value, "thread": str(thread.pk)},
    )
    check = refresh_identifiers(user=actor, user_private_key=user_private_key, case=case, profile=profile)
    return NewCase(case=case, check=check)


def _submission_owner(token: str) -> str:
    return f"cases.Case:new:{token}"


@transaction.atomic
def open_case_directly(
    *,
    actor: User,
    user_private_key: bytes,
    origin: str,
    profile: Profile,
    region: str,
    urgency: int,
    factors: list[str],
    caseworker: User | None = None,
    submission: str = "",
) -> NewCase:
    """A case for a person referred by a partner or met in person: a new case key.

    `submission` is the form's one-time token: sending the same form again shows the
    case it created and creates nothing.
    """
    if not any(actor.has_role(role) for role in access.OPEN_ROLES):
        raise CaseRefused(_("Your role does not open cases directly."))
    if origin not in (Origin.PARTNER, Origin.IN_PERSON):
        raise CaseRefused(_("Choose how the person reached you."))
    if submission and not receipts.well_formed(submission):
        raise CaseRefused(_("The form has expired. Please fill it in again."))
    if submission:
        earlier = data_keys.DataKey.objects.filter(owner=_submission_owner(submission)).first()
        if earlier is not None:
            case = Case.objects.filter(key=earlier).select_related("key", "caseworker").first()
            if case is not None:
                return NewCase(case=case, check=IdentifierCheck(), repeated=True)
    case_id = uuid.uuid4()
    # The owner bound into the key's commitments; a token-derived owner makes a repeated
    # form find the case it created (the unique owner refuses a double tap's twin).
    owner = _submission_owner(submission) if submission else f"cases.Case:{case_id}"
    try:
        with transaction.atomic():
            key_row, key = data_keys.new_data_key(owner=owner, purpose=KeyPurpose.CASE)
    except IntegrityError:
        earlier_case = Case.objects.filter(key__owner=owner).first()
        if earlier_case is None:
            raise
        return NewCase(case=earlier_case, check=IdentifierCheck(), repeated=True)
    now = _now()
    case = Case(
        id=case_id,
        code=_new_code(),
        origin=origin,
        key=key_row,
        stage=Stage.INTAKE,
        urgency=urgency,
        region=region,
        caseworker=caseworker,
        created_by=actor,
        created_at=now,
        stage_changed_at=now,
        last_contact_at=now,
    )
    case.profile = profile_envelope(key, case, profile)
    assessment_due = now + first_response_window(urgency)
    case.response_due_at = assessment_due
    case.save(force_insert=True)
    orgs = [WrapRecipient.RECOVERY] if caseworker else [WrapRecipient.HOTLINE, WrapRecipient.RECOVERY]
    data_keys.seal_to_org(key_row, key, orgs)
    _grant_on_open(case=case, key=key, conversation=None, actor=actor, caseworker=caseworker)
    _record_assessment(
        case=case, key=key, urgency=urgency, factors=factors, actor=actor, from_triage=False, at=now
    )
    StageChange.objects.create(
        case=case, from_stage="", to_stage=Stage.INTAKE, reason="progress", actor=actor, at=now
    )
    record_event(
        action="cases.case_opened",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"origin": origin},
    )
    check = refresh_identifiers(user=actor, user_private_key=user_private_key, case=case, profile=profile)
    return NewCase(case=case, check=check)


def urgency_from_factors(factors: list[str]) -> int:
    """The triage rule applied to a re-assessment's factors."""
    return int(
        urgency_for(
            Triage(
                in_danger_now="in_danger_now" in factors or "detained_now" in factors,
                threatened_by=[
                    f.removeprefix("threatened_by_") for f in factors if f.startswith("threatened_by_")
                ],
                outed_to_family="yes" if "outed" in factors else "no",
            )
        )
    )


# --- the record -----------------------------------------------------------------------


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("key", "thread", "caseworker")
        .get(pk=case.pk)
    )


@transaction.atomic
def update_profile(
    *, actor: User, user_private_key: bytes, case: Case, profile: Profile, region: str | None = None
) -> IdentifierCheck:
    """Save the profile (and, if given, the coarse region); the identifiers are checked again."""
    if region is not None and region not in {code for code, _label in REGIONS}:
        raise CaseRefused(_("Choose one of the regions in the list."))
    case = _locked(case)
    key = open_case_key(user=actor, user_private_key=user_private_key, case=case, purpose="profile")
    case.profile = profile_envelope(key, case, profile)
    fields = ["profile"]
    if region is not None:
        case.region = region
        fields.append("region")
    case.save(update_fields=fields)
    record_event(action="cases.profile_changed", actor_id=actor.pk, target_type="case", target_id=case.pk)
    return refresh_identifiers(user=actor, user_private_key=user_private_key, case=case, profile=profile)


@transaction.atomic
def add_case_note(*, actor: User, user_private_key: bytes, case: Case, text: str) -> CaseNote:
    text = clean_text(text, required=True)
    key = open_case_key(user=actor, user_private_key=user_private_key, case=case, purpose="note")
    note = CaseNote(id=uuid.uuid4(), case=case, author=actor, at=_now())
    note.body = sealing.seal_text(key, case.key.version, note, "body", text)
    note.save(force_insert=True)
    record_event(
        action="cases.note_added",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"note": str(note.pk)},
    )
    return note


@transaction.atomic
def log_contact(
    *, actor: User, user_private_key: bytes, case: Case, channel: str, text: str = ""
) -> ContactLog:
    """Staff were in touch with the person: a sign of life (resets lost-contact detection)."""
    from corridor.cases.models import ContactChannel

    if channel not in ContactChannel.values:
        raise CaseRefused(_("Choose how you were in touch."))
    text = clean_text(text, required=False)
    now = _now()
    entry = ContactLog(id=uuid.uuid4(), case=case, channel=channel, logged_by=actor, at=now)
    entry.note = seal_case_text(
        actor=actor,
        user_private_key=user_private_key,
        case=case,
        row=entry,
        field="note",
        text=text,
        purpose="contact",
    )
    entry.save(force_insert=True)
    Case.objects.filter(pk=case.pk, last_contact_at__lt=now).update(last_contact_at=now)
    record_event(
        action="cases.contact_logged",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"channel": channel},
    )
    return entry


@transaction.atomic
def reassess_risk(
    *, actor: User, user_private_key: bytes, case: Case, factors: list[str], urgency: int | None = None
) -> RiskAssessment:
    """A new assessment: the urgency follows the factors (or the one chosen), and so does the deadline."""
    case = _locked(case)
    chosen = urgency if urgency is not None else urgency_from_factors(factors)
    if chosen not in settings.CORRIDOR_FIRST_RESPONSE_MINUTES:
        raise CaseRefused(_("Choose an urgency from the list."))
    key = open_case_key(user=actor, user_private_key=user_private_key, case=case, purpose="risk")
    now = _now()
    assessment = _record_assessment(
        case=case, key=key, urgency=chosen, factors=factors, actor=actor, from_triage=False, at=now
    )
    Case.objects.filter(pk=case.pk).update(urgency=chosen, response_due_at=assessment.response_due_at)
    record_event(
        action="cases.risk_assessed",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"urgency": chosen, "from": case.urgency},
    )
    return assessment


@transaction.atomic
def assign_caseworker(*, actor: User, user_private_key: bytes, case: Case, caseworker: User) -> bool:
    """Make a colleague the case's caseworker: they get the key (if they lack it) and the hotline
    key's wrap goes, so operators no longer read the case. False if nothing changed."""
    from corridor.cases import grants

    case = _locked(case)
    if case.caseworker_id == caseworker.pk:
        return False
    if not caseworker.has_role(Role.CASEWORKER) and not caseworker.has_role(Role.COORDINATOR):
        raise CaseRefused(_("A caseworker or a coordinator can be assigned."))
    before = case.caseworker_id
    Case.objects.filter(pk=case.pk).update(caseworker=caseworker)
    case.caseworker = caseworker
    grants.grant_case_access(actor=actor, user_private_key=user_private_key, case=case, grantee=caseworker)
    data_keys.revoke_org_wrap(case.key, WrapRecipient.HOTLINE)
    record_event(
        action="cases.caseworker_assigned",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"from": str(before or ""), "to": str(caseworker.pk)},
    )
    return True
