"""The case page and its writes: works / other case → 404 / wrong role → 403 / GET on a write → 405 /
audit; bad input changes nothing; a canary sent through the forms is nowhere in the database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import grants, services, workflow
from corridor.cases.models import (
    Approval,
    ApprovalKind,
    ApprovalStatus,
    Case,
    CaseFlag,
    CaseNote,
    ContactLog,
    DataKeyWrap,
    FlagKind,
    RiskAssessment,
    Stage,
    StageChange,
)
from corridor.hotline.triage import Triage
from tests.hotline.helpers import open_web_thread, private_key

SignedIn = Callable[[User], Client]


def open_case(olga: User, caseworker: User, text: str = "Please help me.") -> Case:
    thread = open_web_thread(text, triage=Triage(region="RU-CE", threatened_by=["relatives"])).thread
    new = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=thread, caseworker=caseworker
    )
    return Case.objects.select_related("key", "thread").get(pk=new.case.pk)


@pytest.fixture
def case(olga: User, alice: User, carol: User) -> Case:
    case = open_case(olga, alice)
    grants.grant_case_access(actor=alice, user_private_key=private_key(alice), case=case, grantee=carol)
    return case


@pytest.fixture
def other_case(olga: User, bob: User) -> Case:
    """A case granted to bob and olga, never to alice."""
    return open_case(olga, bob)


def url(name: str, case: Case) -> str:
    return reverse(f"cases:{name}", kwargs={"case_id": case.pk})


def audited(action: str, case: Case) -> bool:
    return AuditEvent.objects.filter(action=action, target_type="case", target_id=str(case.pk)).exists()


# --- the page -------------------------------------------------------------------------


def test_case_page_shows_profile_timeline_and_thread(signed_in: SignedIn, case: Case, alice: User) -> None:
    key = private_key(alice)
    services.add_case_note(actor=alice, user_private_key=key, case=case, text="Met at the station")
    workflow.raise_flag(
        actor=alice,
        user_private_key=key,
        case=case,
        kind=FlagKind.ON_HOLD,
        reason="staff_report",
        note="wait",
    )
    AuditEvent.objects.filter(action="cases.case_decrypted").delete()
    response = signed_in(alice).get(url("case", case))
    assert response.status_code == 200
    body = response.content.decode()
    assert case.code in body
    assert "Met at the station" in body
    assert "Please help me." in body  # the thread's message, in the same timeline
    assert "On hold" in body
    assert "alice" in body  # holders
    assert "carol" in body
    assert audited("cases.case_decrypted", case)


def test_case_page_of_another_case_is_404(signed_in: SignedIn, other_case: Case, alice: User) -> None:
    assert signed_in(alice).get(url("case", other_case)).status_code == 404


@pytest.mark.parametrize("persona", ["dave", "judy"])
def test_case_page_refuses_roles_without_cases(
    signed_in: SignedIn, case: Case, persona: str, request: pytest.FixtureRequest
) -> None:
    assert signed_in(request.getfixturevalue(persona)).get(url("case", case)).status_code == 403


def test_case_page_refuses_post(signed_in: SignedIn, case: Case, alice: User) -> None:
    assert signed_in(alice).post(url("case", case)).status_code == 405


def test_an_unreadable_note_is_shown_as_such(signed_in: SignedIn, case: Case, alice: User) -> None:
    key = private_key(alice)
    services.add_case_note(actor=alice, user_private_key=key, case=case, text="first words")
    services.add_case_note(actor=alice, user_private_key=key, case=case, text="second words")
    first = CaseNote.objects.order_by("at").first()
    assert first is not None
    # A database write moves the note to another author: its envelope no longer opens.
    CaseNote.objects.filter(pk=first.pk).update(author=None)
    response = signed_in(alice).get(url("case", case))
    assert response.status_code == 200
    body = response.content.decode()
    assert "first words" not in body
    assert "second words" in body
    assert "cannot be decrypted" in body


# --- profile --------------------------------------------------------------------------


def test_profile_form_saves_lists_one_per_line(signed_in: SignedIn, case: Case, alice: User) -> None:
    client = signed_in(alice)
    assert client.get(url("case_profile", case)).status_code == 200
    data = {"names": "Ali Test\nAli T.\n", "phones": "+7 928 111 22 33", "location": "somewhere"}
    response = client.post(url("case_profile", case), data)
    assert response.status_code == 302
    case.refresh_from_db()
    key = services.open_case_key(user=alice, user_private_key=private_key(alice), case=case, purpose="t")
    profile = services.read_profile(key, case)
    assert profile.names == ["Ali Test", "Ali T."]
    assert profile.location == "somewhere"
    assert audited("cases.profile_changed", case)
    assert case.region == "RU-CE"  # not sent, so not changed

    response = client.post(url("case_profile", case), {**data, "region": "RU-MOW"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.region == "RU-MOW"


def test_profile_form_refuses_an_unknown_region(signed_in: SignedIn, case: Case, alice: User) -> None:
    response = signed_in(alice).post(url("case_profile", case), {"names": "x", "region": "ZZ-ZZ"})
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).region == "RU-CE"


@pytest.mark.parametrize(
    "data",
    [{"names": "a\x00b"}, {"names": "x" * 201}, {"names": "\n".join(["n"] * 21)}, {"family": "x" * 5001}],
)
def test_profile_form_refuses_bad_input(
    signed_in: SignedIn, case: Case, alice: User, data: dict[str, str]
) -> None:
    before = bytes(Case.objects.get(pk=case.pk).profile)
    response = signed_in(alice).post(url("case_profile", case), data)
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert bytes(Case.objects.get(pk=case.pk).profile) == before


def test_profile_guards(signed_in: SignedIn, case: Case, other_case: Case, alice: User, dave: User) -> None:
    assert signed_in(alice).get(url("case_profile", other_case)).status_code == 404
    assert signed_in(alice).post(url("case_profile", other_case), {"names": "x"}).status_code == 404
    assert signed_in(dave).get(url("case_profile", case)).status_code == 403
    assert signed_in(alice).put(url("case_profile", case)).status_code == 405


# --- the writes -----------------------------------------------------------------------

Setup = Callable[[Case, dict[str, User]], dict[str, Any]]


def _clear_setup(case: Case, people: dict[str, User]) -> dict[str, Any]:
    alice = people["alice"]
    flag = workflow.raise_flag(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        kind=FlagKind.ON_HOLD,
        reason="staff_report",
    )
    return {"flag": str(flag.pk), "note": "resolved"}


def _decide_setup(case: Case, people: dict[str, User]) -> dict[str, Any]:
    carol = people["carol"]
    key = private_key(carol)
    # Eligibility is decided at screening.
    workflow.move_case(actor=carol, user_private_key=key, case=case, to_stage=Stage.SCREENING)
    approval = workflow.request_approval(
        actor=carol, user_private_key=key, case=case, kind=ApprovalKind.ELIGIBILITY
    )
    return {"approval": str(approval.pk), "decision": "approve", "note": ""}


def _close_setup(case: Case, people: dict[str, User]) -> dict[str, Any]:
    alice, carol = people["alice"], people["carol"]
    approval = workflow.request_approval(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        kind=ApprovalKind.CLOSURE,
        subject="failed_vetting:unverifiable",
    )
    workflow.decide_approval(
        actor=carol, user_private_key=private_key(carol), approval=approval, decision="approve"
    )
    return {"outcome": "failed_vetting", "outcome_reason": "unverifiable", "note": ""}


def _reopen_setup(case: Case, people: dict[str, User]) -> dict[str, Any]:
    _close_setup(case, people)
    alice = people["alice"]
    workflow.close_case(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        outcome="failed_vetting",
        outcome_reason="unverifiable",
    )
    return {"to_stage": "screening", "note": "new facts"}


def _revoke_setup(case: Case, people: dict[str, User]) -> dict[str, Any]:
    return {"user": str(people["carol"].pk), "rekey": "on"}


WRITES: dict[str, tuple[Setup, str, str]] = {
    # name: (form data, who posts, the audit action)
    "case_move": (
        lambda c, p: {"to_stage": "screening", "note": "called back"},
        "alice",
        "cases.stage_changed",
    ),
    "case_close": (_close_setup, "alice", "cases.stage_changed"),
    "case_reopen": (_reopen_setup, "carol", "cases.stage_changed"),
    "case_flag": (
        lambda c, p: {"kind": "on_hold", "reason": "staff_report", "note": "waiting"},
        "alice",
        "cases.flag_raised",
    ),
    "case_flag_clear": (_clear_setup, "alice", "cases.flag_cleared"),
    "case_approval_request": (
        lambda c, p: {"kind": "spend", "subject": "450 eur", "note": ""},
        "alice",
        "cases.approval_requested",
    ),
    "case_approval_decide": (_decide_setup, "alice", "cases.approval_decided"),
    "case_note": (lambda c, p: {"note": "a note"}, "alice", "cases.note_added"),
    "case_contact": (lambda c, p: {"channel": "call", "note": ""}, "alice", "cases.contact_logged"),
    "case_risk": (
        lambda c, p: {"factors": ["detained_now", "outed"], "urgency": ""},
        "alice",
        "cases.risk_assessed",
    ),
    "case_grant": (lambda c, p: {"username": "bob"}, "alice", "cases.access_granted"),
    "case_revoke": (_revoke_setup, "alice", "cases.access_revoked"),
}


def _people(alice: User, bob: User, carol: User) -> dict[str, User]:
    return {"alice": alice, "bob": bob, "carol": carol}


@pytest.mark.parametrize("name", sorted(WRITES))
def test_write_works_redirects_and_audits(
    signed_in: SignedIn, case: Case, alice: User, bob: User, carol: User, name: str
) -> None:
    setup, who, action = WRITES[name]
    people = _people(alice, bob, carol)
    data = setup(case, people)
    AuditEvent.objects.filter(action=action).delete()
    response = signed_in(people[who]).post(url(name, case), data)
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == url("case", case)
    assert audited(action, case)


def test_the_writes_change_what_they_say(signed_in: SignedIn, case: Case, alice: User, bob: User) -> None:
    client = signed_in(alice)
    client.post(url("case_move", case), {"to_stage": "screening"})
    assert Case.objects.get(pk=case.pk).stage == Stage.SCREENING
    client.post(url("case_risk", case), {"factors": ["in_danger_now"], "urgency": "4"})
    assert Case.objects.get(pk=case.pk).urgency == 4
    client.post(url("case_grant", case), {"username": "bob"})
    assert DataKeyWrap.objects.filter(key=case.key, user=bob).exists()
    client.post(url("case_revoke", case), {"user": str(bob.pk)})
    assert not DataKeyWrap.objects.filter(key=case.key, user=bob).exists()
    client.post(url("case_approval_request", case), {"kind": "spend", "subject": "450 eur"})
    assert Approval.objects.get(case=case).subject == "450 EUR"


@pytest.mark.parametrize("name", sorted(WRITES))
def test_write_on_another_case_is_404(
    signed_in: SignedIn, case: Case, other_case: Case, alice: User, bob: User, carol: User, name: str
) -> None:
    data = WRITES[name][0](case, _people(alice, bob, carol))
    assert signed_in(alice).post(url(name, other_case), data).status_code == 404


# A refusal changes nothing, so each write is tried on one case and one signed-in client
# (a subtest each, reported by name) rather than on an organisation built again per write.


@pytest.mark.parametrize("persona", ["dave", "judy"])
def test_write_refuses_roles_without_cases(
    signed_in: SignedIn, case: Case, persona: str, request: pytest.FixtureRequest, subtests: pytest.Subtests
) -> None:
    client = signed_in(request.getfixturevalue(persona))
    for name in sorted(WRITES):
        with subtests.test(name=name):
            assert client.post(url(name, case), {}).status_code == 403


def test_get_on_a_write_is_405(
    signed_in: SignedIn, case: Case, alice: User, subtests: pytest.Subtests
) -> None:
    client = signed_in(alice)
    for name in sorted(WRITES):
        with subtests.test(name=name):
            assert client.get(url(name, case)).status_code == 405


# --- bad input ------------------------------------------------------------------------


BAD_INPUT: list[tuple[str, dict[str, str], str]] = [
    ("case_move", {"to_stage": "nowhere"}, "Select a valid choice"),
    ("case_move", {"to_stage": "planning"}, "cannot go from this stage"),
    ("case_move", {"to_stage": "screening", "note": "a\x00b"}, "Null characters are not allowed"),
    ("case_note", {"note": "x" * 20_001}, "too long"),
    ("case_note", {"note": "   "}, "required"),
    ("case_flag", {"kind": "abducted", "reason": "staff_report"}, "Select a valid choice"),
    ("case_flag", {"kind": "on_hold", "reason": "blocklist_match"}, "Select a valid choice"),
    ("case_flag", {"kind": "on_hold", "reason": "other", "note": ""}, "Write something first"),
    ("case_contact", {"channel": "pigeon"}, "Select a valid choice"),
    ("case_approval_request", {"kind": "spend", "subject": "a lot"}, "450 EUR"),
    ("case_approval_request", {"kind": "partner_referral", "subject": "x"}, "no subject"),
    ("case_approval_request", {"kind": "go_no_go"}, "another stage"),
    ("case_close", {"outcome": "failed_vetting", "outcome_reason": "unverifiable"}, "approval"),
    ("case_reopen", {"to_stage": "screening", "note": "x"}, "coordinator"),
    ("case_risk", {"urgency": "9"}, "Select a valid choice"),
    ("case_grant", {"username": "nobody"}, "no colleague"),
    ("case_grant", {"username": "dave"}, "does not work on cases"),
    (
        "case_flag_clear",
        {"flag": "00000000-0000-0000-0000-000000000000", "note": "x"},
        "not on this case",
    ),
    (
        "case_approval_decide",
        {"approval": "00000000-0000-0000-0000-000000000000", "decision": "approve"},
        "not on this case",
    ),
]


def test_bad_input_is_refused_and_changes_nothing(
    signed_in: SignedIn, case: Case, alice: User, dave: User, subtests: pytest.Subtests
) -> None:
    def state() -> list[object]:
        fresh = Case.objects.get(pk=case.pk)
        return [
            fresh.stage,
            fresh.urgency,
            StageChange.objects.count(),
            CaseNote.objects.count(),
            CaseFlag.objects.count(),
            ContactLog.objects.count(),
            Approval.objects.count(),
            RiskAssessment.objects.count(),
            DataKeyWrap.objects.count(),
        ]

    # Each input must change nothing, so every one meets the same untouched case (checked after each).
    client = signed_in(alice)
    before = state()
    for name, data, error in BAD_INPUT:
        with subtests.test(name=name, error=error):
            response = client.post(url(name, case), data)
            assert response.status_code == 400
            assert error.lower() in response.content.decode().lower()
            assert state() == before


def test_approval_decide_refuses_the_requester(signed_in: SignedIn, case: Case, alice: User) -> None:
    key = private_key(alice)
    workflow.move_case(actor=alice, user_private_key=key, case=case, to_stage=Stage.SCREENING)
    approval = workflow.request_approval(
        actor=alice, user_private_key=key, case=case, kind=ApprovalKind.ELIGIBILITY
    )
    response = signed_in(alice).post(
        url("case_approval_decide", case), {"approval": str(approval.pk), "decision": "approve"}
    )
    assert response.status_code == 400
    assert Approval.objects.get(pk=approval.pk).status == ApprovalStatus.PENDING


def test_a_flag_blocks_the_move_and_the_page_says_so(signed_in: SignedIn, case: Case, alice: User) -> None:
    client = signed_in(alice)
    client.post(url("case_flag", case), {"kind": "on_hold", "reason": "staff_report"})
    body = client.get(url("case", case)).content.decode()
    assert "Blocked by: On hold" in body
    response = client.post(url("case_move", case), {"to_stage": "screening"})
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).stage == Stage.INTAKE


# --- canary ---------------------------------------------------------------------------


def _all_stored_bytes() -> bytes:
    """Every row of every table, as bytes: what a copy of the database holds."""
    chunks: list[bytes] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from introspection
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        chunks.append(bytes(value))
                    elif value is not None:
                        chunks.append(str(value).encode())
    assert apps.get_model("cases", "Case")._meta.db_table in connection.introspection.table_names()
    return b"\n".join(chunks)


def test_canary_through_profile_and_note_is_not_stored_in_the_clear(
    signed_in: SignedIn, case: Case, alice: User
) -> None:
    canary = "CanaryCase7f3a9e Зелимхан"
    client = signed_in(alice)
    profile = {"names": canary, "location": canary + " loc", "risk_notes": canary + " risk"}
    assert client.post(url("case_profile", case), profile).status_code == 302
    assert client.post(url("case_note", case), {"note": canary + " note"}).status_code == 302
    assert client.post(url("case_contact", case), {"channel": "call", "note": canary}).status_code == 302
    assert canary in client.get(url("case", case)).content.decode()
    stored = _all_stored_bytes()
    for needle in (canary.encode(), canary.encode("utf-16-le"), b"CanaryCase7f3a9e"):
        assert needle not in stored


def test_revoking_ones_own_access_needs_a_rekey_and_leaves_the_case(
    signed_in: SignedIn, case: Case, alice: User
) -> None:
    client = signed_in(alice)
    response = client.post(url("case_revoke", case), {"user": str(alice.pk)})
    assert response.status_code == 400
    assert DataKeyWrap.objects.filter(key=case.key, user=alice).exists()
    response = client.post(url("case_revoke", case), {"user": str(alice.pk), "rekey": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert client.get(url("case", case)).status_code == 404
