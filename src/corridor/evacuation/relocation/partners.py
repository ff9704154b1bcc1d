"""Partner organisations: adding one with its authenticated public key, deactivating it.

A partner's public key is sealed to only after two checks a database write cannot pass:
when it is added, the coordinator types the fingerprint the partner read out to them
over another channel, and it must match the key; from then on the row carries a MAC
under the integrity key (held in configuration) over its id, name, country and key,
checked before every use.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from corridor.accounts.integrity import IntegrityFailure, integrity_key
from corridor.accounts.models import Role, User
from corridor.audit.services import record_event
from corridor.cases.services import CaseRefused, clean_text
from corridor.crypto import keys, referral
from corridor.crypto.integrity import row_tag, row_tag_ok
from corridor.evacuation.relocation.countries import COUNTRIES
from corridor.evacuation.relocation.models import Partner

PARTNER_LABEL = "corridor.partner.v1"
MAX_NAME = 120


def _now() -> datetime:
    return datetime.now(UTC)


def _tag(partner: Partner) -> bytes:
    return row_tag(
        integrity_key(),
        PARTNER_LABEL,
        str(partner.pk),
        partner.name,
        partner.country,
        bytes(partner.public_key),
    )


def partner_ok(partner: Partner) -> bool:
    return row_tag_ok(
        integrity_key(),
        bytes(partner.integrity),
        PARTNER_LABEL,
        str(partner.pk),
        partner.name,
        partner.country,
        bytes(partner.public_key),
    )


def partner_public_key(partner: Partner) -> bytes:
    """The partner's key, only if its row is as Corridor wrote it; else IntegrityFailure, which a
    request answers with a 503 and audits (corridor.accounts.middleware), never working around it."""
    if not partner_ok(partner):
        raise IntegrityFailure("partner_key", str(partner.pk))
    return bytes(partner.public_key)


def fingerprint_hex(partner: Partner) -> str:
    return keys.fingerprint(bytes(partner.public_key)).hex()


def _require_coordinator(actor: User) -> None:
    if not actor.has_role(Role.COORDINATOR):
        raise CaseRefused(_("Only a coordinator manages partner organisations."))


@transaction.atomic
def add_partner(*, actor: User, name: str, country: str, public_key: str, fingerprint: str) -> Partner:
    """A coordinator adds a partner whose key matches the fingerprint the partner gave them."""
    _require_coordinator(actor)
    name = clean_text(name, required=True)
    if "\n" in name or len(name) > MAX_NAME:
        raise CaseRefused(_("Give the organisation's name on one line, at most 120 characters."))
    if country not in COUNTRIES:
        raise CaseRefused(_("Choose a country from the list."))
    try:
        public = referral.decode_public(public_key)
    except ValueError:
        raise CaseRefused(
            _("This is not a partner key: it starts with corridor-partner-v1: and comes from their key tool.")
        ) from None
    if not referral.key_matches_fingerprint(public, fingerprint):
        raise CaseRefused(
            _(
                "The fingerprint does not match this key. Ask the partner to read it again over "
                "another channel; do not add the key until they match."
            )
        )
    partner = Partner(
        id=uuid.uuid4(), name=name, country=country, public_key=public, added_by=actor, added_at=_now()
    )
    partner.integrity = _tag(partner)
    try:
        with transaction.atomic():
            partner.save(force_insert=True)
    except IntegrityError:
        raise CaseRefused(_("This key already belongs to a partner.")) from None
    record_event(
        action="relocation.partner_added",
        actor_id=actor.pk,
        target_type="partner",
        target_id=partner.pk,
        data={"country": country, "fingerprint": fingerprint_hex(partner)},
    )
    return partner


@transaction.atomic
def deactivate_partner(*, actor: User, partner: Partner) -> bool:
    """No new consent or referral goes to a deactivated partner; False if it already was."""
    _require_coordinator(actor)
    updated = Partner.objects.filter(pk=partner.pk, active=True).update(
        active=False, deactivated_by=actor, deactivated_at=_now()
    )
    if updated:
        record_event(
            action="relocation.partner_deactivated",
            actor_id=actor.pk,
            target_type="partner",
            target_id=partner.pk,
        )
    return bool(updated)


def active_partners() -> list[Partner]:
    return list(Partner.objects.filter(active=True).order_by("name"))
