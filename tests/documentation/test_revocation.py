"""Taking a collection back from a documenter, with and without re-keying: the documenter loses it, a
copy of the old key opens nothing after a re-key, everyone else still reads everything; refusals change
nothing; other collections are a 404, other roles a 403."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import keys as data_keys
from corridor.cases.models import DataKeyWrap
from corridor.crypto.errors import CryptoError
from corridor.documentation import corrections, interventions, persons, revocation, sealing, services
from corridor.documentation.models import Collection, Event
from tests.documentation.helpers import act, collection, event, site
from tests.hotline.helpers import private_key

pytestmark = pytest.mark.django_db
SignedIn = Callable[[User], Client]


def _shared(dora: User, dan: User) -> tuple[Collection, Event]:
    made = collection(dora)
    services.grant_collection(actor=dora, user_private_key=private_key(dora), collection=made, grantee=dan)
    recorded = event(dora, made, title="Argun, March", description="Held two days.", site=site())
    ruslan = persons.add_person(
        actor=dora,
        user_private_key=private_key(dora),
        collection=made,
        identity=persons.Identity(name="Ruslan Akhmadov", phone="+7 900 000 00 00"),
    )
    act(dora, recorded, victim="", victim_person=ruslan.code, notes="Beaten.")
    source = persons.add_source(
        actor=dora, user_private_key=private_key(dora), collection=made, kind="media", description="A paper"
    )
    persons.add_information(
        actor=dora,
        user_private_key=private_key(dora),
        event=recorded,
        data=persons.InformationInput(
            source_code=source.code,
            connection="010200000000",
            reliability="B",
            credibility=2,
            statement="Six men.",
        ),
    )
    interventions.add_intervention(
        actor=dora,
        user_private_key=private_key(dora),
        event=recorded,
        data=interventions.InterventionInput(
            intervention_type="020100000000",
            body="investigative_committee",
            date="2017-05",
            reference="No. 12/17",
        ),
    )
    corrections.correct_event(
        actor=dora,
        user_private_key=private_key(dora),
        event=recorded,
        title="Argun, March 2017",
        description="Held three days.",
        reason="Second call",
    )
    return made, recorded


def test_taking_a_collection_back_with_a_new_key(dora: User, dan: User, signed_in: SignedIn) -> None:
    made, recorded = _shared(dora, dan)
    old_key = data_keys.StaffOpener(user=dan, user_private_key=private_key(dan)).open(made.key)
    client = signed_in(dora)
    url = reverse("documentation:collection_revoke", kwargs={"collection_id": made.pk, "user_id": dan.pk})
    assert client.get(url).status_code == 405

    assert client.post(url, {"rekey": "yes"}).status_code == 302
    made.refresh_from_db()
    made.key.refresh_from_db()
    assert made.key.version == 2
    assert not DataKeyWrap.objects.filter(key=made.key, user=dan).exists()
    assert not DataKeyWrap.objects.filter(key=made.key, version=1).exists()
    audit = AuditEvent.objects.get(action="documentation.collection_revoked")
    assert audit.data["rekeyed"] is True
    assert audit.data["rows"] == 9  # every non-empty sealed field of the collection
    assert (
        signed_in(dan).get(reverse("documentation:event", kwargs={"event_id": recorded.pk})).status_code
        == 404
    )
    # The old key, copied before, opens nothing any more.
    with pytest.raises(CryptoError):
        sealing.open_text(old_key, Event.objects.get(pk=recorded.pk), "title")
    # Dora still reads everything, earlier versions included.
    page = client.get(reverse("documentation:event", kwargs={"event_id": recorded.pk})).content.decode()
    for text in (
        "Argun, March 2017",
        "Held three days.",
        "Ruslan Akhmadov",
        "Beaten.",
        "Six men.",
        "No. 12/17",
    ):
        assert text in page
    versions = client.get(reverse("documentation:event_correct", kwargs={"event_id": recorded.pk}))
    assert "Second call" in versions.content.decode()


def test_taking_a_collection_back_without_a_new_key(dora: User, dan: User, signed_in: SignedIn) -> None:
    made = collection(dora)
    services.grant_collection(actor=dora, user_private_key=private_key(dora), collection=made, grantee=dan)
    url = reverse("documentation:collection_revoke", kwargs={"collection_id": made.pk, "user_id": dan.pk})
    collections_page = signed_in(dora).get(reverse("documentation:collections")).content.decode()
    assert url in collections_page
    assert signed_in(dora).post(url).status_code == 302
    made.key.refresh_from_db()
    assert made.key.version == 1
    assert [u.username for u in revocation.holders(made)] == ["dora"]
    assert AuditEvent.objects.get(action="documentation.collection_revoked").data == {
        "user": str(dan.pk),
        "rekeyed": False,
    }


def test_the_last_holder_is_not_removed(dora: User, signed_in: SignedIn) -> None:
    made = collection(dora)
    url = reverse("documentation:collection_revoke", kwargs={"collection_id": made.pk, "user_id": dora.pk})
    response = signed_in(dora).post(url, {"rekey": "yes"})
    assert response.status_code == 400
    assert "nobody else holds it" in response.content.decode()
    made.key.refresh_from_db()
    assert made.key.version == 1
    assert [u.username for u in revocation.holders(made)] == ["dora"]


def test_who_may_take_a_collection_back(
    dora: User, dan: User, alice: User, carol: User, dave: User, judy: User, signed_in: SignedIn
) -> None:
    made = collection(dora)
    other = collection(dan, "Dan's own")
    services.grant_collection(actor=dora, user_private_key=private_key(dora), collection=made, grantee=dan)
    url = reverse("documentation:collection_revoke", kwargs={"collection_id": other.pk, "user_id": dan.pk})
    assert signed_in(dora).post(url).status_code == 404  # not hers
    stranger = reverse(
        "documentation:collection_revoke", kwargs={"collection_id": made.pk, "user_id": alice.pk}
    )
    assert signed_in(dora).post(stranger).status_code == 404  # not a holder
    mine = reverse("documentation:collection_revoke", kwargs={"collection_id": made.pk, "user_id": dan.pk})
    for user in (alice, carol, dave, judy):
        assert signed_in(user).post(mine, {"rekey": "yes"}).status_code == 403
    assert len(revocation.holders(made)) == 2

    # A coordinator or an administrator holds no collection key: they take it back, never re-key.
    with pytest.raises(services.DocumentationRefused):
        revocation.revoke_collection(
            actor=carol, user_private_key=private_key(carol), collection=made, user=dan, rekey=True
        )
    with pytest.raises(services.DocumentationRefused):
        revocation.revoke_collection(actor=alice, user_private_key=None, collection=made, user=dan)
    assert revocation.revoke_collection(actor=dave, user_private_key=None, collection=made, user=dan) == 0
    assert [u.username for u in revocation.holders(made)] == ["dora"]
