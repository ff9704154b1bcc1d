"""Consent pages and the export: each works for a documenter holding the collection, is a 404 for a
documenter who does not, a 403 for caseworkers, administrators and auditors, a 405 for GET on a
write, and answers bad input with 400 and nothing stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.documentation.consent.models import Consent, Withdrawal
from corridor.evacuation.relocation.models import Partner
from corridor.hotline import receipts
from tests.documentation.consent.conftest import World
from tests.documentation.consent.helpers import both, consent

pytestmark = pytest.mark.django_db
SignedIn = Callable[[User], Client]


def _consent_form(**changes: str) -> dict[str, str]:
    return {
        "scope": "mechanism",
        "partner": "",
        "mechanism": "un",
        "given_on": "2017-05-14",
        "method": "oral_recorded",
        "notes": "Recorded on the second call.",
        "submission": receipts.new_token(),
        **changes,
    }


def _urls(world: World, given: Consent) -> dict[str, tuple[str, str]]:
    return {
        "person": ("get", reverse("consent:person", kwargs={"person_id": world.adam.pk})),
        "person_record": ("post", reverse("consent:person_record", kwargs={"person_id": world.adam.pk})),
        "statement": ("get", reverse("consent:statement", kwargs={"information_id": world.adam_says.pk})),
        "statement_record": (
            "post",
            reverse("consent:statement_record", kwargs={"information_id": world.adam_says.pk}),
        ),
        "withdraw": ("post", reverse("consent:withdraw", kwargs={"consent_id": given.pk})),
        "export": ("post", reverse("consent:export")),
    }


def test_a_documenter_records_and_withdraws_consent_through_the_pages(
    dora: User, world: World, signed_in: SignedIn
) -> None:
    client = signed_in(dora)
    person_page = client.get(
        reverse("documentation:person", kwargs={"person_id": world.adam.pk})
    ).content.decode()
    assert "No standing consent" in person_page
    assert reverse("consent:person", kwargs={"person_id": world.adam.pk}) in person_page

    record = reverse("consent:person_record", kwargs={"person_id": world.adam.pk})
    form = _consent_form()
    response = client.post(record, form)
    assert response.status_code == 302
    assert response["Location"] == reverse("consent:person", kwargs={"person_id": world.adam.pk})
    # The same form sent twice records one consent.
    assert client.post(record, form).status_code == 302
    given = Consent.objects.get()
    assert (given.person, given.scope, given.mechanism) == (world.adam, "mechanism", "un")

    page = client.get(response["Location"]).content.decode()
    assert "Recorded on the second call." in page
    assert "UN body" in page
    person_page = client.get(
        reverse("documentation:person", kwargs={"person_id": world.adam.pk})
    ).content.decode()
    assert "UN body" in person_page
    assert "Recorded on the second call." not in person_page  # notes only on the consent page

    statement = reverse("consent:statement_record", kwargs={"information_id": world.adam_says.pk})
    assert client.post(statement, _consent_form()).status_code == 302
    event_page = client.get(
        reverse("documentation:event", kwargs={"event_id": world.event.pk})
    ).content.decode()
    assert reverse("consent:statement", kwargs={"information_id": world.adam_says.pk}) in event_page
    assert "Export this event" in event_page
    statement_page = client.get(
        reverse("consent:statement", kwargs={"information_id": world.adam_says.pk})
    ).content.decode()
    assert "I saw them take Zelim Bakaev into the yard." in statement_page
    assert "Adam Umarov" in statement_page

    withdraw = reverse("consent:withdraw", kwargs={"consent_id": given.pk})
    response = client.post(withdraw, {"withdrawn_on": "2018-02-01", "note": "By letter."})
    assert response.status_code == 302
    assert Withdrawal.objects.get().consent == given
    # Sent twice: the same page, one withdrawal, and a word that it was already done.
    again = client.post(withdraw, {"withdrawn_on": "2018-02-01", "note": "By letter."}, follow=True)
    assert again.redirect_chain == [(response["Location"], 302)]
    assert "This consent was already withdrawn." in again.content.decode()
    assert Withdrawal.objects.count() == 1
    assert "By letter." in client.get(response["Location"]).content.decode()
    assert AuditEvent.objects.filter(
        action="documentation.collection_decrypted", data__purpose="consent_page"
    ).exists()


def test_the_export_downloads_only_consented_statements(
    dora: User, world: World, signed_in: SignedIn
) -> None:
    both(dora, world.adam, world.adam_says, "mechanism", mechanism="osce")
    client = signed_in(dora)
    assert client.get(reverse("consent:export"), {"events": world.event.code}).status_code == 200
    response = client.post(
        reverse("consent:export"),
        {
            "events": world.event.code.lower(),
            "scope": "mechanism",
            "mechanism": "osce",
            "partner": "",
            "format": "json",
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="corridor-export-mechanism-')
    assert "no-store" in response["Cache-Control"]
    document = json.loads(response.content)
    assert [s["statement"] for s in document["events"][0]["statements"]] == [
        "I saw them take […] into the yard."
    ]
    assert document["coverage"]["statements_left_out"] == 2
    text = client.post(
        reverse("consent:export"),
        {
            "events": world.event.code,
            "scope": "mechanism",
            "mechanism": "osce",
            "partner": "",
            "format": "text",
        },
    )
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    body = text.content.decode()
    assert "I saw them take […] into the yard." in body
    assert "2 statements left out." in body
    assert "Consent to the statement: 2017-05-14, In writing" in body
    assert "Consent of the person: 2017-05-14, In writing" in body
    assert "Consent to the statement: 2017-05-14, In writing" in body
    assert "Consent of the person: 2017-05-14, In writing" in body
    assert AuditEvent.objects.filter(action="consent.exported").count() == 2


def test_every_view_refuses_who_may_not_use_it(
    dora: User,
    dan: User,
    alice: User,
    dave: User,
    judy: User,
    carol: User,
    world: World,
    signed_in: SignedIn,
) -> None:
    given = consent(dora, world.adam, "internal")
    urls = _urls(world, given)
    data: dict[str, Any] = {
        "withdrawn_on": "2018-01-01",
        "events": world.event.code,
        "scope": "internal",
        "format": "json",
    }
    # Another documenter, who was not given the collection: as if nothing were there.
    outsider = signed_in(dan)
    for name, (method, url) in urls.items():
        response = getattr(outsider, method)(url, data)
        if name == "export":
            assert response.status_code == 400  # the event is not among theirs
            assert "There is no event with this code in your collections" in response.content.decode()
        else:
            assert response.status_code == 404, name
    # Caseworkers, coordinators, administrators, auditors: refused outright.
    for user in (alice, carol, dave, judy):
        client = signed_in(user)
        for name, (method, url) in urls.items():
            assert getattr(client, method)(url, data).status_code == 403, (user.username, name)
    # GET on a write.
    client = signed_in(dora)
    for name, (method, url) in urls.items():
        if method == "post" and name != "export":
            assert client.get(url).status_code == 405, name
    assert Consent.objects.count() == 1
    assert not Withdrawal.objects.exists()
    assert not AuditEvent.objects.filter(action="consent.exported").exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"scope": "everything"},
        {"scope": ""},
        {"scope": "partner", "mechanism": ""},
        {"mechanism": "other"},
        {"scope": "internal"},  # a mechanism named with another scope
        {"given_on": "14.05.2017"},
        {"given_on": "2099-01-01"},
        {"given_on": ""},
        {"method": "telepathy"},
        {"notes": "a\x00b"},
        {"notes": "<script>alert(1)</script>" * 300},
        {"partner": "00000000-0000-0000-0000-000000000000", "scope": "partner", "mechanism": ""},
    ],
)
def test_bad_consent_forms_are_refused_and_store_nothing(
    dora: User, world: World, signed_in: SignedIn, changes: dict[str, str]
) -> None:
    client = signed_in(dora)
    for url in (
        reverse("consent:person_record", kwargs={"person_id": world.adam.pk}),
        reverse("consent:statement_record", kwargs={"information_id": world.adam_says.pk}),
    ):
        response = client.post(url, _consent_form(**changes))
        assert response.status_code == 400, (url, changes)
        assert "<script>alert" not in response.content.decode()
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"withdrawn_on": ""},
        {"withdrawn_on": "yesterday"},
        {"withdrawn_on": "2017-05-01"},  # before it was given
        {"withdrawn_on": "2099-05-01"},
        {"withdrawn_on": "2018-05-01", "note": "bad\x00note"},
        {"withdrawn_on": "2018-05-01", "note": "x" * 5000},
    ],
)
def test_bad_withdrawals_are_refused_and_store_nothing(
    dora: User, world: World, signed_in: SignedIn, data: dict[str, str]
) -> None:
    given = consent(dora, world.zelim_says, "internal")
    response = signed_in(dora).post(reverse("consent:withdraw", kwargs={"consent_id": given.pk}), data)
    assert response.status_code == 400
    assert "Record the withdrawal" in response.content.decode()
    assert not Withdrawal.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"events": ""},
        {"events": "E-NOSUCH"},
        {"scope": "mechanism", "mechanism": ""},
        {"scope": "partner"},
        {"scope": "internal", "mechanism": "un"},
        {"format": "pdf"},
        {"events": " ".join(f"E-{n:06d}" for n in range(400))},
    ],
)
def test_bad_exports_are_refused_and_audit_nothing(
    dora: User, world: World, partners: tuple[Partner, Partner], signed_in: SignedIn, changes: dict[str, str]
) -> None:
    data = {"events": world.event.code, "scope": "internal", "mechanism": "", "partner": "", "format": "json"}
    response = signed_in(dora).post(reverse("consent:export"), {**data, **changes})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(action="consent.exported").exists()


def test_an_export_relying_on_an_altered_consent_is_refused_and_audited(
    dora: User, world: World, signed_in: SignedIn
) -> None:
    both(dora, world.adam, world.adam_says, "internal")
    Consent.objects.filter(person=world.adam).update(scope="media")
    Consent.objects.filter(information=world.adam_says).update(scope="media")
    response = signed_in(dora).post(
        reverse("consent:export"),
        {"events": world.event.code, "scope": "media", "partner": "", "mechanism": "", "format": "json"},
    )
    assert response.status_code == 503
    assert b"I saw them take" not in response.content
    assert AuditEvent.objects.get(action="integrity.check_failed").data == {"what": "consent"}
    assert not AuditEvent.objects.filter(action="consent.exported").exists()


def test_the_event_list_leads_to_an_export_of_the_events_shown(
    dora: User, world: World, signed_in: SignedIn
) -> None:
    client = signed_in(dora)
    listing = client.get(reverse("documentation:events")).content.decode()
    link = f"{reverse('consent:export')}?events={world.event.code}"
    assert link in listing
    form = client.get(link)
    assert form.status_code == 200
    assert f'value="{world.event.code}"' in form.content.decode()
