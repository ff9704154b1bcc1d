"""The vetting page and its forms: works / other case → 404 / wrong role → 403 / GET on a write → 405 /
audit / bad input changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import grants, services, workflow
from corridor.cases.models import Approval, ApprovalStatus, Case, RedFlag, Stage, VettingCheck, VettingRecord
from tests.hotline.helpers import open_web_thread, private_key

SignedIn = Callable[[User], Client]
WRITES = [
    "vetting_check",
    "vetting_reference",
    "vetting_interview",
    "vetting_red_flag",
    "vetting_request_decision",
]
CANARY = "CANARY-Magomed-4419"


def _open_case(olga: User, caseworker: User) -> Case:
    new = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=open_web_thread().thread, caseworker=caseworker
    )
    return Case.objects.select_related("key").get(pk=new.case.pk)


@pytest.fixture
def case(olga: User, alice: User, bob: User, carol: User) -> Case:
    """A case in screening, alice its caseworker, bob and carol granted."""
    case = _open_case(olga, alice)
    ka = private_key(alice)
    grants.grant_case_access(actor=alice, user_private_key=ka, case=case, grantee=bob)
    grants.grant_case_access(actor=alice, user_private_key=ka, case=case, grantee=carol)
    workflow.move_case(actor=alice, user_private_key=ka, case=case, to_stage=Stage.SCREENING)
    return Case.objects.select_related("key").get(pk=case.pk)


def url(name: str, case: Case) -> str:
    return reverse(f"cases:{name}", kwargs={"case_id": case.pk})


def nothing_stored() -> bool:
    return not (
        VettingCheck.objects.exists()
        or VettingRecord.objects.exists()
        or RedFlag.objects.exists()
        or Approval.objects.filter(kind="vetting").exists()
    )


def test_page_shows_the_checklist_and_records(case: Case, alice: User, signed_in: SignedIn) -> None:
    client = signed_in(alice)
    response = client.get(url("vetting", case))
    assert response.status_code == 200
    assert "Identity confirmed by a call" in response.content.decode()
    assert reverse("cases:case", kwargs={"case_id": case.pk}) in response.content.decode()

    response = client.post(
        url("vetting_check", case), {"item": "documents_seen", "result": "confirmed"}, follow=True
    )
    assert response.redirect_chain == [(url("vetting", case), 302)]
    assert VettingCheck.objects.get().item == "documents_seen"
    response = client.post(url("vetting_interview", case), {"text": f"Said {CANARY}"}, follow=True)
    assert CANARY in response.content.decode()
    assert CANARY.encode() not in bytes(VettingRecord.objects.get().body)
    response = client.post(
        url("vetting_reference", case),
        {"who": "Aunt", "how_they_know": "family", "contact": "", "assessment": f"True {CANARY}"},
    )
    assert response.status_code == 302
    response = client.post(url("vetting_red_flag", case), {"code": "pressure_to_meet", "note": ""})
    assert response.status_code == 302
    page = client.get(url("vetting", case)).content.decode()
    assert "Aunt" in page
    assert "Pushes for a meeting in the region" in page
    actions = set(AuditEvent.objects.filter(target_id=str(case.pk)).values_list("action", flat=True))
    assert {"cases.vetting_checked", "cases.vetting_record_added", "cases.red_flag_raised"} <= actions
    for data in AuditEvent.objects.values_list("data", flat=True):
        assert CANARY not in str(data)


def test_request_decision_then_two_colleagues(
    case: Case, alice: User, bob: User, carol: User, signed_in: SignedIn
) -> None:
    ka = private_key(alice)
    eligibility = workflow.request_approval(actor=alice, user_private_key=ka, case=case, kind="eligibility")
    for reviewer in (bob, carol):
        workflow.decide_approval(
            actor=reviewer, user_private_key=private_key(reviewer), approval=eligibility, decision="approve"
        )
    workflow.move_case(actor=alice, user_private_key=ka, case=case, to_stage=Stage.VETTING)

    response = signed_in(alice).post(url("vetting_request_decision", case), {"note": ""})
    assert response.status_code == 302
    approval = Approval.objects.get(kind="vetting")
    assert (approval.requested_by, approval.cycle, approval.status) == (alice, 1, ApprovalStatus.PENDING)
    assert AuditEvent.objects.filter(action="cases.approval_requested", data__kind="vetting").exists()
    page = signed_in(bob).get(url("vetting", case)).content.decode()
    assert "Waiting" in page
    workflow.decide_approval(
        actor=bob, user_private_key=private_key(bob), approval=approval, decision="approve"
    )
    workflow.decide_approval(
        actor=carol, user_private_key=private_key(carol), approval=approval, decision="approve"
    )
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED


def test_wrong_stage_is_refused_with_a_message(olga: User, alice: User, signed_in: SignedIn) -> None:
    case = _open_case(olga, alice)  # still at intake
    client = signed_in(alice)
    response = client.post(url("vetting_interview", case), {"text": "notes"}, follow=True)
    assert response.redirect_chain == [(url("vetting", case), 302)]
    assert "only while the case is in screening or vetting" in response.content.decode()
    assert nothing_stored()


def test_another_case_is_404(case: Case, olga: User, bob: User, alice: User, signed_in: SignedIn) -> None:
    other = _open_case(olga, bob)
    client = signed_in(alice)
    assert client.get(url("vetting", other)).status_code == 404
    for name in WRITES:
        assert (
            client.post(url(name, other), {"item": "documents_seen", "result": "confirmed"}).status_code
            == 404
        )
    assert nothing_stored()


@pytest.mark.parametrize("who", ["dave", "judy", "olga"])
def test_wrong_role_is_403(case: Case, who: str, request: pytest.FixtureRequest, signed_in: SignedIn) -> None:
    client = signed_in(request.getfixturevalue(who))
    assert client.get(url("vetting", case)).status_code == 403
    for name in WRITES:
        response = client.post(
            url(name, case), {"item": "documents_seen", "result": "confirmed", "text": "x"}
        )
        assert response.status_code == 403
    assert nothing_stored()


def test_get_on_a_write_is_405(case: Case, alice: User, signed_in: SignedIn) -> None:
    client = signed_in(alice)
    for name in WRITES:
        assert client.get(url(name, case)).status_code == 405


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("vetting_check", {"item": "made_up", "result": "confirmed"}, "Choose an item of the checklist."),
        ("vetting_check", {"item": "documents_seen", "result": "maybe"}, "Choose a result from the list."),
        ("vetting_interview", {"text": "bad\x00byte"}, "Null characters are not allowed."),
        ("vetting_interview", {"text": "x" * 20_001}, "The text is too long."),
        ("vetting_interview", {"text": "   "}, "Write the notes first."),
        (
            "vetting_reference",
            {"who": "y" * 501, "how_they_know": "school", "assessment": "fine"},
            "The text is too long.",
        ),
        ("vetting_red_flag", {"code": "other", "note": ""}, "Say what the red flag is."),
        ("vetting_red_flag", {"code": "made_up", "note": "x"}, "Choose a red flag from the list."),
        ("vetting_request_decision", {"note": "z" * 20_001}, "The text is too long."),
    ],
)
def test_bad_input_is_a_clear_error_and_changes_nothing(
    case: Case, alice: User, signed_in: SignedIn, name: str, data: dict[str, str], error: str
) -> None:
    response = signed_in(alice).post(url(name, case), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert nothing_stored()
    written = AuditEvent.objects.filter(target_id=str(case.pk))
    assert not written.filter(action__startswith="cases.vetting").exists()
    assert not written.filter(action__in=["cases.red_flag_raised", "cases.approval_requested"]).exists()


def test_a_vetting_form_sent_twice_is_carried_out_once(case: Case, alice: User, signed_in: SignedIn) -> None:
    client = signed_in(alice)
    page = client.get(url("vetting", case)).content.decode()
    token = re.search(r'name="submission" value="([^"]+)"', page)
    assert token is not None
    fields = {"text": "Confirmed by his sister.", "submission": token.group(1)}
    first = client.post(url("vetting_interview", case), fields)
    again = client.post(url("vetting_interview", case), fields)
    assert (first.status_code, again.status_code) == (302, 302)
    assert VettingRecord.objects.filter(case=case).count() == 1
    assert "sent twice" in client.get(url("vetting", case)).content.decode()
