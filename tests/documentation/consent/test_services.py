"""Recording and withdrawing consent: checked first, sealed, audited; history never lost."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.crypto.errors import CryptoError
from corridor.documentation.consent import reading, sealing
from corridor.documentation.consent.models import Consent, Withdrawal
from corridor.documentation.keys import open_collection_key
from corridor.documentation.services import DocumentationRefused
from corridor.evacuation.relocation.models import Partner
from tests.documentation.consent.conftest import World
from tests.documentation.consent.helpers import consent, withdraw
from tests.hotline.helpers import private_key

pytestmark = pytest.mark.django_db
NOW = datetime(2018, 6, 1, 10, tzinfo=UTC)


def test_a_consent_is_sealed_audited_and_withdrawn_without_losing_it(dora: User, world: World) -> None:
    with time_machine.travel(NOW, tick=False):
        given = consent(dora, world.zelim, "mechanism", mechanism="echr", notes="Signed form in the safe.")
        withdrawal = withdraw(dora, given, on=date(2018, 5, 30), note="Asked by phone.")
    assert given.collection == world.collection
    assert b"Signed form" not in bytes(given.sealed)
    key = open_collection_key(
        user=dora, user_private_key=private_key(dora), collection=world.collection, purpose="test"
    )
    [shown] = reading.consent_views(key, reading.consents_of(person=world.zelim))
    assert shown.notes == "Signed form in the safe."
    assert shown.withdrawal_note == "Asked by phone."
    assert not shown.standing
    assert withdrawal.recorded_by == dora
    recorded = AuditEvent.objects.get(action="consent.recorded")
    assert recorded.data == {
        "consent": str(given.pk),
        "scope": "mechanism",
        "partner": "",
        "mechanism": "echr",
        "method": "written",
    }
    assert AuditEvent.objects.get(action="consent.withdrawn").data["consent"] == str(given.pk)
    # A new consent for the same scope can follow; the withdrawn one stays beside it.
    with time_machine.travel(NOW, tick=False):
        consent(dora, world.zelim, "mechanism", mechanism="echr", given_on=date(2018, 6, 1))
    assert Consent.objects.filter(person=world.zelim).count() == 2
    assert Withdrawal.objects.count() == 1


def test_the_envelope_binds_what_was_consented_to(dora: User, world: World) -> None:
    given = consent(dora, world.adam_says, "internal", notes="Oral, on the recording at 12:40.")
    key = open_collection_key(
        user=dora, user_private_key=private_key(dora), collection=world.collection, purpose="test"
    )
    assert sealing.open_sealed(key, given, "sealed") == {"notes": "Oral, on the recording at 12:40."}
    for change in ({"scope": "media"}, {"information": world.zelim_says}, {"method": "hotline"}):
        moved = Consent.objects.get(pk=given.pk)
        for name, value in change.items():
            setattr(moved, name, value)
        with pytest.raises(CryptoError):
            sealing.open_sealed(key, moved, "sealed")


@pytest.mark.parametrize(
    ("scope", "partner", "mechanism", "given_on", "method", "notes"),
    [
        ("nowhere", False, "", date(2017, 1, 1), "written", ""),
        ("internal", False, "", date(2017, 1, 1), "by pigeon", ""),
        ("partner", False, "", date(2017, 1, 1), "written", ""),
        ("internal", True, "", date(2017, 1, 1), "written", ""),
        ("mechanism", False, "other", date(2017, 1, 1), "written", ""),
        ("mechanism", False, "", date(2017, 1, 1), "written", ""),
        ("media", False, "un", date(2017, 1, 1), "written", ""),
        ("internal", False, "", date(2031, 1, 1), "written", ""),
        ("internal", False, "", date(1900, 1, 1), "written", ""),
        ("internal", False, "", date(2017, 1, 1), "written", "nul\x00byte"),
        ("internal", False, "", date(2017, 1, 1), "written", "x" * 5000),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(
    dora: User,
    world: World,
    partners: tuple[Partner, Partner],
    scope: str,
    partner: bool,
    mechanism: str,
    given_on: date,
    method: str,
    notes: str,
) -> None:
    with pytest.raises(DocumentationRefused):
        consent(
            dora,
            world.adam,
            scope,
            partner=partners[0] if partner else None,
            mechanism=mechanism,
            given_on=given_on,
            method=method,
            notes=notes,
        )
    assert not Consent.objects.exists()
    assert not AuditEvent.objects.filter(action="consent.recorded").exists()


def test_one_standing_consent_per_scope_and_withdrawals_in_order(
    dora: User, alice: User, world: World, partners: tuple[Partner, Partner]
) -> None:
    haven, shelter = partners
    given = consent(dora, world.adam, "partner", partner=haven)
    consent(dora, world.adam, "partner", partner=shelter)  # another partner: another consent
    with pytest.raises(DocumentationRefused):
        consent(dora, world.adam, "partner", partner=haven)
    with pytest.raises(DocumentationRefused):
        withdraw(dora, given, on=date(2017, 5, 1))  # before it was given
    with pytest.raises(DocumentationRefused):
        withdraw(dora, given, on=date(2031, 5, 1))  # in the future
    with pytest.raises(DocumentationRefused):
        withdraw(alice, given, on=date(2018, 5, 1))  # not a documenter
    with pytest.raises(DocumentationRefused):
        consent(alice, world.adam, "internal")
    assert not Withdrawal.objects.exists()
    withdraw(dora, given, on=date(2018, 5, 1))
    with pytest.raises(DocumentationRefused):
        withdraw(dora, given, on=date(2018, 5, 2))
    assert Withdrawal.objects.count() == 1
