"""Operator intake: a phone, e-mail or messenger contact becomes a thread; the codename is shown once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.hotline import reading, services
from corridor.hotline.models import Channel, Message, MessageKind, Thread, Urgency
from tests.hotline.helpers import ROLES_WITHOUT_HOTLINE, make_keyless_operator, private_key

INTAKE = reverse("hotline_staff:intake")
CONTACT = "+7 928 000-11-22 (sister's phone)"
CODENAME = re.compile(r'<p class="secret codename"><code>([0-9 ]{24})</code></p>')


def valid(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": "phone",
        "contact": CONTACT,
        "region": "RU-CE",
        "in_danger_now": "on",
        "threatened_by": ["relatives"],
        "outed_to_family": "yes",
        "has_internal_passport": "yes",
        "has_foreign_passport": "no",
        "safe_contact": "Only by text, mornings",
        "text": "Called from a neighbour's phone. Brother threatened to kill him.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_form_is_shown(signed_in, olga: User) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(olga).get(INTAKE)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Phone", "E-mail", "Messenger", "Chechnya", "Relatives", "What the person told you"):
        assert text in html
    assert 'value="web"' not in html


def test_intake_opens_a_thread_and_shows_the_codename_once(signed_in, olga: User) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(olga)
    response = client.post(INTAKE, valid())
    assert response.status_code == 200
    html = response.content.decode()
    (codename,) = CODENAME.findall(html)
    assert html.count(codename) == 1
    assert "shown only this once" in html
    assert "same channel they used" in html
    assert "Do not write it down" in html

    thread = Thread.objects.get()
    assert thread.channel == Channel.PHONE
    assert thread.urgency == Urgency.CRITICAL
    assert thread.region == "RU-CE"
    assert reverse("hotline_staff:thread", args=[thread.pk]) in html
    assert thread.code in html
    assert AuditEvent.objects.filter(
        action="hotline.thread_opened", actor_id=olga.pk, target_id=str(thread.pk), data__channel="phone"
    ).exists()

    # The codename is the person's key to the thread, and it is stored nowhere.
    found = services.find_thread_by_codename(codename)
    assert found is not None
    assert found.thread.pk == thread.pk
    assert codename.replace(" ", "").encode() not in bytes(thread.intake)

    # What the operator logged reads back on the thread page, under the contact heading.
    page = client.get(reverse("hotline_staff:thread", args=[thread.pk])).content.decode()
    assert CONTACT.replace("'", "&#x27;") in page
    assert "Only by text, mornings" in page
    assert "Brother threatened to kill him." in page
    assert "logged by olga" in page
    assert codename not in page


def test_contact_and_message_are_stored_encrypted(signed_in, olga: User) -> None:  # type: ignore[no-untyped-def]
    signed_in(olga).post(INTAKE, valid(contact="canary-contact-4471", text="canary-text-9930"))
    thread = Thread.objects.get()
    assert b"canary-contact-4471" not in bytes(thread.intake)
    assert all(b"canary-text-9930" not in bytes(m.body) for m in Message.objects.all())
    view = reading.thread_for_staff(user=olga, user_private_key=private_key(olga), thread=thread)
    assert view.contact == "canary-contact-4471"
    assert view.triage.in_danger_now
    assert view.triage.threatened_by == ["relatives"]
    assert [(m.kind, m.text) for m in view.messages] == [(MessageKind.APPLICANT, "canary-text-9930")]


def test_a_calm_contact_is_low_urgency(signed_in, olga: User) -> None:  # type: ignore[no-untyped-def]
    data = valid(channel="messenger", in_danger_now=None, threatened_by=None, outed_to_family="no", region="")
    assert signed_in(olga).post(INTAKE, data).status_code == 200
    thread = Thread.objects.get()
    assert (thread.urgency, thread.channel, thread.region) == (Urgency.LOW, "messenger", "")


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"channel": None}, "Choose how the person made contact."),
        ({"channel": "web"}, "Select a valid choice."),
        ({"text": ""}, "Write down what the person told you."),
        ({"text": "x" * 20_001}, "too long"),
        ({"text": "a\x00b"}, "Null characters are not allowed."),
        ({"contact": "x" * 501}, "at most 500 characters"),
        ({"contact": "+7\x1b[31m"}, "characters that cannot be accepted"),
        ({"region": "US-CA"}, "Select a valid choice."),
        ({"threatened_by": ["aliens"]}, "Select a valid choice."),
        ({"outed_to_family": "maybe"}, "Select a valid choice."),
        ({"safe_contact": "x" * 501}, "at most 500 characters"),
    ],
)
def test_bad_input_is_400_and_nothing_is_created(  # type: ignore[no-untyped-def]
    signed_in, olga: User, overrides: dict[str, Any], error: str
) -> None:
    response = signed_in(olga).post(INTAKE, valid(**overrides))
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not CODENAME.search(response.content.decode())
    assert not Thread.objects.exists()
    assert not AuditEvent.objects.filter(action="hotline.thread_opened").exists()


def test_operator_without_the_hotline_key_gets_404(signed_in, org) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(make_keyless_operator(org))
    assert client.get(INTAKE).status_code == 404
    assert client.post(INTAKE, valid()).status_code == 404
    assert not Thread.objects.exists()


@pytest.mark.parametrize("persona", ROLES_WITHOUT_HOTLINE)
def test_other_roles_get_403(signed_in, request, persona: str) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(request.getfixturevalue(persona))
    assert client.get(INTAKE).status_code == 403
    assert client.post(INTAKE, valid()).status_code == 403
    assert not Thread.objects.exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_only_get_and_post(signed_in, olga: User, method: str) -> None:  # type: ignore[no-untyped-def]
    assert getattr(signed_in(olga), method)(INTAKE).status_code == 405


def test_intake_needs_the_csrf_token(signed_in, olga: User) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(olga)
    client.handler.enforce_csrf_checks = True
    assert client.post(INTAKE, valid()).status_code == 403
    assert not Thread.objects.exists()


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    assert client.get(INTAKE)["Location"].startswith(reverse("accounts:login"))
    assert client.post(INTAKE, valid())["Location"].startswith(reverse("accounts:login"))
