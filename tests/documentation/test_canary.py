"""Canary: a unique string sent through every documentation form that takes encrypted text is nowhere
in the database in the clear (nor in the log), and every encrypted field is covered."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.documentation import sealing
from corridor.documentation.models import Act, Collection, Event, Involvement, Person, Source
from corridor.hotline import receipts
from tests.cases.test_case_canary import _database_images
from tests.documentation.helpers import site

pytestmark = pytest.mark.django_db


def test_no_documentation_text_in_the_clear(
    dora: User, signed_in: Callable[[User], Client], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    canary = f"canary-{uuid.uuid4().hex}"
    client = signed_in(dora)

    def post(url: str, data: dict[str, object]) -> None:
        response = client.post(url, {**data, "submission": receipts.new_token()})
        assert response.status_code == 302, response.content.decode()[-2000:]

    post(reverse("documentation:collection_new"), {"title": f"{canary} collection"})
    made = Collection.objects.get()
    post(
        reverse("documentation:event_new"),
        {
            "collection": str(made.pk),
            "title": f"{canary} event title",
            "description": f"{canary} event description",
            "date": "2017-21",
            "place": "RU-CE:argun",
            "site": str(site().pk),
        },
    )
    recorded = Event.objects.get()
    post(
        reverse("documentation:act_add", kwargs={"event_id": recorded.pk}),
        {
            "act_type": "020111110000",
            "methods": ["030800000000"],
            "victim_kind": "person",
            "victim": f"{canary} victim",
            "notes": f"{canary} act notes",
            "perpetrator_kind": "person",
            "perpetrator_type": "010104000000",
            "degree": "010100000000",
            "perpetrator_name": f"{canary} perpetrator in the act form",
        },
    )
    victim = Act.objects.get()
    post(
        reverse("documentation:perpetrator_add", kwargs={"event_id": victim.event_id}),
        {
            "act": str(victim.pk),
            "perpetrator_kind": "person",
            "perpetrator_type": "110100000000",
            "degree": "010600000000",
            "perpetrator_name": f"{canary} perpetrator added later",
        },
    )
    assert Involvement.objects.count() == 2
    post(
        reverse("documentation:person_new"),
        {
            "collection": str(made.pk),
            "name": f"{canary} person name",
            "aliases": f"{canary} alias one\n{canary} alias two",
            "birth": f"{canary} birth",
            "phone": "",
            "notes": f"{canary} person notes",
        },
    )
    witness = Person.objects.get()
    response = client.post(
        reverse("documentation:source_new"),
        {
            "collection": str(made.pk),
            "kind": "witness",
            "person": witness.code,
            "description": f"{canary} source description",
            "submission": receipts.new_token(),
        },
    )
    assert response.status_code == 200
    source = Source.objects.get()
    post(
        reverse("documentation:information_add", kwargs={"event_id": recorded.pk}),
        {
            "source": source.code,
            "connection": "010200000000",
            "reliability": "B",
            "credibility": "2",
            "date": "2017-03",
            "count": "3",
            "statement": f"{canary} statement",
        },
    )
    post(
        reverse("documentation:intervention_add", kwargs={"event_id": recorded.pk}),
        {
            "intervention_type": "020100000000",
            "body": "investigative_committee",
            "date": "2017-05",
            "reference": f"{canary} reference",
            "follows": "",
            "response": "X01",
            "response_date": "",
            "notes": f"{canary} intervention notes",
        },
    )
    # The pages decrypt it all (so the canary really went in), and the log never holds it.
    page = client.get(reverse("documentation:event", kwargs={"event_id": recorded.pk})).content.decode()
    for part in (
        "event title",
        "event description",
        "victim",
        "act notes",
        "perpetrator added later",
        "source description",
        "statement",
        "reference",
        "intervention notes",
    ):
        assert f"{canary} {part}" in page
    person_page = client.get(
        reverse("documentation:person", kwargs={"person_id": witness.pk})
    ).content.decode()
    for part in ("person name", "alias one", "alias two", "birth", "person notes"):
        assert f"{canary} {part}" in person_page
    assert f"{canary} collection" in client.get(reverse("documentation:collections")).content.decode()

    covered = {(model, field) for model, field in sealing.REGISTRY}
    assert covered == {
        ("documentation.Collection", "title"),
        ("documentation.Event", "title"),
        ("documentation.Event", "description"),
        ("documentation.Event", "origin"),
        ("documentation.EventRevision", "content"),
        ("documentation.Act", "victim"),
        ("documentation.Act", "notes"),
        ("documentation.Involvement", "person"),
        ("documentation.Person", "identity"),
        ("documentation.Person", "case_link"),
        ("documentation.Source", "description"),
        ("documentation.Information", "statement"),
        ("documentation.Information", "origin"),
        ("documentation.Intervention", "reference"),
        ("documentation.Intervention", "notes"),
        ("evidence.EvidenceItem", "meta"),  # registered by the evidence app, so a re-key reaches it
    }
    for name, image in _database_images().items():
        assert canary.encode() not in image, name
        assert canary.encode("utf-16-le") not in image, name
    assert canary not in caplog.text
