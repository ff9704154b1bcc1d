"""What consent pages show: the consents of a person or a statement, their notes decrypted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

from corridor.documentation.consent import sealing
from corridor.documentation.consent.models import Consent, Withdrawal
from corridor.documentation.models import Body


@dataclass
class ConsentView:
    consent: Consent
    notes: str
    withdrawal: Withdrawal | None
    withdrawal_note: str

    @property
    def standing(self) -> bool:
        return self.withdrawal is None


def consents_of(*, person: Any = None, information: Any = None) -> QuerySet[Consent]:
    """The consents of a person or a statement, in the order they were given (plain columns only)."""
    about = {"person": person} if person is not None else {"information": information}
    return (
        Consent.objects.filter(**about)
        .select_related("partner", "withdrawal", "withdrawal__recorded_by", "recorded_by")
        .order_by("given_on", "recorded_at")
    )


def _withdrawal(consent: Consent) -> Withdrawal | None:
    try:
        return consent.withdrawal
    except Withdrawal.DoesNotExist:
        return None


def consent_views(key: bytes, consents: QuerySet[Consent]) -> list[ConsentView]:
    """Each consent with its note and its withdrawal's note, under a collection key already opened."""
    views = []
    for consent in consents:
        withdrawal = _withdrawal(consent)
        views.append(
            ConsentView(
                consent=consent,
                notes=str(sealing.open_sealed(key, consent, "sealed").get("notes", "")),
                withdrawal=withdrawal,
                withdrawal_note=str(sealing.open_sealed(key, withdrawal, "note").get("text", ""))
                if withdrawal
                else "",
            )
        )
    return views


@dataclass
class Summary:
    """What a list shows of one person's or statement's consents without decrypting anything."""

    standing: list[Consent]
    withdrawn: int


def summary(consents: list[Consent]) -> Summary:
    standing = [c for c in consents if _withdrawal(c) is None]
    return Summary(standing=standing, withdrawn=len(consents) - len(standing))


def scope_label(consent: Consent) -> str:
    """The scope, or the partner or mechanism it names (which says the scope too)."""
    if consent.partner is not None:
        return f"{gettext('Partner organisation')}: {consent.partner.name}"
    if consent.mechanism:
        return f"{gettext('Mechanism')}: {Body(consent.mechanism).label}"
    return str(consent.get_scope_display())
