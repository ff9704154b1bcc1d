"""My cases, the board, search, access requests and the approvals queue."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import OrgKeyKind, Role, User
from corridor.audit.models import AuditEvent
from corridor.cases import access, grants, services, workflow
from corridor.cases.models import AccessRequest, AccessRequestStatus, ApprovalKind, Case, Origin, Stage
from corridor.cases.profile import Profile
from corridor.hotline.receipts import new_token
from corridor.hotline.triage import Triage
from tests.conftest import make_user
from tests.hotline.helpers import open_web_thread, private_key

PHONE = "+7 928 000 11 22"


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def link(case: Case) -> str:
    return f'href="{reverse("cases:case", kwargs={"case_id": case.pk})}"'


def notes(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def alices_case(olga: User, alice: User) -> Case:
    """From a hotline thread, assigned to alice."""
    thread = open_web_thread("help", triage=Triage(region="RU-CE")).thread
    return services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=thread, caseworker=alice
    ).case


@pytest.fixture
def bobs_case(carol: User, bob: User) -> Case:
    """Referred by a partner, opened by carol, assigned to bob; alice has no grant."""
    return services.open_case_directly(
        actor=carol,
        user_private_key=private_key(carol),
        origin=Origin.PARTNER,
        profile=Profile(names=["Ruslan"], phones=[PHONE]),
        region="RU-IN",
        urgency=2,
        factors=[],
        caseworker=bob,
        submission=new_token(),
    ).case


# --- my cases -------------------------------------------------------------------------


def test_my_cases_lists_only_my_grants(signed_in, alice: User, alices_case: Case, bobs_case: Case) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(alice).get(reverse("cases:my_cases"))
    assert response.status_code == 200
    html = response.content.decode()
    assert alices_case.code in html
    assert bobs_case.code not in html
    assert link(alices_case) in html
    assert not [e for e in events("cases.case_decrypted") if e.actor_id == alice.pk]


def test_my_cases_hides_closed_unless_asked(signed_in, bob: User, bobs_case: Case) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(bob)
    assert "High" in client.get(reverse("cases:my_cases")).content.decode()
    Case.objects.filter(pk=bobs_case.pk).update(stage=Stage.CLOSED)
    assert bobs_case.code not in client.get(reverse("cases:my_cases")).content.decode()
    assert bobs_case.code in client.get(reverse("cases:my_cases") + "?closed=1").content.decode()


@pytest.mark.parametrize("name", ["my_cases", "search", "approvals"])
@pytest.mark.parametrize("who", ["dave", "judy"])
def test_case_pages_refuse_roles_without_cases(signed_in, request, name: str, who: str) -> None:  # type: ignore[no-untyped-def]
    user = request.getfixturevalue(who)
    assert signed_in(user).get(reverse(f"cases:{name}")).status_code == 403


# --- board ----------------------------------------------------------------------------


def test_board_counts_and_lists_a_stage_without_decrypting(  # type: ignore[no-untyped-def]
    signed_in, carol: User, alices_case: Case, bobs_case: Case
) -> None:
    client = signed_in(carol)
    before = len(events("cases.case_decrypted"))
    response = client.get(reverse("cases:board"))
    assert response.status_code == 200
    assert alices_case.code not in response.content.decode()
    response = client.get(reverse("cases:board") + "?stage=intake")
    assert response.status_code == 200
    html = response.content.decode()
    assert alices_case.code in html
    assert bobs_case.code in html
    # carol opened bob's case and holds it; alice's is not hers: no link to it.
    assert link(bobs_case) in html
    assert link(alices_case) not in html
    assert "Ruslan" not in html
    assert len(events("cases.case_decrypted")) == before


def test_board_refuses_an_unknown_stage(signed_in, carol: User) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(carol).get(reverse("cases:board") + "?stage=nowhere")
    assert response.status_code == 400
    assert "Choose one of the stages in the list." in response.content.decode()


@pytest.mark.parametrize("who", ["alice", "olga", "dave", "judy"])
def test_board_is_for_coordinators_only(signed_in, request, who: str) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(request.getfixturevalue(who)).get(reverse("cases:board")).status_code == 403


# --- search ---------------------------------------------------------------------------


def test_search_by_code_shows_a_card_and_offers_a_request(  # type: ignore[no-untyped-def]
    signed_in, alice: User, bobs_case: Case
) -> None:
    response = signed_in(alice).post(reverse("cases:search"), {"code": bobs_case.code.lower()})
    assert response.status_code == 200
    html = response.content.decode()
    assert bobs_case.code in html
    assert link(bobs_case) not in html
    assert reverse("cases:access_request", kwargs={"case_id": bobs_case.pk}) in html
    [event] = events("cases.searched")
    assert event.actor_id == alice.pk
    assert event.data == {"kind": "code", "results": 1}


def test_search_by_exact_phone_finds_the_case_and_audits_no_value(  # type: ignore[no-untyped-def]
    signed_in, alice: User, bobs_case: Case
) -> None:
    response = signed_in(alice).post(reverse("cases:search"), {"kind": "phone", "value": "8 (928) 000-11-22"})
    assert response.status_code == 200
    assert bobs_case.code in response.content.decode()
    [event] = events("cases.searched")
    assert event.data == {"kind": "phone", "results": 1}
    assert "928" not in str(event.data)


def test_search_reader_gets_a_link(signed_in, bob: User, bobs_case: Case) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(bob).post(reverse("cases:search"), {"kind": "name", "value": "ruslan"})
    html = response.content.decode()
    assert link(bobs_case) in html
    assert reverse("cases:access_request", kwargs={"case_id": bobs_case.pk}) not in html


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"kind": "passport_photo", "value": "x"}, "Choose one of the kinds in the list."),
        ({"kind": "phone", "value": "+7 928\x00 000"}, "Null characters are not allowed."),
        ({"kind": "name", "value": "a" * 201}, "The value is at most 200 characters."),
        ({"code": "C-" + "A" * 20}, "A case code is at most 12 characters."),
        ({"kind": "phone"}, "Give a case code, or choose a kind and give the exact value."),
        ({"kind": "phone", "value": "---"}, "This value has nothing in it to search for."),
    ],
)
def test_search_refuses_bad_input_and_audits_nothing(  # type: ignore[no-untyped-def]
    signed_in, alice: User, bobs_case: Case, data: dict[str, str], error: str
) -> None:
    response = signed_in(alice).post(reverse("cases:search"), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert bobs_case.code not in response.content.decode()
    assert events("cases.searched") == []


def test_search_without_the_index_key_says_so(signed_in, org, bobs_case: Case) -> None:  # type: ignore[no-untyped-def]
    secrets = dict(org["secrets"])  # type: ignore[call-overload]
    no_index = {**org, "secrets": {k: v for k, v in secrets.items() if k != OrgKeyKind.INDEX}}
    newcomer = make_user(no_index, "newcw", {Role.CASEWORKER})
    response = signed_in(newcomer).post(reverse("cases:search"), {"kind": "phone", "value": PHONE})
    assert "You do not hold the index key yet" in response.content.decode()
    assert bobs_case.code not in response.content.decode()


# --- access requests ------------------------------------------------------------------


def test_request_access_then_a_coordinator_grants_it(  # type: ignore[no-untyped-def]
    signed_in, alice: User, carol: User, bobs_case: Case
) -> None:
    url = reverse("cases:access_request", kwargs={"case_id": bobs_case.pk})
    response = signed_in(alice).post(url, {"reason": "covering"})
    assert response.status_code == 302
    request = AccessRequest.objects.get(case=bobs_case, requester=alice)
    assert request.status == AccessRequestStatus.PENDING
    assert events("cases.access_requested")[0].data["reason"] == "covering"

    client = signed_in(carol)
    page = client.get(reverse("cases:access_requests"))
    assert page.status_code == 200
    assert bobs_case.code in page.content.decode()
    assert "alice" in page.content.decode()
    decide = reverse("cases:access_request_decide", kwargs={"request_id": request.pk})
    response = client.post(decide, {"decision": "grant"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == AccessRequestStatus.GRANTED
    assert access.readable_ids(alice, [bobs_case.pk]) == {str(bobs_case.pk)}
    assert events("cases.access_granted")


def test_a_coordinator_refuses(signed_in, alice: User, carol: User, bobs_case: Case) -> None:  # type: ignore[no-untyped-def]
    request = grants.request_access(actor=alice, case=bobs_case, reason="duplicate_check")
    decide = reverse("cases:access_request_decide", kwargs={"request_id": request.pk})
    assert signed_in(carol).post(decide, {"decision": "refuse"}).status_code == 302
    request.refresh_from_db()
    assert request.status == AccessRequestStatus.REFUSED
    assert events("cases.access_refused")
    assert not access.readable_ids(alice, [bobs_case.pk])


def test_a_coordinator_without_the_case_key_is_told(  # type: ignore[no-untyped-def]
    signed_in, org, bob: User, alices_case: Case
) -> None:
    request = grants.request_access(actor=bob, case=alices_case, reason="covering")
    other = make_user(org, "cora", {Role.COORDINATOR})
    decide = reverse("cases:access_request_decide", kwargs={"request_id": request.pk})
    response = signed_in(other).post(decide, {"decision": "grant"})
    assert "You do not hold the key of this case" in " ".join(notes(response))
    request.refresh_from_db()
    assert request.status == AccessRequestStatus.PENDING
    assert not access.readable_ids(bob, [alices_case.pk])


def test_access_request_bad_input_changes_nothing(signed_in, alice: User, bobs_case: Case) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(alice)
    url = reverse("cases:access_request", kwargs={"case_id": bobs_case.pk})
    response = client.post(url, {"reason": "curiosity"})
    assert "Choose why you need the case" in " ".join(notes(response))
    assert client.post(url, {"reason": "cover\x00ing"}).status_code == 302
    assert not AccessRequest.objects.exists()
    assert client.get(url).status_code == 405
    missing = reverse("cases:access_request", kwargs={"case_id": uuid.uuid4()})
    assert client.post(missing, {"reason": "covering"}).status_code == 404


def test_decide_errors(signed_in, alice: User, carol: User, bobs_case: Case) -> None:  # type: ignore[no-untyped-def]
    request = grants.request_access(actor=alice, case=bobs_case, reason="covering")
    decide = reverse("cases:access_request_decide", kwargs={"request_id": request.pk})
    client = signed_in(carol)
    assert client.get(decide).status_code == 405
    assert "Choose grant or refuse" in " ".join(notes(client.post(decide, {"decision": "maybe"})))
    missing = reverse("cases:access_request_decide", kwargs={"request_id": uuid.uuid4()})
    assert client.post(missing, {"decision": "grant"}).status_code == 404
    request.refresh_from_db()
    assert request.status == AccessRequestStatus.PENDING


@pytest.mark.parametrize("who", ["alice", "olga", "dave", "judy"])
def test_access_requests_are_for_coordinators(
    signed_in, request, who: str, alice: User, bobs_case: Case
) -> None:  # type: ignore[no-untyped-def]
    pending = grants.request_access(actor=alice, case=bobs_case, reason="covering")
    client: Client = signed_in(request.getfixturevalue(who))
    assert client.get(reverse("cases:access_requests")).status_code == 403
    decide = reverse("cases:access_request_decide", kwargs={"request_id": pending.pk})
    assert client.post(decide, {"decision": "grant"}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == AccessRequestStatus.PENDING


@pytest.mark.parametrize("who", ["dave", "judy"])
def test_request_access_refuses_roles_without_cases(signed_in, request, who: str, bobs_case: Case) -> None:  # type: ignore[no-untyped-def]
    url = reverse("cases:access_request", kwargs={"case_id": bobs_case.pk})
    assert signed_in(request.getfixturevalue(who)).post(url, {"reason": "covering"}).status_code == 403
    assert not AccessRequest.objects.exists()


# --- approvals ------------------------------------------------------------------------


def test_approvals_on_readable_cases_with_who_may_decide(  # type: ignore[no-untyped-def]
    signed_in, alice: User, bob: User, alices_case: Case, bobs_case: Case
) -> None:
    ka = private_key(alice)
    grants.grant_case_access(actor=alice, user_private_key=ka, case=alices_case, grantee=bob)
    kb = private_key(bob)
    # Eligibility is decided at screening.
    workflow.move_case(actor=alice, user_private_key=ka, case=alices_case, to_stage=Stage.SCREENING)
    workflow.move_case(actor=bob, user_private_key=kb, case=bobs_case, to_stage=Stage.SCREENING)
    workflow.request_approval(
        actor=alice, user_private_key=ka, case=alices_case, kind=ApprovalKind.ELIGIBILITY
    )
    workflow.request_approval(actor=bob, user_private_key=kb, case=bobs_case, kind=ApprovalKind.ELIGIBILITY)
    mine = signed_in(alice).get(reverse("cases:approvals"))
    assert mine.status_code == 200
    html = mine.content.decode()
    assert alices_case.code in html
    assert bobs_case.code not in html
    assert [row.may_decide for row in mine.context["rows"]] == [False]  # she asked for it
    theirs = signed_in(bob).get(reverse("cases:approvals"))
    assert {row.approval.case_id: row.may_decide for row in theirs.context["rows"]} == {
        alices_case.pk: True,
        bobs_case.pk: False,
    }
    assert link(alices_case) in theirs.content.decode()
