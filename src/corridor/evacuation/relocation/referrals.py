"""Referrals to partner organisations: prepared, approved, signed and sealed, downloaded.

1. A caseworker chooses the partner and the profile fields to send (nothing is sent by
   default), with the person's standing consent to that partner; this asks a coordinator
   for a partner-referral approval (corridor.cases.workflow) naming partner and fields.
2. Once a coordinator approved it, a coordinator (who holds the organisation's signing
   key) signs and seals the packet (corridor.crypto.referral) to the partner's key, which
   must pass its MAC first. The packet is stored only as an envelope under the case key.
3. Whoever holds the case downloads it, each time audited.

A withdrawn consent or a deactivated partner stops every later step.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.accounts import keyring
from corridor.accounts.models import OrgKeyKind, Role, User
from corridor.audit.services import record_event
from corridor.cases import sealing, workflow
from corridor.cases.models import Approval, ApprovalKind, ApprovalStatus, Case
from corridor.cases.services import CaseRefused, open_case_key, read_profile
from corridor.crypto import referral as packets
from corridor.evacuation.relocation.countries import country_name
from corridor.evacuation.relocation.models import Partner, Pathway, Referral
from corridor.evacuation.relocation.partners import partner_public_key
from corridor.evacuation.relocation.services import (
    clean_note,
    require_open_case,
    require_relocation_role,
    standing_consent,
)

# The profile fields a referral may carry, in the order the form offers them.
REFERRAL_FIELDS: dict[str, Promise] = {
    "names": gettext_lazy("Names"),
    "aliases": gettext_lazy("Other names"),
    "birth": gettext_lazy("Date of birth"),
    "documents": gettext_lazy("Identity documents"),
    "phones": gettext_lazy("Phone numbers"),
    "emails": gettext_lazy("E-mail addresses"),
    "handles": gettext_lazy("Messenger handles"),
    "family": gettext_lazy("Family"),
    "risk_notes": gettext_lazy("Risk notes"),
    "location": gettext_lazy("Where the person is now"),
}


def _now() -> datetime:
    return datetime.now(UTC)


def field_codes(referral: Referral) -> list[str]:
    return [code for code in referral.fields.split(",") if code]


def field_labels(codes: list[str]) -> list[str]:
    return [str(REFERRAL_FIELDS[code]) for code in codes if code in REFERRAL_FIELDS]


def _check_standing(referral: Referral) -> Partner:
    """The consent still stands and the partner is still active and authentic, or refuse."""
    consent = referral.consent
    if consent.withdrawn_at is not None or consent.partner_id != referral.partner_id:
        raise CaseRefused(_("The person withdrew their consent to this partner: nothing more is sent."))
    partner = referral.partner
    if not partner.active:
        raise CaseRefused(_("This partner organisation is no longer active."))
    return partner


@transaction.atomic
def request_referral(
    *,
    actor: User,
    user_private_key: bytes,
    case: Case,
    partner: Partner,
    fields: list[str],
    pathway: Pathway | None = None,
    message: str = "",
) -> Referral:
    """Prepare a referral and ask a coordinator to approve it."""
    require_relocation_role(actor)
    require_open_case(case)
    if not partner.active:
        raise CaseRefused(_("This partner organisation is no longer active."))
    chosen = [code for code in REFERRAL_FIELDS if code in set(fields)]
    if not chosen or len(chosen) != len(set(fields)):
        raise CaseRefused(_("Choose at least one detail to send, from the list."))
    if pathway is not None and (pathway.case_id != case.pk or pathway.outcome):
        raise CaseRefused(_("Choose an open pathway of this case."))
    if pathway is not None and pathway.partner_id not in (None, partner.pk):
        raise CaseRefused(_("This pathway goes through another partner."))
    consent = standing_consent(case, partner)
    if consent is None:
        raise CaseRefused(_("Record the person's consent to this partner first."))
    partner_public_key(partner)  # a partner row changed outside Corridor is refused now, not at signing
    message = clean_note(message)
    if Approval.objects.filter(
        case=case, kind=ApprovalKind.PARTNER_REFERRAL, cycle=case.cycle, status=ApprovalStatus.PENDING
    ).exists():
        raise CaseRefused(
            _("A partner referral is already waiting for a coordinator's decision on this case.")
        )
    summary = _("Referral to %(partner)s (%(country)s): %(fields)s.") % {
        "partner": partner.name,
        "country": country_name(partner.country),
        "fields": ", ".join(field_labels(chosen)),
    }
    approval = workflow.request_approval(
        actor=actor,
        user_private_key=user_private_key,
        case=case,
        kind=ApprovalKind.PARTNER_REFERRAL,
        note=summary,
    )
    key = open_case_key(user=actor, user_private_key=user_private_key, case=case, purpose="referral")
    referral = Referral(
        id=uuid.uuid4(),
        case=case,
        partner=partner,
        pathway=pathway,
        consent=consent,
        approval=approval,
        fields=",".join(chosen),
        requested_by=actor,
        requested_at=_now(),
    )
    referral.message = sealing.seal_text(key, case.key.version, referral, "message", message)
    referral.save(force_insert=True)
    record_event(
        action="relocation.referral_requested",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={
            "referral": str(referral.pk),
            "partner": str(partner.pk),
            "fields": chosen,
            "approval": str(approval.pk),
        },
    )
    return referral


def _payload(key: bytes, case: Case, referral: Referral) -> dict[str, Any]:
    profile = read_profile(key, case).as_dict()
    pathway = referral.pathway
    return {
        "reference": case.code,
        "partner": referral.partner.name,
        "pathway": {"kind": pathway.kind, "destination": pathway.destination} if pathway else None,
        "person": {code: profile.get(code) for code in field_codes(referral)},
        "message": sealing.open_text(key, referral, "message"),
    }


@transaction.atomic
def sign_referral(*, actor: User, user_private_key: bytes, case: Case, referral: Referral) -> Referral:
    """A coordinator signs the approved packet with the organisation's key and seals it to the partner."""
    if not actor.has_role(Role.COORDINATOR):
        raise CaseRefused(_("A coordinator signs referral packets."))
    require_open_case(case)
    locked = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("partner", "consent", "approval", "pathway")
        .filter(pk=referral.pk, case=case)
        .first()
    )
    if locked is None:
        raise CaseRefused(_("This referral is not on this case."))
    referral = locked
    if bytes(referral.packet):
        raise CaseRefused(_("This packet is already signed."))
    if referral.approval.case_id != case.pk or referral.approval.status != ApprovalStatus.APPROVED:
        raise CaseRefused(_("A coordinator must approve this referral first."))
    partner = _check_standing(referral)
    public = partner_public_key(partner)
    try:
        signing_seed = keyring.unseal_org_key(
            user=actor, user_private_key=user_private_key, kind=OrgKeyKind.SIGNING
        )
    except keyring.KeyUnavailable:
        raise CaseRefused(
            _("You do not hold the organisation's signing key: ask a colleague who does.")
        ) from None
    key = open_case_key(user=actor, user_private_key=user_private_key, case=case, purpose="referral")
    now = _now()
    packet = packets.build_packet(
        signing_seed=signing_seed,
        partner_public=public,
        packet_id=str(referral.pk),
        created_at=now.isoformat(timespec="seconds"),
        payload=_payload(key, case, referral),
    )
    referral.signed_by, referral.signed_at = actor, now
    referral.packet = sealing.seal_row(
        key, case.key.version, referral, "packet", {"packet": base64.b64encode(packet).decode()}
    )
    referral.save(update_fields=["signed_by", "signed_at", "packet"])
    record_event(
        action="relocation.referral_signed",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"referral": str(referral.pk), "partner": str(partner.pk), "fields": field_codes(referral)},
    )
    return referral


def download_packet(*, user: User, user_private_key: bytes, case: Case, referral: Referral) -> bytes:
    """The signed packet, for the partner; refused once consent is withdrawn. Audited."""
    found = Referral.objects.select_related("partner", "consent").filter(pk=referral.pk, case=case).first()
    if found is None:
        raise CaseRefused(_("This referral is not on this case."))
    referral = found
    if not bytes(referral.packet):
        raise CaseRefused(_("This packet is not signed yet."))
    partner = _check_standing(referral)
    partner_public_key(partner)
    key = open_case_key(user=user, user_private_key=user_private_key, case=case, purpose="referral_download")
    packet = base64.b64decode(sealing.open_row(key, referral, "packet")["packet"])
    record_event(
        action="relocation.packet_downloaded",
        actor_id=user.pk,
        target_type="case",
        target_id=case.pk,
        data={"referral": str(referral.pk), "partner": str(partner.pk)},
    )
    return packet
