"""Every write of consent: a consent recorded for a person or a statement, a consent withdrawn.

Both check their input first, seal under the collection key (opened once, audited), write
and record an audit event in one transaction. Nothing here edits or deletes a consent: a
withdrawal is added beside it, so the history stays whole.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import transaction
from django.utils.translation import gettext as _

from corridor.accounts.models import User
from corridor.audit.services import record_event
from corridor.documentation.consent import sealing
from corridor.documentation.consent.models import MECHANISMS, Consent, Method, Scope, Withdrawal
from corridor.documentation.keys import open_collection_key
from corridor.documentation.models import Collection, Information, Person
from corridor.documentation.services import DocumentationRefused, _require_documenter, clean_text
from corridor.evacuation.relocation.models import Partner
from corridor.evacuation.relocation.partners import active_partners

MAX_NOTE = 4_000
EARLIEST = date(1990, 1, 1)


def _now() -> datetime:
    return datetime.now(UTC)


def _today() -> date:
    return _now().date()


@dataclass(frozen=True)
class ConsentInput:
    scope: str
    given_on: date
    method: str
    partner: str = ""  # a partner's id, for the partner scope
    mechanism: str = ""  # a body's code, for the mechanism scope
    notes: str = ""


def _check_date(day: date, *, after: date = EARLIEST) -> date:
    if day > _today():
        raise DocumentationRefused(_("This date is in the future."))
    if day < after:
        raise DocumentationRefused(_("This date is too early."))
    return day


def _check(data: ConsentInput) -> tuple[Partner | None, str]:
    if data.scope not in Scope.values or data.method not in Method.values:
        raise DocumentationRefused(_("Choose a value from the list."))
    partner = None
    mechanism = ""
    if data.scope == Scope.PARTNER:
        partner = next((p for p in active_partners() if str(p.pk) == data.partner), None)
        if partner is None:
            raise DocumentationRefused(_("Choose the partner organisation this consent names."))
    elif data.partner:
        raise DocumentationRefused(_("Only a consent to a partner organisation names a partner."))
    if data.scope == Scope.MECHANISM:
        if data.mechanism not in dict(MECHANISMS):
            raise DocumentationRefused(_("Choose the mechanism this consent names."))
        mechanism = data.mechanism
    elif data.mechanism:
        raise DocumentationRefused(_("Only a consent to a mechanism names a mechanism."))
    _check_date(data.given_on)
    return partner, mechanism


def _standing(query: dict[str, object], scope: str, partner: Partner | None, mechanism: str) -> bool:
    return Consent.objects.filter(
        **query, scope=scope, partner=partner, mechanism=mechanism, withdrawal__isnull=True
    ).exists()


def _record(
    *,
    actor: User,
    user_private_key: bytes,
    collection: Collection,
    person: Person | None,
    information: Information | None,
    data: ConsentInput,
) -> Consent:
    _require_documenter(actor)
    partner, mechanism = _check(data)
    notes = clean_text(data.notes, required=False, limit=MAX_NOTE)
    about: dict[str, object] = {"person": person} if person is not None else {"information": information}
    if _standing(about, data.scope, partner, mechanism):
        raise DocumentationRefused(
            _("A consent for this scope already stands. Withdraw it first to record another.")
        )
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=collection, purpose="record_consent"
    )
    consent = Consent(
        id=uuid.uuid4(),
        collection=collection,
        person=person,
        information=information,
        scope=data.scope,
        partner=partner,
        mechanism=mechanism,
        given_on=data.given_on,
        method=data.method,
        recorded_by=actor,
        recorded_at=_now(),
    )
    consent.sealed = sealing.seal(key, collection.key.version, consent, "sealed", {"notes": notes})
    consent.save(force_insert=True)
    record_event(
        action="consent.recorded",
        actor_id=actor.pk,
        target_type="person" if person is not None else "information",
        target_id=consent.person_id or consent.information_id or "",
        data={
            "consent": str(consent.pk),
            "scope": consent.scope,
            "partner": str(partner.pk) if partner else "",
            "mechanism": mechanism,
            "method": consent.method,
        },
    )
    return consent


@transaction.atomic
def record_person_consent(
    *, actor: User, user_private_key: bytes, person: Person, data: ConsentInput
) -> Consent:
    """A person's consent for one scope (it covers every statement they give, with the statement's own)."""
    return _record(
        actor=actor,
        user_private_key=user_private_key,
        collection=person.collection,
        person=person,
        information=None,
        data=data,
    )


@transaction.atomic
def record_statement_consent(
    *, actor: User, user_private_key: bytes, information: Information, data: ConsentInput
) -> Consent:
    """Consent that one statement may be used for one scope."""
    return _record(
        actor=actor,
        user_private_key=user_private_key,
        collection=information.event.collection,
        person=None,
        information=information,
        data=data,
    )


@transaction.atomic
def withdraw_consent(
    *, actor: User, user_private_key: bytes, consent: Consent, withdrawn_on: date, note: str
) -> Withdrawal:
    """The consent stops covering anything from now on; it and the withdrawal both stay on record."""
    _require_documenter(actor)
    consent = Consent.objects.select_for_update().select_related("collection__key").get(pk=consent.pk)
    if Withdrawal.objects.filter(consent=consent).exists():
        raise DocumentationRefused(_("This consent was already withdrawn."))
    _check_date(withdrawn_on, after=consent.given_on)
    note = clean_text(note, required=False, limit=MAX_NOTE)
    collection = consent.collection
    withdrawal = Withdrawal(
        id=uuid.uuid4(), consent=consent, withdrawn_on=withdrawn_on, recorded_by=actor, recorded_at=_now()
    )
    if note:
        key = open_collection_key(
            user=actor, user_private_key=user_private_key, collection=collection, purpose="withdraw_consent"
        )
        withdrawal.note = sealing.seal(key, collection.key.version, withdrawal, "note", {"text": note})
    withdrawal.save(force_insert=True)
    record_event(
        action="consent.withdrawn",
        actor_id=actor.pk,
        target_type="person" if consent.person_id else "information",
        target_id=consent.person_id or consent.information_id or "",
        data={"consent": str(consent.pk), "scope": consent.scope},
    )
    return withdrawal
