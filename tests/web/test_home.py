"""The staff home answers "what needs me now" for each role, from plain columns: nothing is decrypted."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from corridor.accounts import integrity
from corridor.accounts import services as account_services
from corridor.accounts.models import Role, User
from corridor.audit.models import AuditChainHead, AuditEvent
from corridor.audit.services import record_event
from corridor.hotline import services
from corridor.hotline.models import Thread, ThreadStatus
from corridor.hotline.triage import Triage
from tests.conftest import PASSWORD, make_user, sign_in
from tests.hotline.helpers import make_keyless_operator, open_web_thread, private_key

HOME = reverse("web:home")


def thread_with(**triage: object) -> Thread:
    return open_web_thread("Synthetic request.", triage=Triage(region="RU-CE", **triage)).thread  # type: ignore[arg-type]


@pytest.fixture
def waiting(olga: User) -> dict[str, Thread]:
    """A critical thread past its one-hour deadline, a normal one within its day, one answered, one closed."""
    with time_machine.travel(-timedelta(hours=3)):
        overdue = thread_with(in_danger_now=True)
    ahead = thread_with(threatened_by=["others"])
    mine = thread_with(threatened_by=["relatives"])
    services.post_reply(operator=olga, user_private_key=private_key(olga), thread=mine, text="We read you.")
    services.assign_thread(operator=olga, thread=mine, assignee=olga)
    closed = thread_with(threatened_by=["others"])
    services.set_status(operator=olga, thread=closed, status=ThreadStatus.CLOSED_SPAM)
    return {"overdue": overdue, "ahead": ahead, "mine": mine, "closed": closed}


def home(client: Client) -> str:
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, heading: str) -> str:
    return page.split(heading)[1].split("</ul>")[0]


def test_an_operator_sees_what_waits_for_an_answer(signed_in, olga: User, waiting: dict[str, Thread]) -> None:  # type: ignore[no-untyped-def]
    page = home(signed_in(olga))

    assert "Critical: 1" in page
    assert "Normal: 1" in page
    overdue = section(page, "Missed first-response deadlines: 1")
    assert waiting["overdue"].code in overdue
    assert "overdue by" in overdue
    ahead = section(page, "Unanswered, deadline still ahead")
    assert waiting["ahead"].code in ahead
    assert waiting["overdue"].code not in ahead
    mine = section(page, "Assigned to you")
    assert waiting["mine"].code in mine
    assert waiting["closed"].code not in page


def test_a_new_message_in_an_answered_thread_is_counted(signed_in, olga: User) -> None:  # type: ignore[no-untyped-def]
    new = open_web_thread()
    client = signed_in(olga)
    client.post(reverse("hotline_staff:reply", args=[new.thread.pk]), {"reply": "We read you."})
    found = services.find_thread_by_codename(new.codename)
    assert found is not None
    services.add_applicant_message(
        thread=found.thread, applicant_private=found.private_key, text="Thanks", files=[]
    )

    assert "1 answered thread has a new message from the person." in home(client)


def test_the_home_page_decrypts_nothing_and_records_nothing(  # type: ignore[no-untyped-def]
    signed_in, olga: User, waiting: dict[str, Thread], django_assert_max_num_queries
) -> None:
    client = signed_in(olga)
    with django_assert_max_num_queries(25):
        page = home(client)
    for _ in range(30):
        thread_with(in_danger_now=True)
    before = AuditEvent.objects.count()
    with django_assert_max_num_queries(25):
        home(client)
    assert AuditEvent.objects.count() == before
    assert "Synthetic request." not in page


def test_a_coordinator_also_sees_key_grants_they_can_give(signed_in, carol: User, org) -> None:  # type: ignore[no-untyped-def]
    newcomer = make_keyless_operator(org)
    thread_with(in_danger_now=True)

    page = home(signed_in(carol))

    assert "Critical: 1" in page
    assert "Assigned to you" not in page  # threads are assigned to operators
    grants = section(page, "Colleagues waiting for a key you hold")
    assert f"{newcomer.username}: Hotline key" in grants
    assert f"{newcomer.username}: Signing key" in grants


def test_an_operator_without_the_hotline_key_sees_no_threads(signed_in, org) -> None:  # type: ignore[no-untyped-def]
    thread = thread_with(in_danger_now=True)
    page = home(signed_in(make_keyless_operator(org)))
    assert thread.code not in page
    assert "Missed first-response deadlines" not in page
    assert "not granted to you yet" in page


def test_an_administrator_sees_accounts_needing_attention_and_no_thread(signed_in, dave: User, org) -> None:  # type: ignore[no-untyped-def]
    thread = thread_with(in_danger_now=True)
    make_user(org, "unenrolled", {Role.CASEWORKER}, enrol=False)
    account_services.create_user(
        actor=None, actor_private_key=None, username="temporary", password=PASSWORD, roles={Role.DOCUMENTER}
    )
    make_keyless_operator(org, "waiting-op")

    page = home(signed_in(dave))

    assert "unenrolled" in section(page, "No second factor yet")
    assert "temporary" in section(page, "Temporary password not changed yet")
    assert "waiting-op: Hotline key" in section(page, "Waiting for keys")
    assert thread.code not in page
    assert "Missed first-response deadlines" not in page
    assert "Colleagues waiting for a key you hold" not in page


def test_an_auditor_sees_the_chain_and_recent_integrity_failures(signed_in, judy: User) -> None:  # type: ignore[no-untyped-def]
    thread = thread_with(in_danger_now=True)
    client = signed_in(judy)
    assert "Never verified yet." in home(client)

    integrity.record_integrity_failure(what="second_factors", target_type="user", target_id="x")
    record_event(
        action="hotline.row_unreadable", target_type="thread", target_id=thread.pk, data={"message": "m"}
    )
    client.post(reverse("audit:verify"))
    page = home(client)

    assert "intact" in page
    failures = section(page, "Integrity failures and unreadable rows, last 30 days: 2")
    assert "integrity.check_failed" in failures
    assert "second_factors" in failures
    assert "hotline.row_unreadable" in failures
    assert thread.code in failures
    assert "Missed first-response deadlines" not in page


def test_an_auditor_is_told_when_the_head_fails_its_check(signed_in, judy: User) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(judy)
    AuditChainHead.objects.update(mac="0" * 64)
    page = home(client)
    assert "The chain's head fails its check" in page
    assert "entries in the log" not in page


def test_a_caseworker_sees_only_the_greeting_and_the_fingerprint(signed_in, alice: User) -> None:  # type: ignore[no-untyped-def]
    thread_with(in_danger_now=True)
    page = home(signed_in(alice))
    assert "Hello, alice" in page
    assert "Is this the real system?" in page
    for heading in (
        "Missed first-response",
        "Colleagues waiting",
        "Accounts needing attention",
        "Audit chain",
    ):
        assert heading not in page


def test_the_home_page_speaks_russian(olga: User, waiting: dict[str, Thread], settings) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    sign_in(client, olga)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = home(client)
    assert "Просрочен первый ответ: 1" in page
    assert "Назначены вам" in page


def test_the_home_page_is_read_only(signed_in, olga: User) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(olga).post(HOME).status_code == 405


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    assert client.get(HOME)["Location"].startswith(reverse("accounts:login"))
