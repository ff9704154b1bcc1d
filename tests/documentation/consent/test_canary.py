"""Canary: a unique string sent through every consent form (notes, withdrawal notes) is nowhere in the
database in the clear nor in the log, nor in the audit of an export; every encrypted field is covered."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.documentation.consent import sealing
from corridor.documentation.consent.models import Consent
from corridor.hotline import receipts
from tests.cases.test_case_canary import _database_images
from tests.documentation.consent.conftest import World

pytestmark = pytest.mark.django_db


def test_no_consent_text_in_the_clear(
    dora: User, world: World, signed_in: Callable[[User], Client], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    canary = f"canary-{uuid.uuid4().hex}"
    client = signed_in(dora)

    def post(url: str, data: dict[str, str]) -> None:
        response = client.post(url, {**data, "submission": receipts.new_token()})
        assert response.status_code == 302, response.content.decode()[-2000:]

    form = {
        "scope": "internal",
        "partner": "",
        "mechanism": "",
        "given_on": "2017-05-14",
        "method": "written",
    }
    post(
        reverse("consent:person_record", kwargs={"person_id": world.adam.pk}),
        {**form, "notes": f"{canary} person consent notes"},
    )
    post(
        reverse("consent:statement_record", kwargs={"information_id": world.adam_says.pk}),
        {**form, "notes": f"{canary} statement consent notes"},
    )
    given = Consent.objects.get(information=world.adam_says)
    post(
        reverse("consent:withdraw", kwargs={"consent_id": given.pk}),
        {"withdrawn_on": "2018-01-02", "note": f"{canary} withdrawal note"},
    )
    post(
        reverse("consent:statement_record", kwargs={"information_id": world.adam_says.pk}),
        {**form, "given_on": "2018-02-01", "notes": ""},
    )
    exported = client.post(
        reverse("consent:export"),
        {"events": world.event.code, "scope": "internal", "partner": "", "mechanism": "", "format": "json"},
    )
    assert exported.status_code == 200
    assert "I saw them take" in exported.content.decode()

    # The pages decrypt it all (so the canary really went in).
    person = client.get(reverse("consent:person", kwargs={"person_id": world.adam.pk})).content.decode()
    assert f"{canary} person consent notes" in person
    statement = client.get(
        reverse("consent:statement", kwargs={"information_id": world.adam_says.pk})
    ).content.decode()
    assert f"{canary} statement consent notes" in statement
    assert f"{canary} withdrawal note" in statement

    assert set(sealing.REGISTRY) == {("consent.Consent", "sealed"), ("consent.Withdrawal", "note")}
    for name, image in _database_images().items():
        assert canary.encode() not in image, name
        assert canary.encode("utf-16-le") not in image, name
        # Nor what the export decrypted: statement texts and names stay sealed at rest.
        assert b"I saw them take" not in image, name
        assert b"Adam Umarov" not in image, name
    assert canary not in caplog.text
    assert "I saw them take" not in caplog.text
    assert AuditEvent.objects.filter(action="consent.exported").count() == 1
