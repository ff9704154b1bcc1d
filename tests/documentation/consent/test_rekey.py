"""A collection with consents and withdrawals is re-keyed with them: every consent and withdrawal opens
with the new key, exports still honour the withdrawal, a copy of the old key opens nothing; when a
kind of row is not registered for re-keying, the re-key is refused and nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import keys as data_keys
from corridor.crypto.errors import CryptoError
from corridor.documentation import revocation, services
from corridor.documentation.consent import sealing
from corridor.documentation.consent.models import Consent, Withdrawal
from corridor.documentation.models import Event
from tests.documentation.consent.conftest import World
from tests.documentation.consent.helpers import both, export, statements, withdraw
from tests.hotline.helpers import private_key

pytestmark = pytest.mark.django_db
SignedIn = Callable[[User], Client]

ADAM_MASKED = "I saw them take […] into the yard."
NOTE = "He called the hotline: he fears for his mother."


def _consented(dora: User, dan: User, world: World) -> bytes:
    """Consents of Zelim and Adam to the UN, Zelim's withdrawn; dan holds the collection. The key dan held."""
    services.grant_collection(
        actor=dora, user_private_key=private_key(dora), collection=world.collection, grantee=dan
    )
    both(dora, world.zelim, world.zelim_says, "mechanism", mechanism="un", notes="Signed form in the safe.")
    both(dora, world.adam, world.adam_says, "mechanism", mechanism="un")
    withdraw(dora, Consent.objects.get(person=world.zelim), on=date(2018, 3, 1), note=NOTE)
    return data_keys.StaffOpener(user=dan, user_private_key=private_key(dan)).open(world.collection.key)


def _revoke_url(world: World, user: User) -> str:
    return reverse(
        "documentation:collection_revoke", kwargs={"collection_id": world.collection.pk, "user_id": user.pk}
    )


def test_consents_and_withdrawals_are_re_keyed_with_their_collection(
    dora: User, dan: User, world: World, signed_in: SignedIn
) -> None:
    old_key = _consented(dora, dan, world)
    client = signed_in(dora)
    assert client.post(_revoke_url(world, dan), {"rekey": "yes"}).status_code == 302

    world.collection.key.refresh_from_db()
    assert world.collection.key.version == 2
    new_key = data_keys.StaffOpener(user=dora, user_private_key=private_key(dora)).open(world.collection.key)
    consents = list(Consent.objects.filter(collection=world.collection))
    assert len(consents) == 4
    for given in consents:
        assert "notes" in sealing.open_sealed(new_key, given, "sealed")
        with pytest.raises(CryptoError):
            sealing.open_sealed(old_key, given, "sealed")
    withdrawal = Withdrawal.objects.get()
    assert sealing.open_sealed(new_key, withdrawal, "note") == {"text": NOTE}
    with pytest.raises(CryptoError):
        sealing.open_sealed(old_key, withdrawal, "note")

    # The export opens every consent it relies on with the new key and still leaves Zelim out.
    after = export(dora, [Event.objects.get(pk=world.event.pk)], "mechanism", mechanism="un")
    assert statements(after) == [ADAM_MASKED]
    audited = AuditEvent.objects.filter(action="consent.exported").get()
    assert audited.data["withdrawn_left_out"] == 1
    # Dora reads the consent and the withdrawal's note on Zelim's page.
    page = client.get(reverse("consent:person", kwargs={"person_id": world.zelim.pk})).content.decode()
    assert "Signed form in the safe." in page
    assert NOTE in page


def test_a_kind_of_row_not_registered_blocks_the_re_key_and_nothing_changes(
    dora: User, dan: User, world: World, signed_in: SignedIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_key = _consented(dora, dan, world)
    # As if the consent app had not registered its rows for re-keying.
    registered = [entry for entry in revocation.REKEYED if entry.model not in (Consent, Withdrawal)]
    monkeypatch.setattr(revocation, "REKEYED", registered)
    before = {c.pk: bytes(c.sealed) for c in Consent.objects.all()}
    client = signed_in(dora)

    response = client.post(_revoke_url(world, dan), {"rekey": "yes"})
    assert response.status_code == 400
    assert "cannot be re-keyed yet (consent.Consent)" in response.content.decode()
    world.collection.key.refresh_from_db()
    assert world.collection.key.version == 1
    assert len(revocation.holders(world.collection)) == 2
    assert {c.pk: bytes(c.sealed) for c in Consent.objects.all()} == before
    for given in Consent.objects.all():
        sealing.open_sealed(old_key, given, "sealed")
    # Taking it back without a new key still goes through.
    assert client.post(_revoke_url(world, dan)).status_code == 302
    assert [u.username for u in revocation.holders(world.collection)] == ["dora"]
