"""The applicant's path through the hotline, as a person with JavaScript off walks it."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from importlib import import_module
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.test import Client
from nacl import pwhash
from PIL import Image

from corridor.accounts import keyring
from corridor.accounts.models import User
from corridor.accounts.services import unwrap_user_key
from corridor.audit.models import AuditEvent
from corridor.cases.models import DataKeyWrap
from corridor.crypto.words import words_to_digits
from corridor.hotline import applicant, services
from corridor.hotline.models import Message, MessageKind, Thread, Urgency
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

CODENAME = re.compile(r'<p class="codename[^"]*"[^>]*>\s*(\d{4} \d{4} \d{4} \d{4} \d{4})\s*</p>')


def applicant_session(client: Client) -> SessionBase:
    """The applicant side's own session, as the server holds it for this browser."""
    engine = import_module(settings.SESSION_ENGINE)
    return engine.SessionStore(client.cookies[applicant.SESSION_COOKIE].value)  # type: ignore[no-any-return]


def shows_fingerprint(page: str, lang: str = "en") -> bool:
    """The signing key's words (digits on Russian pages) appear in order, in their groups of four."""
    words = keyring.signing_fingerprint_words()
    groups = [g.strip() for g in (words if lang == "en" else words_to_digits(words)).split("·")]
    rendered = "".join(f'<span class="fp-group">{g}</span> ' for g in groups)
    return len(groups) == 3 and rendered in page


FIRST_MESSAGE = "They took my phone at the checkpoint, I am at my aunt now"
SAFE_CONTACT = "Only here, after ten in the evening"


def request_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "in_danger_now": "yes",
        "region": "RU-CE",
        "threatened_by": ["relatives", "police"],
        "outed_to_family": "yes",
        "has_internal_passport": "no",
        "has_foreign_passport": "unsure",
        "message": FIRST_MESSAGE,
        "safe_contact": SAFE_CONTACT,
        "website": "",
    }
    data.update(overrides)
    return data


def jpeg(name: str = "photo.jpg") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), (200, 40, 40)).save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def submit(client: Client, lang: str = "en", **overrides: Any) -> str:
    """Send the request form; returns the codename shown on the page."""
    response = client.post(f"/{lang}/request/", request_data(**overrides))
    assert response.status_code == 200, response.content.decode()
    match = CODENAME.search(response.content.decode())
    assert match, response.content.decode()
    return match.group(1)


def enter(client: Client, codename: str, lang: str = "en") -> None:
    response = client.post(f"/{lang}/thread/", {"codename": codename})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == f"/{lang}/thread/messages/"


def olga_key(olga: User) -> bytes:
    return unwrap_user_key(olga, PASSWORD)


def quick_exit(lang: str) -> str:
    return f'class="quick-exit" href="/{lang}/recipes/"'


# --- landing and quick exit -------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_landing_shows_the_signing_fingerprint_and_a_quick_exit(org: dict[str, object], lang: str) -> None:
    response = Client().get(f"/{lang}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert shows_fingerprint(page, lang)
    assert quick_exit(lang) in page
    assert f'<html lang="{lang}">' in page


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_applicant_page_has_the_quick_exit_link(org: dict[str, object], lang: str) -> None:
    client = Client()
    pages = {
        "landing": client.get(f"/{lang}/"),
        "request form": client.get(f"/{lang}/request/"),
        "enter codename": client.get(f"/{lang}/thread/"),
        "unknown codename": client.post(f"/{lang}/thread/", {"codename": "0000 0000 0000 0000"}),
        "not found": client.get(f"/{lang}/no-such-page/"),
    }
    sent = client.post(f"/{lang}/request/", request_data())
    pages["codename shown"] = sent
    pages["form with errors"] = client.post(f"/{lang}/request/", request_data(in_danger_now=""))
    codename = CODENAME.search(sent.content.decode())
    assert codename
    enter(client, codename.group(1), lang)
    pages["thread"] = client.get(f"/{lang}/thread/messages/")

    for name, response in pages.items():
        assert response.status_code in (200, 400, 404), name
        assert quick_exit(lang) in response.content.decode(), f"no quick exit on the {name} page"


def test_quick_exit_page_is_neutral_and_leaves_the_thread(org: dict[str, object]) -> None:
    client = Client()
    enter(client, submit(client))

    response = client.get("/en/recipes/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "recipes" in page.lower()
    assert "codename" not in page.lower()
    assert "corridor_thread" in response.cookies
    assert response.cookies["corridor_thread"].value == ""
    assert client.get("/en/thread/messages/")["Location"] == "/en/thread/"


# --- sending a request ------------------------------------------------------------------


def test_request_shows_a_codename_and_opens_one_encrypted_thread(org: dict[str, object]) -> None:
    client = Client()
    response = client.post("/en/request/", request_data())

    assert response.status_code == 200
    page = response.content.decode()
    assert CODENAME.search(page)
    assert shows_fingerprint(page)
    assert Thread.objects.count() == 1
    thread = Thread.objects.get()
    assert thread.urgency == Urgency.CRITICAL
    assert thread.region == "RU-CE"
    assert thread.channel == "web"
    assert FIRST_MESSAGE.encode() not in bytes(thread.intake)
    assert SAFE_CONTACT.encode() not in bytes(thread.intake)
    (message,) = Message.objects.filter(thread=thread)
    assert message.kind == MessageKind.APPLICANT
    assert message.author is None
    assert FIRST_MESSAGE.encode() not in bytes(message.body)
    assert b"checkpoint" not in bytes(message.body)
    wraps = sorted(
        DataKeyWrap.objects.filter(key__owner=f"hotline.Thread:{thread.pk}").values_list(
            "purpose", "recipient"
        )
    )
    # The staff key (intake, notes) is never sealed to the person's codename key.
    assert wraps == [
        ("conversation", "applicant"),
        ("conversation", "hotline"),
        ("conversation", "recovery"),
        ("staff", "hotline"),
        ("staff", "recovery"),
    ]


def test_opening_a_thread_is_audited_without_an_actor(org: dict[str, object]) -> None:
    submit(Client())

    thread = Thread.objects.get()
    (event,) = AuditEvent.objects.filter(action="hotline.thread_opened")
    assert event.actor_id is None
    assert event.target_id == str(thread.pk)
    assert FIRST_MESSAGE not in str(event.data)


@pytest.mark.parametrize(
    ("answers", "urgency"),
    [
        ({"in_danger_now": "yes", "threatened_by": [], "outed_to_family": "no"}, Urgency.CRITICAL),
        ({"in_danger_now": "no", "threatened_by": ["police"], "outed_to_family": "no"}, Urgency.HIGH),
        ({"in_danger_now": "no", "threatened_by": [], "outed_to_family": "yes"}, Urgency.HIGH),
        ({"in_danger_now": "no", "threatened_by": ["others"], "outed_to_family": "no"}, Urgency.NORMAL),
        ({"in_danger_now": "no", "threatened_by": [], "outed_to_family": "unsure"}, Urgency.LOW),
    ],
)
def test_urgency_follows_the_triage_answers(
    org: dict[str, object], answers: dict[str, Any], urgency: Urgency
) -> None:
    submit(Client(), **answers)

    assert Thread.objects.get().urgency == urgency


def test_a_photo_alone_is_enough_to_send(org: dict[str, object]) -> None:
    submit(Client(), message="", photos=[jpeg()])

    thread = Thread.objects.get()
    assert thread.attachments.count() == 1


# --- coming back with the codename -----------------------------------------------------


def _variants(codename: str) -> dict[str, str]:
    digits = codename.replace(" ", "")
    return {
        "as shown": codename,
        "dashes": "-".join(digits[i : i + 4] for i in range(0, 20, 4)),
        "no separators": digits,
        "stray spaces": f"  {digits[:3]} {digits[3:9]}  {digits[9:]} ",
    }


def test_returning_with_the_codename_in_any_spelling_opens_the_thread(org: dict[str, object]) -> None:
    codename = submit(Client())

    for spelling, typed in _variants(codename).items():
        client = Client()
        enter(client, typed)
        response = client.get("/en/thread/messages/")
        assert response.status_code == 200, spelling
        assert FIRST_MESSAGE in response.content.decode(), spelling


def test_the_thread_page_verifies_replies_and_hides_internal_notes(
    org: dict[str, object], olga: User
) -> None:
    client = Client()
    codename = submit(client)
    thread = Thread.objects.get()
    services.post_reply(
        operator=olga,
        user_private_key=olga_key(olga),
        thread=thread,
        text="We hear you. Are you safe tonight?",
    )
    services.add_note(
        operator=olga,
        user_private_key=olga_key(olga),
        thread=thread,
        text="Cross-check with the Grozny contact",
    )

    enter(client, codename)
    page = client.get("/en/thread/messages/").content.decode()

    assert FIRST_MESSAGE in page
    assert "We hear you. Are you safe tonight?" in page
    assert "signed by the organisation" in page
    assert "signature could not be checked" not in page
    assert "Cross-check" not in page
    assert "Grozny contact" not in page
    assert shows_fingerprint(page)


def test_writing_again_adds_an_encrypted_message_and_moves_the_thread_up(org: dict[str, object]) -> None:
    client = Client()
    codename = submit(client)
    thread = Thread.objects.get()
    before = thread.last_applicant_at
    enter(client, codename)

    with time_machine.travel(before + timedelta(minutes=5), tick=False):
        response = client.post("/en/thread/write/", {"message": "I can talk tomorrow morning"})

    assert response.status_code == 302
    assert response["Location"] == "/en/thread/messages/"
    thread.refresh_from_db()
    assert thread.last_applicant_at == before + timedelta(minutes=5)
    assert Message.objects.filter(thread=thread, kind=MessageKind.APPLICANT).count() == 2
    newest = Message.objects.filter(thread=thread).order_by("-created_at").first()
    assert newest is not None
    assert b"tomorrow morning" not in bytes(newest.body)
    assert AuditEvent.objects.filter(action="hotline.applicant_wrote", actor_id=None).count() == 1
    assert "I can talk tomorrow morning" in client.get("/en/thread/messages/").content.decode()


def test_writing_without_being_inside_a_thread_goes_to_the_codename_page(org: dict[str, object]) -> None:
    submit(Client())

    response = Client().post("/en/thread/write/", {"message": "hello"})

    assert response.status_code == 302
    assert response["Location"] == "/en/thread/"
    assert Message.objects.count() == 1


def test_leaving_ends_the_applicant_session(org: dict[str, object]) -> None:
    client = Client()
    enter(client, submit(client))
    inside = applicant_session(client)
    assert inside.get("applicant_thread")

    response = client.post("/en/thread/leave/")

    assert response.status_code == 302
    assert response["Location"] == "/en/"
    assert response.cookies["corridor_thread"].value == ""
    assert response.cookies["corridor_thread"]["max-age"] == 0
    assert response.cookies[applicant.SESSION_COOKIE].value == ""
    assert not inside.exists(inside.session_key)  # the server-side half is gone too
    assert client.get("/en/thread/messages/")["Location"] == "/en/thread/"


def test_leave_is_post_only(org: dict[str, object]) -> None:
    client = Client()
    enter(client, submit(client))

    assert client.get("/en/thread/leave/").status_code == 405
    assert client.get("/en/thread/messages/").status_code == 200


def test_an_unknown_codename_is_refused_with_a_clear_message(org: dict[str, object]) -> None:
    submit(Client())
    client = Client()

    response = client.post("/en/thread/", {"codename": "1234 5678 1234 5678"})

    assert response.status_code == 400
    assert "This codename is not known" in response.content.decode()
    assert "corridor_thread" not in response.cookies
    assert applicant.SESSION_COOKIE not in response.cookies
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_a_malformed_codename_is_refused_like_an_unknown_one(org: dict[str, object]) -> None:
    response = Client().post("/en/thread/", {"codename": "not a codename at all"})

    assert response.status_code == 400
    assert "This codename is not known" in response.content.decode()


def test_a_flood_of_failed_look_ups_locks_nobody_out(org: dict[str, object], settings: Any) -> None:
    settings.CORRIDOR_LOOKUP_FAILURE_LIMIT = 3
    codename = submit(Client())
    guesser = Client()
    for guess in ("1111 1111 1111 1111", "2222 2222 2222 2222", "3333 3333 3333 3333", "4444 4444 4444 4444"):
        assert guesser.post("/en/thread/", {"codename": guess}).status_code == 400

    enter(Client(), codename)


@pytest.fixture
def argon2_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts libsodium Argon2id derivations (the library call, not our code)."""
    calls: list[int] = []
    real = pwhash.argon2id.kdf

    def counting(*args: Any, **kwargs: Any) -> bytes:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pwhash.argon2id, "kdf", counting)
    return calls


def test_codename_look_up_costs_one_argon2id_call_whether_or_not_it_exists(
    org: dict[str, object], argon2_calls: list[int]
) -> None:
    codename = submit(Client())

    argon2_calls.clear()
    assert services.find_thread_by_codename(codename) is not None
    existing = len(argon2_calls)

    argon2_calls.clear()
    assert services.find_thread_by_codename("9876 5432 1098 7654") is None
    missing = len(argon2_calls)

    argon2_calls.clear()
    assert services.find_thread_by_codename("hello") is None
    malformed = len(argon2_calls)

    assert existing == missing == malformed == 1


# --- cookies and idling -----------------------------------------------------------------


def test_no_cookie_until_the_person_enters_a_thread(org: dict[str, object]) -> None:
    client = Client()

    landing = client.get("/en/")
    assert dict(landing.cookies) == {}

    form = client.get("/en/request/")
    assert set(form.cookies) == {settings.CSRF_COOKIE_NAME}

    sent = client.post("/en/request/", request_data())
    assert set(sent.cookies) <= {settings.CSRF_COOKIE_NAME}
    codename = CODENAME.search(sent.content.decode())
    assert codename
    assert set(client.get("/en/thread/").cookies) <= {settings.CSRF_COOKIE_NAME}

    entered = client.post("/en/thread/", {"codename": codename.group(1)})
    # The applicant side's own session cookie; the staff side's is never set here.
    assert {applicant.SESSION_COOKIE, "corridor_thread"} <= set(entered.cookies)
    assert settings.SESSION_COOKIE_NAME not in entered.cookies
    thread_cookie = entered.cookies["corridor_thread"]
    assert thread_cookie["httponly"]
    assert thread_cookie["samesite"] == "Strict"
    assert entered.cookies[applicant.SESSION_COOKIE]["httponly"]
    assert entered.cookies[applicant.SESSION_COOKIE]["samesite"] == "Strict"
    assert not entered.cookies[applicant.SESSION_COOKIE]["max-age"]
    assert codename.group(1).replace(" ", "") not in thread_cookie.value


def test_an_idle_thread_page_sends_back_to_the_codename_page(org: dict[str, object], settings: Any) -> None:
    client = Client()
    codename = submit(client)
    enter(client, codename)
    assert client.get("/en/thread/messages/").status_code == 200

    with time_machine.travel(timedelta(seconds=settings.CORRIDOR_APPLICANT_IDLE_SECONDS + 5)):
        response = client.get("/en/thread/messages/")

    assert response.status_code == 302
    assert response["Location"] == "/en/thread/"
    assert response.cookies["corridor_thread"].value == ""
    assert FIRST_MESSAGE not in response.content.decode()
    assert response.cookies[applicant.SESSION_COOKIE].value == ""


def test_activity_keeps_the_thread_open(org: dict[str, object], settings: Any) -> None:
    client = Client()
    enter(client, submit(client))
    step = timedelta(seconds=settings.CORRIDOR_APPLICANT_IDLE_SECONDS - 60)

    with time_machine.travel(step) as traveller:
        assert client.get("/en/thread/messages/").status_code == 200
        traveller.shift(step)
        assert client.get("/en/thread/messages/").status_code == 200
