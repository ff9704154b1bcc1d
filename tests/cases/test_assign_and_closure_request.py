"""Making a colleague the caseworker, and asking for a closure approval from the close form."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import keys as data_keys
from corridor.cases.models import Approval, ApprovalKind, Case, CaseNote, DataKeyWrap, Stage, WrapRecipient
from tests.cases.test_case_views import case, open_case, other_case, url  # noqa: F401 - fixtures used by name

SignedIn = Callable[[User], Client]


def test_assigning_a_caseworker_grants_the_key_and_takes_it_off_the_hotline(
    signed_in: SignedIn, olga: User, alice: User, bob: User
) -> None:
    unassigned = open_case(olga, caseworker=None)  # type: ignore[arg-type]
    assert data_keys.has_hotline_wrap(unassigned.key)
    response = signed_in(olga).post(url("case_assign", unassigned), {"username": "bob"})
    assert response.status_code == 302
    unassigned.refresh_from_db()
    assert unassigned.caseworker == bob
    assert DataKeyWrap.objects.filter(key=unassigned.key, user=bob).exists()
    assert not data_keys.has_hotline_wrap(unassigned.key)
    assert AuditEvent.objects.filter(
        action="cases.caseworker_assigned", target_id=str(unassigned.pk)
    ).exists()
    # Other operators no longer read the case through the hotline key.
    assert not DataKeyWrap.objects.filter(key=unassigned.key, recipient=WrapRecipient.HOTLINE).exists()


def test_assign_refusals(signed_in: SignedIn, alice: User, dave: User, case: Case, other_case: Case) -> None:  # noqa: F811
    client = signed_in(alice)
    assert client.get(url("case_assign", case)).status_code == 405
    assert client.post(url("case_assign", other_case), {"username": "alice"}).status_code == 404
    assert signed_in(dave).post(url("case_assign", case), {"username": "alice"}).status_code == 403
    response = client.post(url("case_assign", case), {"username": "dave"})
    assert response.status_code == 400
    assert "caseworker or a coordinator" in response.content.decode()
    response = client.post(url("case_assign", case), {"username": "nobody\x00"})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.caseworker is not None
    assert case.caseworker.username == "alice"


@pytest.mark.parametrize("stage_note", [""])
def test_the_close_form_asks_for_the_approval_of_exactly_that_outcome(
    signed_in: SignedIn,
    alice: User,
    case: Case,  # noqa: F811
    stage_note: str,
) -> None:
    client = signed_in(alice)
    fields = {"outcome": "declined", "outcome_reason": "", "note": stage_note}
    response = client.post(url("case_close", case), {**fields, "action": "request"})
    assert response.status_code == 302
    approval = Approval.objects.get(case=case)
    assert (approval.kind, approval.subject) == (ApprovalKind.CLOSURE, "declined")
    # Closing before a coordinator approved is refused, and the case stays open.
    response = client.post(url("case_close", case), {**fields, "action": "close"})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.stage == Stage.INTAKE


def test_a_case_form_sent_twice_is_carried_out_once(signed_in: SignedIn, alice: User, case: Case) -> None:  # noqa: F811
    client = signed_in(alice)
    page = client.get(url("case", case)).content.decode()
    token = re.search(r'name="submission" value="([^"]+)"', page)
    assert token is not None
    fields = {"note": "Called him, he is safe.", "submission": token.group(1)}
    first = client.post(url("case_note", case), fields)
    again = client.post(url("case_note", case), fields)
    assert (first.status_code, again.status_code) == (302, 302)
    assert CaseNote.objects.filter(case=case).count() == 1
    assert "sent twice" in client.get(url("case", case)).content.decode()
    # A new page gives a new token: the same words can be written again on purpose.
    assert client.post(url("case_note", case), {"note": "Called him, he is safe."}).status_code == 302
    assert CaseNote.objects.filter(case=case).count() == 2
