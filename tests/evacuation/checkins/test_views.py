"""Staff pages of check-ins: works / other case → 404 / wrong role → 403 / GET on a write → 405 /
audit written / bad input → 400 and nothing stored / the same form twice → once."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases.models import ContactLog
from corridor.evacuation.checkins import jobs
from corridor.evacuation.checkins.models import CheckIn, CheckInSchedule
from corridor.hotline import receipts
from tests.evacuation.checkins.helpers import Person, case_with_thread, start

SignedIn = Callable[[User], Client]
TOKEN = re.compile(r'name="submission" value="([^"]+)"')


@pytest.fixture
def person(olga: User, alice: User, carol: User) -> Person:
    return case_with_thread(olga, alice, coordinator=carol)


@pytest.fixture
def other(olga: User, bob: User) -> Person:
    """A case of bob's, never granted to alice."""
    return case_with_thread(olga, bob)


def url(name: str, person: Person) -> str:
    return reverse(f"checkins:{name}", kwargs={"case_id": person.case.pk})


def log_data(**overrides: str) -> dict[str, str]:
    return {"answer": "safe", "channel": "call", "note": "", "submission": receipts.new_token(), **overrides}


def schedule_data(**overrides: str) -> dict[str, str]:
    return {
        "interval": "180",
        "grace": "30",
        "status": "active",
        "submission": receipts.new_token(),
        **overrides,
    }


def test_the_case_page_shows_the_panel_and_starting_check_ins_works(
    person: Person, alice: User, signed_in: SignedIn
) -> None:
    client = signed_in(alice)
    page = client.get(reverse("cases:case", kwargs={"case_id": person.case.pk})).content.decode()
    assert "No check-ins are scheduled for this case." in page
    assert 'action="/staff/evacuation/check-ins/' in page
    response = client.post(url("schedule", person), schedule_data())
    assert (response.status_code, response["Location"]) == (302, f"/staff/cases/{person.case.pk}/")
    schedule = CheckInSchedule.objects.get(case=person.case)
    assert (schedule.interval_minutes, schedule.grace_minutes, schedule.follows_stage) == (180, 30, False)
    event = AuditEvent.objects.get(action="checkins.schedule_set")
    assert (event.actor_id, event.target_id, event.data["interval_minutes"]) == (
        alice.pk,
        str(person.case.pk),
        180,
    )
    page = client.get(reverse("cases:case", kwargs={"case_id": person.case.pk})).content.decode()
    assert "every 3 hours, alert after 30 minutes" in page
    assert "Log a check-in" in page


def test_logging_a_check_in_seals_the_note_logs_a_contact_and_audits(
    person: Person, alice: User, signed_in: SignedIn
) -> None:
    start(person.case, alice)
    client = signed_in(alice)
    response = client.post(url("log", person), log_data(note="Called from a friend's phone, all fine."))
    assert response.status_code == 302
    check_in = CheckIn.objects.get()
    assert (check_in.source, check_in.answer, check_in.channel, check_in.logged_by) == (
        "staff",
        "safe",
        "call",
        alice,
    )
    assert b"friend" not in bytes(check_in.note)
    assert ContactLog.objects.filter(case=person.case, channel="call").count() == 1
    assert AuditEvent.objects.filter(action="checkins.checked_in", actor_id=alice.pk).count() == 1
    decrypted = AuditEvent.objects.filter(action="cases.case_decrypted", data__purpose="check_in")
    assert decrypted.count() == 1
    history = client.get(url("case", person))
    assert history.status_code == 200
    assert "Called from a friend&#x27;s phone, all fine." in history.content.decode()
    assert AuditEvent.objects.filter(action="cases.case_decrypted", data__purpose="check_ins").count() == 1


def test_the_same_form_sent_twice_is_carried_out_once(
    person: Person, alice: User, signed_in: SignedIn
) -> None:
    start(person.case, alice)
    client = signed_in(alice)
    data = log_data()
    for _ in range(2):
        assert client.post(url("log", person), data).status_code == 302
    assert CheckIn.objects.count() == 1


@pytest.mark.parametrize("name", ["case", "schedule", "log"])
def test_another_persons_case_is_not_found(
    other: Person, alice: User, signed_in: SignedIn, name: str
) -> None:
    client = signed_in(alice)
    response = (
        client.get(url(name, other))
        if name == "case"
        else client.post(url(name, other), log_data() | schedule_data())
    )
    assert response.status_code == 404
    assert not CheckInSchedule.objects.exists()


@pytest.mark.parametrize("who", ["dave", "judy"])
@pytest.mark.parametrize("name", ["case", "schedule", "log", "missed"])
def test_roles_that_read_no_case_are_refused(
    person: Person, signed_in: SignedIn, request: pytest.FixtureRequest, who: str, name: str
) -> None:
    client = signed_in(request.getfixturevalue(who))
    address = reverse("checkins:missed") if name == "missed" else url(name, person)
    response = client.get(address) if name in ("case", "missed") else client.post(address, schedule_data())
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["schedule", "log"])
def test_writes_are_post_only(person: Person, alice: User, signed_in: SignedIn, name: str) -> None:
    assert signed_in(alice).get(url(name, person)).status_code == 405


def test_signed_out_is_sent_to_sign_in(person: Person) -> None:
    response = Client().post(url("schedule", person), schedule_data())
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (schedule_data(interval="14400"), "Select a valid choice."),
        (schedule_data(grace="abc"), "Select a valid choice."),
        (schedule_data(status="maybe"), "Select a valid choice."),
        ({"interval": "180"}, "This field is required."),
    ],
)
def test_bad_schedule_input_is_refused_and_nothing_stored(
    person: Person, alice: User, signed_in: SignedIn, data: dict[str, str], expected: str
) -> None:
    response = signed_in(alice).post(url("schedule", person), data)
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert not CheckInSchedule.objects.exists()
    assert not AuditEvent.objects.filter(action="checkins.schedule_set").exists()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (log_data(answer="fine"), "Select a valid choice."),
        (log_data(channel="thread"), "Select a valid choice."),
        (log_data(note="x" * 2001), "at most 2000 characters"),
        (log_data(note="bad\x00note"), "Null characters are not allowed."),
        (log_data(note="bad\x07note"), "characters that cannot be accepted"),
    ],
)
def test_bad_check_in_input_is_refused_and_nothing_stored(
    person: Person, alice: User, signed_in: SignedIn, data: dict[str, str], expected: str
) -> None:
    start(person.case, alice)
    response = signed_in(alice).post(url("log", person), data)
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert not CheckIn.objects.exists()
    assert not ContactLog.objects.exists()


def test_logging_before_a_schedule_exists_is_refused(
    person: Person, alice: User, signed_in: SignedIn
) -> None:
    response = signed_in(alice).post(url("log", person), log_data())
    assert response.status_code == 400
    assert "Start the check-ins first." in response.content.decode()
    assert not CheckIn.objects.exists()


def test_the_missed_list_shows_codes_only_and_to_whom(
    person: Person, other: Person, alice: User, bob: User, carol: User, signed_in: SignedIn
) -> None:
    start(person.case, alice, interval=60, grace=15)
    start(other.case, bob, interval=60, grace=15)
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=2)):
        jobs.sweep_at()
        mine = signed_in(alice).get(reverse("checkins:missed")).content.decode()
        every = signed_in(carol).get(reverse("checkins:missed")).content.decode()
    assert person.case.code in mine
    assert other.case.code not in mine
    assert person.case.code in every
    assert other.case.code in every
    assert "lost contact proposed" in every
    assert not AuditEvent.objects.filter(action="cases.case_decrypted", actor_id=carol.pk).exists()


def test_the_panel_uses_the_key_the_case_page_opened(
    person: Person, alice: User, signed_in: SignedIn
) -> None:
    start(person.case, alice)
    client = signed_in(alice)
    client.post(url("log", person), log_data(note="Quiet evening."))
    before = AuditEvent.objects.filter(action="cases.case_decrypted").count()
    page = client.get(reverse("cases:case", kwargs={"case_id": person.case.pk})).content.decode()
    assert "Quiet evening." in page
    assert AuditEvent.objects.filter(action="cases.case_decrypted").count() == before + 1
    assert len(set(TOKEN.findall(page))) >= 2


@pytest.mark.parametrize(
    ("language", "missed", "unsafe"),
    [
        ("en", "Missed check-in: reach the person", "not safe&quot;: contact them now"),
        ("ru", "Пропущен выход на связь: свяжитесь с человеком", "Человек ответил «в опасности»"),
    ],
)
def test_check_in_tasks_read_as_what_to_do_in_the_readers_language(
    person: Person, alice: User, signed_in: SignedIn, language: str, missed: str, unsafe: str
) -> None:
    start(person.case, alice, interval=180, grace=30)
    assert signed_in(alice).post(url("log", person), log_data(answer="unsafe")).status_code == 302
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=3, minutes=31)):
        jobs.sweep_at()
        client = signed_in(alice)  # the first session has timed out
        client.cookies.load({settings.LANGUAGE_COOKIE_NAME: language})
        page = client.get(reverse("cases:tasks")).content.decode()
    assert missed in page
    assert unsafe in page
    assert "missed_check_in" not in page
    assert "unsafe_check_in" not in page
