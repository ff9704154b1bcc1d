"""Correcting a person, a statement and an intervention: the record changes, the earlier version is kept
(sealed) and shown to documenters, audited; bad input and a form sent twice change nothing more; other
collections are a 404, other roles a 403; a re-key of the collection reaches the earlier versions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import keys as data_keys
from corridor.crypto.errors import CryptoError
from corridor.documentation import corrections, interventions, persons, revocation, sealing, services
from corridor.documentation.models import (
    Collection,
    Event,
    EventRevision,
    Information,
    Intervention,
    Person,
    PersonMatch,
    PersonRevision,
)
from corridor.hotline import receipts
from tests.cases.test_case_canary import _database_images
from tests.documentation.helpers import collection, event
from tests.hotline.helpers import private_key

pytestmark = pytest.mark.django_db
SignedIn = Callable[[User], Client]

CANARY = "canary-5d1c7e0b-earlier-version"


def _person(user: User, made: Collection, name: str = "Ruslan Akhmadov", **more: str) -> Person:
    return persons.add_person(
        actor=user,
        user_private_key=private_key(user),
        collection=made,
        identity=persons.Identity(name=name, phone=more.get("phone", "")),
    )


def _statement(user: User, on: Event, text: str = "Six men.") -> Information:
    source = persons.add_source(
        actor=user,
        user_private_key=private_key(user),
        collection=on.collection,
        kind="media",
        description="A paper",
    )
    return persons.add_information(
        actor=user,
        user_private_key=private_key(user),
        event=on,
        data=persons.InformationInput(
            source_code=source.code, connection="010200000000", reliability="B", credibility=2, statement=text
        ),
    )


def _intervention(user: User, on: Event, reference: str = "No. 12/17") -> Intervention:
    return interventions.add_intervention(
        actor=user,
        user_private_key=private_key(user),
        event=on,
        data=interventions.InterventionInput(
            intervention_type="020100000000",
            body="investigative_committee",
            date="2017-05",
            reference=reference,
        ),
    )


def _person_form(**changes: str) -> dict[str, str]:
    return {
        "name": "Ruslan Akhmatov",
        "aliases": "Rusik",
        "birth": "1994",
        "phone": "",
        "notes": "",
        "reason": "His sister spelled it",
        **changes,
    }


def _statement_form(**changes: str) -> dict[str, str]:
    return {
        "connection": "010200000000",
        "reliability": "A",
        "credibility": "1",
        "date": "2017-03-12",
        "count": "7",
        "statement": "Seven men, one a minor.",
        "reason": "The full article",
        **changes,
    }


def _intervention_form(**changes: str) -> dict[str, str]:
    return {
        "intervention_type": "020100000000",
        "body": "prosecutor",
        "date": "2017-06",
        "reference": "No. 14/17",
        "notes": "Sent by registered post.",
        "reason": "The receipt came back",
        **changes,
    }


@dataclass
class Record:
    """One record of each kind, its correction page, a valid correction and where its versions are kept."""

    url: str
    form: dict[str, str]
    sealed: Callable[[], bytes]
    versions: Callable[[], int]
    purpose: str  # of the audited opening of the collection key by the correction page


def _record(kind: str, dora: User) -> Record:
    made = collection(dora)
    if kind == "person":
        person = _person(dora, made)
        return Record(
            url=reverse("documentation:person_correct", kwargs={"person_id": person.pk}),
            form=_person_form(),
            sealed=lambda: bytes(Person.objects.get(pk=person.pk).identity),
            versions=PersonRevision.objects.count,
            purpose="correct_person",
        )
    recorded = event(dora, made)
    if kind == "statement":
        info = _statement(dora, recorded)
        return Record(
            url=reverse(
                "documentation:information_correct",
                kwargs={"event_id": recorded.pk, "information_id": info.pk},
            ),
            form=_statement_form(),
            sealed=lambda: bytes(Information.objects.get(pk=info.pk).statement),
            versions=EventRevision.objects.count,
            purpose="correct_information",
        )
    done = _intervention(dora, recorded)
    return Record(
        url=reverse(
            "documentation:intervention_correct", kwargs={"event_id": recorded.pk, "intervention_id": done.pk}
        ),
        form=_intervention_form(),
        sealed=lambda: bytes(Intervention.objects.get(pk=done.pk).reference),
        versions=EventRevision.objects.count,
        purpose="correct_intervention",
    )


KINDS = ["person", "statement", "intervention"]


def test_correcting_a_person_keeps_the_earlier_version(dora: User, signed_in: SignedIn) -> None:
    made = collection(dora)
    ruslan = _person(dora, made, f"{CANARY} Ruslan", phone="+7 900 000 00 00")
    _person(dora, made, f"{CANARY} Ruslan")  # proposed as the same person, by the old name
    assert PersonMatch.objects.count() == 1
    client = signed_in(dora)
    url = reverse("documentation:person_correct", kwargs={"person_id": ruslan.pk})
    page = reverse("documentation:person", kwargs={"person_id": ruslan.pk})
    assert url in client.get(page).content.decode()
    form = client.get(url).content.decode()
    assert f"{CANARY} Ruslan" in form
    assert "+7 900 000 00 00" in form

    response = client.post(url, {**_person_form(), "submission": receipts.new_token()})
    assert response.status_code == 302
    assert response["Location"] == page
    shown = client.get(page).content.decode()
    assert "Ruslan Akhmatov" in shown
    assert "Rusik" in shown
    # The earlier version, with who replaced it and why, on the person's page.
    for text in (f"{CANARY} Ruslan", "+7 900 000 00 00", "His sister spelled it", "dora"):
        assert text in shown
    assert PersonRevision.objects.get().number == 1
    assert AuditEvent.objects.get(action="documentation.person_corrected").data == {
        "revision": 1,
        "proposed_matches": 0,
    }
    # The blind indexes follow the corrected name: the proposal by the old name is gone, and a
    # record under the new name is proposed as the same person.
    assert not PersonMatch.objects.exists()
    again = _person(dora, made, "Akhmatov Ruslan")
    assert PersonMatch.objects.filter(person__in=[ruslan, again], other__in=[ruslan, again]).count() == 1


def test_correcting_a_statement_keeps_the_earlier_version(dora: User, signed_in: SignedIn) -> None:
    recorded = event(dora, collection(dora))
    info = _statement(dora, recorded, "Six men.")
    client = signed_in(dora)
    event_page = reverse("documentation:event", kwargs={"event_id": recorded.pk})
    url = reverse(
        "documentation:information_correct", kwargs={"event_id": recorded.pk, "information_id": info.pk}
    )
    assert url in client.get(event_page).content.decode()
    assert "Six men." in client.get(url).content.decode()

    response = client.post(url, {**_statement_form(), "submission": receipts.new_token()})
    assert response.status_code == 302
    assert response["Location"] == event_page
    corrected = Information.objects.get()
    assert (corrected.reliability, corrected.credibility, corrected.count, corrected.date) == (
        "A",
        1,
        7,
        "2017-03-12",
    )
    assert "Seven men, one a minor." in client.get(event_page).content.decode()
    versions = client.get(url).content.decode()
    for text in ("Six men.", "The full article", "dora"):
        assert text in versions
    # The event's list of earlier versions points at it too.
    assert (
        url
        in client.get(
            reverse("documentation:event_correct", kwargs={"event_id": recorded.pk})
        ).content.decode()
    )
    revision = EventRevision.objects.get()
    assert AuditEvent.objects.get(action="documentation.information_corrected").data == {
        "information": str(info.pk),
        "revision": revision.number,
    }


def test_correcting_an_intervention_keeps_the_earlier_version(dora: User, signed_in: SignedIn) -> None:
    recorded = event(dora, collection(dora))
    done = _intervention(dora, recorded, "No. 12/17")
    client = signed_in(dora)
    event_page = reverse("documentation:event", kwargs={"event_id": recorded.pk})
    url = reverse(
        "documentation:intervention_correct", kwargs={"event_id": recorded.pk, "intervention_id": done.pk}
    )
    assert url in client.get(event_page).content.decode()
    assert "No. 12/17" in client.get(url).content.decode()

    response = client.post(url, {**_intervention_form(), "submission": receipts.new_token()})
    assert response.status_code == 302
    corrected = Intervention.objects.get()
    assert (corrected.body, corrected.date) == ("prosecutor", "2017-06")
    shown = client.get(event_page).content.decode()
    assert "No. 14/17" in shown
    assert "Sent by registered post." in shown
    versions = client.get(url).content.decode()
    for text in ("No. 12/17", "The receipt came back", "dora"):
        assert text in versions
    assert AuditEvent.objects.get(action="documentation.intervention_corrected").data == {
        "intervention": str(done.pk),
        "revision": 1,
    }


@pytest.mark.parametrize(
    ("kind", "changes", "message"),
    [
        ("person", {"name": ""}, "Write something first."),
        ("person", {"name": "Ruslan\x00"}, "Null characters are not allowed."),
        ("person", {"name": "R" * 201}, "The text is too long."),
        ("person", {"reason": ""}, "Write something first."),
        (
            "person",
            {"name": "Ruslan Akhmadov", "aliases": "", "birth": "", "reason": "same"},
            "Nothing was changed.",
        ),
        ("statement", {"connection": "nope"}, "Choose a value from the list."),
        ("statement", {"date": "spring"}, "This is not a date Corridor understands."),
        ("statement", {"reason": ""}, "Write something first."),
        (
            "statement",
            {"reliability": "B", "credibility": "2", "date": "", "count": "", "statement": "Six men."},
            "Nothing was changed.",
        ),
        ("intervention", {"body": "nope"}, "Choose a value from the list."),
        ("intervention", {"date": ""}, "Give a date, even an uncertain one"),
        ("intervention", {"reason": ""}, "Write something first."),
        (
            "intervention",
            {"body": "investigative_committee", "date": "2017-05", "reference": "No. 12/17", "notes": ""},
            "Nothing was changed.",
        ),
    ],
)
def test_a_bad_correction_changes_nothing(
    dora: User, signed_in: SignedIn, kind: str, changes: dict[str, str], message: str
) -> None:
    record = _record(kind, dora)
    before = record.sealed()
    response = signed_in(dora).post(
        record.url, {**record.form, **changes, "submission": receipts.new_token()}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert record.sealed() == before
    assert record.versions() == 0


@pytest.mark.parametrize("kind", KINDS)
def test_a_correction_sent_twice_is_made_once(dora: User, signed_in: SignedIn, kind: str) -> None:
    record = _record(kind, dora)
    client = signed_in(dora)
    data = {**record.form, "submission": receipts.new_token()}
    assert client.post(record.url, data).status_code == 302
    after = record.sealed()
    repeated = client.post(record.url, data, follow=True)
    assert repeated.status_code == 200
    assert "the form was sent twice, and nothing was done again" in repeated.content.decode()
    assert record.sealed() == after
    assert record.versions() == 1


@pytest.mark.parametrize("kind", KINDS)
def test_who_may_correct_a_record(
    dora: User,
    dan: User,
    alice: User,
    carol: User,
    dave: User,
    judy: User,
    signed_in: SignedIn,
    kind: str,
) -> None:
    record = _record(kind, dora)
    before = record.sealed()
    opened = AuditEvent.objects.filter(action="documentation.collection_decrypted", actor_id=dora.pk)
    assert not opened.filter(data__purpose=record.purpose).exists()
    assert signed_in(dora).get(record.url).status_code == 200
    assert opened.filter(data__purpose=record.purpose).count() == 1  # the page's one audited opening
    assert signed_in(dan).get(record.url).status_code == 404  # a documenter the collection was not given to
    assert signed_in(dan).post(record.url, record.form).status_code == 404
    for user in (alice, carol, dave, judy):
        assert signed_in(user).get(record.url).status_code == 403
        assert signed_in(user).post(record.url, record.form).status_code == 403
    assert signed_in(dora).put(record.url).status_code == 405
    assert record.sealed() == before
    assert record.versions() == 0


def test_a_statement_or_intervention_of_another_event_is_a_404(dora: User, signed_in: SignedIn) -> None:
    recorded = event(dora, collection(dora))
    other = event(dora, recorded.collection, title="Another")
    info = _statement(dora, recorded)
    done = _intervention(dora, recorded)
    client = signed_in(dora)
    for url in (
        reverse(
            "documentation:information_correct", kwargs={"event_id": other.pk, "information_id": info.pk}
        ),
        reverse(
            "documentation:intervention_correct", kwargs={"event_id": other.pk, "intervention_id": done.pk}
        ),
    ):
        assert client.get(url).status_code == 404


def test_earlier_versions_are_sealed_and_bound(dora: User, signed_in: SignedIn) -> None:
    made = collection(dora)
    recorded = event(dora, made)
    ruslan = _person(dora, made, f"{CANARY} person")
    info = _statement(dora, recorded, f"{CANARY} statement")
    done = _intervention(dora, recorded, f"{CANARY} reference")
    client = signed_in(dora)
    for url, form in (
        (reverse("documentation:person_correct", kwargs={"person_id": ruslan.pk}), _person_form()),
        (
            reverse(
                "documentation:information_correct",
                kwargs={"event_id": recorded.pk, "information_id": info.pk},
            ),
            _statement_form(),
        ),
        (
            reverse(
                "documentation:intervention_correct",
                kwargs={"event_id": recorded.pk, "intervention_id": done.pk},
            ),
            _intervention_form(),
        ),
    ):
        assert client.post(url, {**form, "submission": receipts.new_token()}).status_code == 302
        assert CANARY in client.get(url).content.decode()  # the earlier version, shown to dora
    for name, image in _database_images().items():
        assert CANARY.encode() not in image, name
        assert CANARY.encode("utf-16-le") not in image, name
    # A person's earlier version moved to another person does not open: it binds its person and number.
    other = _person(dora, made, "Adam")
    PersonRevision.objects.update(person=other)
    key = data_keys.StaffOpener(user=dora, user_private_key=private_key(dora)).open(made.key)
    with pytest.raises(CryptoError):
        corrections.open_person_revision(key, PersonRevision.objects.get(), "content")


def test_a_re_key_reaches_the_earlier_versions(dora: User, dan: User, signed_in: SignedIn) -> None:
    made = collection(dora)
    services.grant_collection(actor=dora, user_private_key=private_key(dora), collection=made, grantee=dan)
    recorded = event(dora, made)
    ruslan = _person(dora, made, "Ruslan Akhmadov")
    info = _statement(dora, recorded, "Six men.")
    corrections.correct_person(
        actor=dora,
        user_private_key=private_key(dora),
        person=ruslan,
        identity=persons.Identity(name="Ruslan Akhmatov"),
        reason="His sister spelled it",
    )
    corrections.correct_information(
        actor=dora,
        user_private_key=private_key(dora),
        information=info,
        data=persons.InformationInput(
            source_code=info.source.code, connection="010200000000", reliability="A", credibility=1
        ),
        reason="The full article",
    )
    old_key = data_keys.StaffOpener(user=dan, user_private_key=private_key(dan)).open(made.key)
    revocation.revoke_collection(
        actor=dora, user_private_key=private_key(dora), collection=made, user=dan, rekey=True
    )
    with pytest.raises(CryptoError):
        corrections.open_person_revision(old_key, PersonRevision.objects.get(), "content")
    with pytest.raises(CryptoError):
        sealing.open_json(old_key, EventRevision.objects.get(), "content")
    client = signed_in(dora)
    person_page = client.get(
        reverse("documentation:person", kwargs={"person_id": ruslan.pk})
    ).content.decode()
    assert "Ruslan Akhmadov" in person_page
    assert "His sister spelled it" in person_page
    versions = client.get(
        reverse(
            "documentation:information_correct", kwargs={"event_id": recorded.pk, "information_id": info.pk}
        )
    ).content.decode()
    assert "Six men." in versions
