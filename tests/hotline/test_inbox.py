"""The operators' inbox: urgency first, then waiting time; nothing decrypted, one query for the page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.hotline import services
from corridor.hotline.models import Thread, ThreadStatus
from corridor.hotline.triage import Triage
from corridor.hotline.views_staff import format_duration
from tests.hotline.helpers import ROLES_WITHOUT_HOTLINE, make_keyless_operator, open_web_thread, private_key

INBOX = reverse("hotline_staff:inbox")
CRITICAL = Triage(region="RU-CE", in_danger_now=True)
HIGH = Triage(region="RU-IN", threatened_by=["police"])
LOW = Triage(region="")


def opened_ago(delta: timedelta, triage: Triage) -> Thread:
    """A thread opened from the public form `delta` ago."""
    with time_machine.travel(datetime.now(UTC) - delta, tick=False):
        return open_web_thread(triage=triage).thread


def codes_in_order(content: bytes) -> list[str]:
    return re.findall(r"<code>(H-[A-Z0-9]{6})</code>", content.decode())


def test_open_threads_by_urgency_then_longest_waiting(signed_in, olga: User) -> None:  # type: ignore[no-untyped-def]
    low = opened_ago(timedelta(hours=5), LOW)
    high_recent = opened_ago(timedelta(minutes=10), HIGH)
    critical = opened_ago(timedelta(minutes=1), CRITICAL)
    high_older = opened_ago(timedelta(hours=1), HIGH)
    response = signed_in(olga).get(INBOX)
    assert response.status_code == 200
    assert codes_in_order(response.content) == [critical.code, high_older.code, high_recent.code, low.code]


def test_a_row_shows_what_the_inbox_needs(signed_in, olga: User) -> None:  # type: ignore[no-untyped-def]
    thread = opened_ago(timedelta(hours=2, minutes=5, seconds=20), HIGH)
    response = signed_in(olga).get(INBOX)
    html = response.content.decode()
    assert thread.code in html
    assert "High" in html
    assert "Web form" in html
    assert "Ingushetia" in html
    assert "2 h 5 min" in html
    assert "unread" in html
    assert "unassigned" in html
    (row,) = response.context["rows"]
    assert row.waiting == "2 h 5 min"
    assert not row.overdue
    # High urgency: four hours to answer, two of them gone.
    assert row.deadline == "1 h 54 min left"


def test_overdue_first_response_turns_red_until_answered(signed_in, olga: User) -> None:  # type: ignore[no-untyped-def]
    late = opened_ago(timedelta(hours=2), CRITICAL)
    in_time = opened_ago(timedelta(minutes=5), LOW)
    client = signed_in(olga)
    html = client.get(INBOX).content.decode()
    assert html.count('class="overdue"') == 1
    assert "overdue by 1 h 0 min" in html
    rows = {row.thread.code: row for row in client.get(INBOX).context["rows"]}
    assert rows[late.code].overdue
    assert not rows[in_time.code].overdue

    services.post_reply(operator=olga, user_private_key=private_key(olga), thread=late, text="We are here.")
    rows = {row.thread.code: row for row in client.get(INBOX).context["rows"]}
    assert not rows[late.code].overdue
    assert rows[late.code].deadline == "answered"
    assert 'class="overdue"' not in client.get(INBOX).content.decode()


def test_a_closed_thread_is_never_overdue(signed_in, olga: User) -> None:  # type: ignore[no-untyped-def]
    spam = opened_ago(timedelta(hours=2), CRITICAL)
    services.set_status(operator=olga, thread=spam, status=ThreadStatus.CLOSED_SPAM)
    response = signed_in(olga).get(INBOX, {"closed": "on"})
    (row,) = response.context["rows"]
    assert (row.overdue, row.deadline) == (False, "closed unanswered")
    assert 'class="overdue"' not in response.content.decode()


def test_unread_marker_goes_once_the_thread_is_read(signed_in, olga: User) -> None:  # type: ignore[no-untyped-def]
    thread = open_web_thread().thread
    client = signed_in(olga)
    assert 'class="unread"' in client.get(INBOX).content.decode()
    client.get(reverse("hotline_staff:thread", args=[thread.pk]))
    assert 'class="unread"' not in client.get(INBOX).content.decode()


def test_closed_threads_only_on_request(signed_in, olga: User) -> None:  # type: ignore[no-untyped-def]
    open_one = open_web_thread().thread
    closed = open_web_thread().thread
    services.set_status(operator=olga, thread=closed, status=ThreadStatus.CLOSED_SPAM)
    client = signed_in(olga)
    assert codes_in_order(client.get(INBOX).content) == [open_one.code]
    shown = client.get(INBOX, {"closed": "on"})
    assert sorted(codes_in_order(shown.content)) == sorted([open_one.code, closed.code])
    assert "Closed: spam" in shown.content.decode()


def test_assigned_to_me(signed_in, olga: User, org) -> None:  # type: ignore[no-untyped-def]
    mine = open_web_thread().thread
    open_web_thread()
    services.assign_thread(operator=olga, thread=mine, assignee=olga)
    response = signed_in(olga).get(INBOX, {"mine": "on"})
    assert codes_in_order(response.content) == [mine.code]
    assert "olga" in response.content.decode()


def test_fifty_a_page_in_a_fixed_number_of_queries(  # type: ignore[no-untyped-def]
    signed_in, olga: User, django_assert_max_num_queries, django_assert_num_queries
) -> None:
    first = open_web_thread().thread
    services.assign_thread(operator=olga, thread=first, assignee=olga)
    client = signed_in(olga)
    client.get(INBOX)  # sessions and caches settle
    with django_assert_max_num_queries(12) as one_thread:
        client.get(INBOX)
    for n in range(50):
        thread = open_web_thread(triage=HIGH if n % 2 else LOW).thread
        if n % 3 == 0:
            services.assign_thread(operator=olga, thread=thread, assignee=olga)
    # The same queries whether the page holds one thread or fifty: assignees come with the page.
    with django_assert_num_queries(len(one_thread.captured_queries)):
        page_one = client.get(INBOX)
    assert len(page_one.context["rows"]) == 50
    assert page_one.context["page"].paginator.num_pages == 2
    page_two = client.get(INBOX, {"page": "2", "closed": "on"})
    assert len(page_two.context["rows"]) == 1
    assert "closed=on" in page_two.content.decode()


def test_the_inbox_decrypts_nothing(signed_in, olga: User) -> None:  # type: ignore[no-untyped-def]
    open_web_thread("My name is Canary Ivanova")
    client = signed_in(olga)
    before = AuditEvent.objects.count()
    response = client.get(INBOX)
    assert b"Canary" not in response.content
    assert AuditEvent.objects.count() == before
    assert not AuditEvent.objects.filter(action__in=["hotline.thread_decrypted", "key.unsealed"]).exists()


def test_operator_without_the_hotline_key_sees_no_threads(signed_in, olga: User, org) -> None:  # type: ignore[no-untyped-def]
    open_web_thread()
    response = signed_in(make_keyless_operator(org)).get(INBOX)
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "You do not hold the hotline key yet" in response.content.decode()


@pytest.mark.parametrize("persona", ROLES_WITHOUT_HOTLINE)
def test_other_roles_get_403(signed_in, request, persona: str) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(request.getfixturevalue(persona))
    open_web_thread()
    assert client.get(INBOX).status_code == 403


def test_the_inbox_is_read_only(signed_in, olga: User) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(olga).post(INBOX).status_code == 405


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    assert client.get(INBOX)["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=30), "under 1 min"),
        (timedelta(minutes=7, seconds=59), "7 min"),
        (timedelta(hours=2, minutes=5), "2 h 5 min"),
        (timedelta(days=3, hours=4, minutes=59), "3 d 4 h"),
        (timedelta(seconds=-5), "under 1 min"),
    ],
)
def test_durations_read_like_people_speak(delta: timedelta, text: str) -> None:
    assert format_duration(delta) == text
