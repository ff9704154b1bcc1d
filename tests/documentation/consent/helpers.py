"""Consents recorded and exports made through the services, as documenters make them."""

from __future__ import annotations

from datetime import date
from typing import Any

from corridor.accounts.models import User
from corridor.documentation.consent import exports, services
from corridor.documentation.consent.models import Consent, Withdrawal
from corridor.documentation.models import Event, Information, Person
from corridor.evacuation.relocation.models import Partner
from tests.hotline.helpers import private_key

GIVEN = date(2017, 5, 14)


def consent(
    user: User,
    about: Person | Information,
    scope: str,
    *,
    partner: Partner | None = None,
    mechanism: str = "",
    notes: str = "",
    given_on: date = GIVEN,
    method: str = "written",
) -> Consent:
    data = services.ConsentInput(
        scope=scope,
        given_on=given_on,
        method=method,
        partner=str(partner.pk) if partner else "",
        mechanism=mechanism,
        notes=notes,
    )
    if isinstance(about, Person):
        return services.record_person_consent(
            actor=user, user_private_key=private_key(user), person=about, data=data
        )
    return services.record_statement_consent(
        actor=user, user_private_key=private_key(user), information=about, data=data
    )


def both(user: User, person: Person, information: Information, scope: str, **kwargs: Any) -> None:
    consent(user, person, scope, **kwargs)
    consent(user, information, scope, **kwargs)


def withdraw(user: User, given: Consent, *, on: date, note: str = "") -> Withdrawal:
    return services.withdraw_consent(
        actor=user, user_private_key=private_key(user), consent=given, withdrawn_on=on, note=note
    )


def export(
    user: User, events: list[Event], scope: str, *, partner: Partner | None = None, mechanism: str = ""
) -> exports.Export:
    purpose = exports.check_purpose(
        scope=scope, partner=str(partner.pk) if partner else "", mechanism=mechanism
    )
    return exports.export_events(
        actor=user, user_private_key=private_key(user), events=events, purpose=purpose
    )


def statements(made: exports.Export) -> list[str]:
    return [s.get("statement", "") for e in made.document["events"] for s in e["statements"]]
