"""The audit log as people read it: usernames and thread codes, filters by them, times in the staff zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from corridor.accounts import access as accounts_access
from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.hotline import access as hotline_access
from corridor.hotline import services
from corridor.hotline.models import Thread, ThreadStatus
from tests.hotline.helpers import open_web_thread

LOG = reverse("audit:log")


@pytest.fixture
def thread(olga: User) -> Thread:
    new = open_web_thread()
    services.set_status(operator=olga, thread=new.thread, status=ThreadStatus.HELPED)
    return new.thread


@pytest.fixture
def other_thread(olga: User) -> Thread:
    new = open_web_thread("Another request.")
    services.assign_thread(operator=olga, thread=new.thread, assignee=olga)
    return new.thread


def rows(response) -> list:  # type: ignore[no-untyped-def]
    return list(response.context["rows"])


def test_ids_are_shown_as_usernames_and_thread_codes(
    signed_in, judy: User, olga: User, thread: Thread
) -> None:  # type: ignore[no-untyped-def]
    page = signed_in(judy).get(LOG).content.decode()

    changed = AuditEvent.objects.get(action="hotline.status_changed")
    row = page.split(f'<td data-label="#">{changed.seq}</td>')[1].split("</tr>")[0]
    assert "olga" in row
    assert str(olga.pk) not in row.replace(f'title="{olga.pk}"', "")
    assert thread.code in row
    assert str(thread.pk) not in row.replace(f'title="{thread.pk}"', "")
    assert "to: helped" in row


def test_user_ids_inside_the_details_are_named_too(
    signed_in, judy: User, olga: User, other_thread: Thread
) -> None:  # type: ignore[no-untyped-def]
    page = signed_in(judy).get(LOG, {"action": "hotline.assigned"}).content.decode()
    assert "assignee: olga" in page


def test_an_id_nobody_owns_any_more_is_shown_as_it_is(signed_in, judy: User) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(judy)
    ghost = "0b8f3a52-5c43-4f5e-9a3e-6f1d2c3b4a59"
    from corridor.audit.services import record_event

    record_event(action="test.ghost", actor_id=ghost, target_type="thread", target_id=ghost)
    page = client.get(LOG, {"action": "test."}).content.decode()
    assert page.count(ghost) == 2


def test_the_log_filters_by_username(signed_in, judy: User, olga: User, alice: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(judy)

    response = client.get(LOG, {"user": "OLGA"})

    assert response.status_code == 200
    found = rows(response)
    assert found
    # Olga's own actions, and what was done to her account (her creation, her keys).
    assert all(r.event.actor_id == olga.pk or r.event.target_id == str(olga.pk) for r in found)
    assert {"hotline.status_changed", "account.created"} <= {r.event.action for r in found}
    assert not any(r.event.actor_id == alice.pk for r in found)


def test_the_log_filters_by_thread_code(signed_in, judy: User, thread: Thread, other_thread: Thread) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(judy).get(LOG, {"thread": thread.code.lower()})

    assert response.status_code == 200
    found = rows(response)
    assert {r.event.action for r in found} == {"hotline.thread_opened", "hotline.status_changed"}
    assert all(r.event.target_id == str(thread.pk) for r in found)


def test_filters_combine_and_stay_on_the_next_page(signed_in, judy: User, olga: User, settings) -> None:  # type: ignore[no-untyped-def]
    for _ in range(55):
        open_web_thread("Many requests.")
    client = signed_in(judy)

    page = client.get(LOG, {"action": "hotline.thread_opened"}).content.decode()

    assert "action=hotline.thread_opened&amp;page=2" in page


@pytest.mark.parametrize(("field", "value"), [("user", "nobody-here"), ("thread", "H-ZZZZZZ")])
def test_a_name_that_matches_nothing_is_said_so(signed_in, judy: User, field: str, value: str) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(judy).get(LOG, {field: value})
    assert response.status_code == 400
    assert rows(response) == []
    assert ("No staff member has this username." if field == "user" else "No thread has this code.") in (
        response.content.decode()
    )


def test_times_are_in_the_staff_time_zone_in_one_format_in_both_languages(
    signed_in, judy: User, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.CORRIDOR_STAFF_TIME_ZONE = "Asia/Yekaterinburg"  # UTC+5 all year
    client = signed_in(judy)
    with time_machine.travel(datetime(2026, 3, 14, 21, 30, 5, tzinfo=UTC), tick=False):
        from corridor.audit.services import record_event

        seq = record_event(action="test.clock").seq

    for language in ("en", "ru"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(LOG, {"action": "test."}).content.decode()
        row = page.split(f'<td data-label="#">{seq}</td>')[1].split("</tr>")[0]
        assert '<time datetime="2026-03-14T21:30:05Z">2026-03-15 02:30</time>' in row, language
        assert "Asia/Yekaterinburg, UTC+05:00" in page


def test_staff_pages_share_the_format(signed_in, olga: User, thread: Thread, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CORRIDOR_STAFF_TIME_ZONE = "UTC"
    client = signed_in(olga)
    opened = thread.created_at.strftime("%Y-%m-%d %H:%M")
    with translation.override("ru"):
        thread_page = client.get(reverse("hotline_staff:thread", args=[thread.pk])).content.decode()
    assert f">{opened}</time>" in thread_page
    account = client.get(reverse("accounts:account")).content.decode()
    assert "</time>" in account


def test_the_lookups_belong_to_their_apps(olga: User, thread: Thread) -> None:
    assert accounts_access.usernames_by_id(
        [olga.pk, "not-an-id", "0b8f3a52-5c43-4f5e-9a3e-6f1d2c3b4a59"]
    ) == {str(olga.pk): "olga"}
    assert accounts_access.user_id_for_username(" Olga ") == olga.pk
    assert hotline_access.thread_codes_by_id([thread.pk, "x"]) == {str(thread.pk): thread.code}
    assert hotline_access.thread_id_for_code(thread.code.lower()) == thread.pk


def test_the_audit_views_read_no_other_apps_tables() -> None:
    from pathlib import Path

    import corridor.audit

    source = "".join(p.read_text() for p in Path(corridor.audit.__file__).parent.glob("*.py"))
    assert "User.objects" not in source
    assert "hotline.models" not in source


def test_only_auditors_read_the_filtered_log(signed_in, olga: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(olga).get(LOG, {"thread": thread.code}).status_code == 403


def test_the_log_is_read_only(signed_in, judy: User) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(judy).post(LOG, {"user": "olga"}).status_code == 405


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    assert client.get(LOG, {"user": "olga"})["Location"].startswith(reverse("accounts:login"))
