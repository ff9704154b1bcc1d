"""Correcting an event: the title and description change, the earlier version is kept (sealed), audited;
a refusal changes nothing; other collections are a 404, other roles a 403."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.crypto.errors import CryptoError
from corridor.documentation import sealing
from corridor.documentation.keys import open_collection_key
from corridor.documentation.models import Act, Event, EventRevision
from tests.cases.test_case_canary import _database_images
from tests.documentation.helpers import act, collection, event
from tests.hotline.helpers import private_key

pytestmark = pytest.mark.django_db
SignedIn = Callable[[User], Client]


def test_a_correction_keeps_the_earlier_version(dora: User, signed_in: SignedIn) -> None:
    canary = f"canary-{uuid.uuid4().hex}"
    recorded = event(dora, collection(dora), title=f"{canary} first title", description="Held two days.")
    client = signed_in(dora)
    url = reverse("documentation:event_correct", kwargs={"event_id": recorded.pk})
    form = client.get(url)
    assert form.status_code == 200
    assert f"{canary} first title" in form.content.decode()

    response = client.post(
        url,
        {"title": "Detentions at the Argun post", "description": "Held three days.", "reason": "Second call"},
    )
    assert response.status_code == 302
    page = client.get(reverse("documentation:event", kwargs={"event_id": recorded.pk})).content.decode()
    assert "Detentions at the Argun post" in page
    assert f"{canary} first title" not in page
    versions = client.get(url).content.decode()
    for text in (f"{canary} first title", "Held two days.", "Second call", "dora"):
        assert text in versions
    revision = EventRevision.objects.get()
    assert revision.number == 1
    assert AuditEvent.objects.get(action="documentation.event_corrected").data == {"revision": 1}
    for name, image in _database_images().items():
        assert canary.encode() not in image, name
    # An earlier version moved to another event does not open: it binds its event and number.
    other = event(dora, Event.objects.get().collection, title="Other")
    EventRevision.objects.update(event=other)
    moved = EventRevision.objects.get()
    key = open_collection_key(
        user=dora, user_private_key=private_key(dora), collection=other.collection, purpose="test"
    )
    with pytest.raises(CryptoError):
        sealing.open_json(key, moved, "content")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "description": "", "reason": "x"}, "Write something first."),
        (
            {"title": "T\x00", "description": "", "reason": "x"},
            "Null characters are not allowed.",
        ),
        ({"title": "T" * 201, "description": "", "reason": "x"}, "The text is too long."),
        ({"title": "Argun", "description": "", "reason": ""}, "Write something first."),
        ({"title": "Argun", "description": "", "reason": "same"}, "Nothing was changed."),
    ],
)
def test_a_bad_correction_is_refused_and_changes_nothing(
    dora: User, signed_in: SignedIn, data: dict[str, str], message: str
) -> None:
    recorded = event(dora, collection(dora), title="Argun")
    before = bytes(recorded.title)
    response = signed_in(dora).post(
        reverse("documentation:event_correct", kwargs={"event_id": recorded.pk}), data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert bytes(Event.objects.get().title) == before
    assert not EventRevision.objects.exists()


def test_who_may_correct(
    dora: User, dan: User, alice: User, dave: User, judy: User, signed_in: SignedIn
) -> None:
    recorded = event(dora, collection(dora))
    url = reverse("documentation:event_correct", kwargs={"event_id": recorded.pk})
    data = {"title": "New", "description": "", "reason": "why"}
    assert signed_in(dan).get(url).status_code == 404
    assert signed_in(dan).post(url, data).status_code == 404
    for user in (alice, dave, judy):
        assert signed_in(user).post(url, data).status_code == 403
    assert signed_in(dora).put(url).status_code == 405
    assert not EventRevision.objects.exists()


def _act_form(**changes: object) -> dict[str, object]:
    return {
        "act_type": "030102000000",
        "methods": ["030101000000"],
        "victim_kind": "group",
        "victim": "Men from Argun",
        "count_min": "10",
        "count_best": "20",
        "count_max": "40",
        "date": "",
        "place": "",
        "site": "",
        "status_at_end": "",
        "notes": "",
        "reason": "A second witness",
        **changes,
    }


def test_correcting_an_act_keeps_the_earlier_version(dora: User, signed_in: SignedIn) -> None:
    recorded = event(dora, collection(dora))
    done = act(
        dora, recorded, victim_kind="group", victim="Men from Argun", count_min=5, count_best=6, count_max=8
    )
    client = signed_in(dora)
    url = reverse("documentation:act_correct", kwargs={"event_id": recorded.pk, "act_id": done.pk})
    form = client.get(url).content.decode()
    assert "Men from Argun" in form
    assert 'value="6"' in form

    response = client.post(url, _act_form(notes="Held in the basement."))
    assert response.status_code == 302
    corrected = Act.objects.get()
    assert (corrected.count_min, corrected.count_best, corrected.count_max) == (10, 20, 40)
    page = client.get(reverse("documentation:event", kwargs={"event_id": recorded.pk})).content.decode()
    assert "Held in the basement." in page
    assert "best estimate 20" in page
    revision = EventRevision.objects.get()
    key = open_collection_key(
        user=dora, user_private_key=private_key(dora), collection=recorded.collection, purpose="test"
    )
    kept = sealing.open_json(key, revision, "content")
    assert kept["act"] == str(done.pk)
    assert kept["columns"]["count_best"] == 6
    assert kept["victim"] == "Men from Argun"
    assert kept["reason"] == "A second witness"
    assert AuditEvent.objects.get(action="documentation.act_corrected").data == {
        "act": str(done.pk),
        "revision": 1,
    }
    versions = client.get(reverse("documentation:event_correct", kwargs={"event_id": recorded.pk}))
    assert "A second witness" in versions.content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"count_min": "50"}, "The minimum, best estimate and maximum must be in that order."),
        ({"act_type": "nope"}, "Choose a value from the list."),
        ({"reason": ""}, "Write something first."),
        (
            {"victim": "Men from Argun", "count_min": "5", "count_best": "6", "count_max": "8"},
            "Nothing was changed.",
        ),
        ({"date": "spring"}, "This is not a date Corridor understands."),
    ],
)
def test_a_bad_act_correction_changes_nothing(
    dora: User, signed_in: SignedIn, changes: dict[str, str], message: str
) -> None:
    recorded = event(dora, collection(dora))
    done = act(
        dora, recorded, victim_kind="group", victim="Men from Argun", count_min=5, count_best=6, count_max=8
    )
    before = bytes(Act.objects.get().victim)
    url = reverse("documentation:act_correct", kwargs={"event_id": recorded.pk, "act_id": done.pk})
    response = signed_in(dora).post(url, _act_form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert bytes(Act.objects.get().victim) == before
    assert Act.objects.get().count_best == 6
    assert not EventRevision.objects.exists()


def test_who_may_correct_an_act(
    dora: User, dan: User, alice: User, dave: User, judy: User, signed_in: SignedIn
) -> None:
    recorded = event(dora, collection(dora))
    done = act(dora, recorded)
    other = event(dora, recorded.collection, title="Another")
    url = reverse("documentation:act_correct", kwargs={"event_id": recorded.pk, "act_id": done.pk})
    assert signed_in(dan).post(url, _act_form()).status_code == 404
    for user in (alice, dave, judy):
        assert signed_in(user).post(url, _act_form()).status_code == 403
    elsewhere = reverse("documentation:act_correct", kwargs={"event_id": other.pk, "act_id": done.pk})
    assert signed_in(dora).get(elsewhere).status_code == 404
    assert signed_in(dora).put(url).status_code == 405
    assert not EventRevision.objects.exists()
