"""Pathways abroad, their milestones and outcomes, and the person's consents to partners.

Every write opens the case key (audited by cases.services.open_case_key) only when it has
text or a date to seal, seals under it through corridor.cases.sealing, and is audited
with codes and ids only.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from corridor.accounts.models import Role, User
from corridor.audit.services import record_event
from corridor.cases import sealing
from corridor.cases.models import Case, Stage
from corridor.cases.services import CaseRefused, clean_text, open_case_key, seal_case_text
from corridor.evacuation.relocation.countries import COUNTRIES
from corridor.evacuation.relocation.models import (
    Consent,
    ConsentChannel,
    Milestone,
    MilestoneKind,
    Partner,
    Pathway,
    PathwayKind,
    PathwayOutcome,
)

MAX_NOTE = 5000


def _now() -> datetime:
    return datetime.now(UTC)


def clean_note(text: str, *, required: bool = False) -> str:
    text = clean_text(text, required=required)
    if len(text) > MAX_NOTE:
        raise CaseRefused(_("The note is too long."))
    return text


def require_relocation_role(actor: User) -> None:
    if not (actor.has_role(Role.CASEWORKER) or actor.has_role(Role.COORDINATOR)):
        raise CaseRefused(_("Relocation is handled by caseworkers and coordinators."))


def require_open_case(case: Case) -> None:
    if case.stage == Stage.CLOSED:
        raise CaseRefused(_("The case is closed."))


def _check_partner(partner: Partner | None) -> None:
    if partner is not None and not partner.active:
        raise CaseRefused(_("This partner organisation is no longer active."))


# --- pathways -------------------------------------------------------------------------


@transaction.atomic
def add_pathway(
    *,
    actor: User,
    user_private_key: bytes,
    case: Case,
    kind: str,
    destination: str,
    partner: Partner | None = None,
    note: str = "",
) -> Pathway:
    """Start a pathway; several may run at once (a visa application and a resettlement referral)."""
    require_relocation_role(actor)
    require_open_case(case)
    if kind not in PathwayKind.values:
        raise CaseRefused(_("Choose the kind of pathway."))
    if destination not in COUNTRIES:
        raise CaseRefused(_("Choose a country from the list."))
    _check_partner(partner)
    note = clean_note(note)
    pathway = Pathway(
        id=uuid.uuid4(),
        case=case,
        kind=kind,
        destination=destination,
        partner=partner,
        created_by=actor,
        created_at=_now(),
    )
    pathway.note = seal_case_text(
        actor=actor,
        user_private_key=user_private_key,
        case=case,
        row=pathway,
        field="note",
        text=note,
        purpose="pathway",
    )
    pathway.save(force_insert=True)
    record_event(
        action="relocation.pathway_added",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"pathway": str(pathway.pk), "kind": kind, "destination": destination},
    )
    return pathway


def _open_pathway(case: Case, pathway: Pathway) -> Pathway:
    locked = Pathway.objects.select_for_update().filter(pk=pathway.pk, case=case).first()
    if locked is None:
        raise CaseRefused(_("This pathway is not on this case."))
    if locked.outcome:
        raise CaseRefused(_("This pathway is closed."))
    return locked


@transaction.atomic
def record_milestone(
    *,
    actor: User,
    user_private_key: bytes,
    case: Case,
    pathway: Pathway,
    kind: str,
    on: date,
    note: str = "",
) -> Milestone:
    """A step reached (or booked: an interview's date may be ahead); recording a kind again supersedes it."""
    require_relocation_role(actor)
    require_open_case(case)
    if kind not in MilestoneKind.values:
        raise CaseRefused(_("Choose the milestone."))
    pathway = _open_pathway(case, pathway)
    note = clean_note(note)
    key = open_case_key(user=actor, user_private_key=user_private_key, case=case, purpose="milestone")
    milestone = Milestone(
        id=uuid.uuid4(), case=case, pathway=pathway, kind=kind, recorded_by=actor, recorded_at=_now()
    )
    milestone.body = sealing.seal_row(
        key, case.key.version, milestone, "body", {"date": on.isoformat(), "note": note}
    )
    milestone.save(force_insert=True)
    record_event(
        action="relocation.milestone_recorded",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"pathway": str(pathway.pk), "milestone": kind},
    )
    return milestone


@transaction.atomic
def close_pathway(
    *, actor: User, user_private_key: bytes, case: Case, pathway: Pathway, outcome: str, note: str = ""
) -> Pathway:
    """A pathway ends with an outcome (a code, for statistics); the case goes on with the others."""
    require_relocation_role(actor)
    if outcome not in PathwayOutcome.values:
        raise CaseRefused(_("Choose how the pathway ended."))
    pathway = _open_pathway(case, pathway)
    note = clean_note(note)
    pathway.outcome, pathway.closed_by, pathway.closed_at = outcome, actor, _now()
    pathway.outcome_note = seal_case_text(
        actor=actor,
        user_private_key=user_private_key,
        case=case,
        row=pathway,
        field="outcome_note",
        text=note,
        purpose="pathway",
    )
    pathway.save(update_fields=["outcome", "closed_by", "closed_at", "outcome_note"])
    record_event(
        action="relocation.pathway_closed",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"pathway": str(pathway.pk), "outcome": outcome},
    )
    return pathway


# --- consent --------------------------------------------------------------------------


def standing_consent(case: Case, partner: Partner) -> Consent | None:
    """The person's consent to this partner, if given and not withdrawn."""
    return Consent.objects.filter(case=case, partner=partner, withdrawn_at__isnull=True).first()


@transaction.atomic
def record_consent(
    *,
    actor: User,
    user_private_key: bytes,
    case: Case,
    partner: Partner,
    given_on: date,
    channel: str,
    note: str = "",
) -> Consent:
    """The person agreed, on that day and that way, that their details may go to this partner."""
    require_relocation_role(actor)
    require_open_case(case)
    _check_partner(partner)
    if channel not in ConsentChannel.values:
        raise CaseRefused(_("Choose how the person gave their consent."))
    if given_on > _now().date():
        raise CaseRefused(_("Consent cannot be given in the future."))
    if standing_consent(case, partner) is not None:
        raise CaseRefused(_("The person's consent to this partner is already recorded."))
    note = clean_note(note)
    consent = Consent(
        id=uuid.uuid4(),
        case=case,
        partner=partner,
        given_on=given_on,
        channel=channel,
        recorded_by=actor,
        recorded_at=_now(),
    )
    consent.note = seal_case_text(
        actor=actor,
        user_private_key=user_private_key,
        case=case,
        row=consent,
        field="note",
        text=note,
        purpose="consent",
    )
    try:
        with transaction.atomic():
            consent.save(force_insert=True)
    except IntegrityError:
        raise CaseRefused(_("The person's consent to this partner is already recorded.")) from None
    record_event(
        action="relocation.consent_recorded",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"consent": str(consent.pk), "partner": str(partner.pk), "channel": channel},
    )
    return consent


@transaction.atomic
def withdraw_consent(
    *, actor: User, user_private_key: bytes, case: Case, consent: Consent, note: str = ""
) -> Consent:
    """The person took their consent back: no referral to this partner is prepared, signed or
    downloaded from now on (a new consent must be recorded first)."""
    require_relocation_role(actor)
    locked = Consent.objects.select_for_update().filter(pk=consent.pk, case=case).first()
    if locked is None:
        raise CaseRefused(_("This consent is not on this case."))
    consent = locked
    if consent.withdrawn_at is not None:
        raise CaseRefused(_("This consent was already withdrawn."))
    note = clean_note(note)
    consent.withdrawn_by, consent.withdrawn_at = actor, _now()
    consent.withdrawal_note = seal_case_text(
        actor=actor,
        user_private_key=user_private_key,
        case=case,
        row=consent,
        field="withdrawal_note",
        text=note,
        purpose="consent",
    )
    consent.save(update_fields=["withdrawn_by", "withdrawn_at", "withdrawal_note"])
    record_event(
        action="relocation.consent_withdrawn",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"consent": str(consent.pk), "partner": str(consent.partner_id)},
    )
    return consent
