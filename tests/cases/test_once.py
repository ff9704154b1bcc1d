"""Staff forms are carried out once per token, and a refusal stores no receipt."""

from __future__ import annotations

import pytest
from django.utils import timezone

from corridor.cases import once
from corridor.cases.models import FormReceipt
from corridor.cases.services import CaseRefused
from corridor.hotline import receipts

pytestmark = pytest.mark.django_db


def test_the_same_token_is_carried_out_once() -> None:
    token = receipts.new_token()
    calls: list[int] = []
    first = once.carry_out_once(token, lambda: calls.append(1) or "done")
    again = once.carry_out_once(token, lambda: calls.append(2) or "done")
    assert (first.result, first.repeated) == ("done", False)
    assert (again.result, again.repeated) == (None, True)
    assert calls == [1]


def test_a_refused_action_stores_no_receipt_and_may_be_sent_again() -> None:
    token = receipts.new_token()

    def refuse() -> None:
        raise CaseRefused("no")

    with pytest.raises(CaseRefused):
        once.carry_out_once(token, refuse)
    assert not FormReceipt.objects.exists()
    assert once.carry_out_once(token, lambda: "done").result == "done"


def test_a_receipt_stored_meanwhile_undoes_the_second_action() -> None:
    """A double tap: both requests passed the first look; the later one's work is rolled back."""
    token = receipts.new_token()
    [lookup] = receipts.submission_keys(token=token, browser_secret="", content={})

    def action_racing_the_other_request() -> str:
        FormReceipt.objects.create(lookup_id="a row this action writes", created_at=timezone.now())
        # The other request of the double tap commits its receipt now.
        FormReceipt.objects.create(lookup_id=lookup.lookup_id, created_at=timezone.now())
        return "done"

    outcome = once.carry_out_once(token, action_racing_the_other_request)
    assert outcome.repeated
    assert not FormReceipt.objects.filter(lookup_id="a row this action writes").exists()


def test_a_form_without_a_token_is_carried_out() -> None:
    assert once.carry_out_once("", lambda: "done").result == "done"
    assert once.carry_out_once("not a token", lambda: "again").result == "again"


def test_a_repeat_names_what_the_first_form_created() -> None:
    token = receipts.new_token()
    first = once.carry_out_once(token, lambda: "made", created=lambda result: f"id of {result}")
    again = once.carry_out_once(token, lambda: "made twice", created=lambda result: f"id of {result}")
    assert (first.result, first.created_id) == ("made", "id of made")
    assert (again.result, again.repeated, again.created_id) == (None, True, "id of made")


def test_a_strict_form_refuses_a_token_corridor_did_not_give() -> None:
    with pytest.raises(once.FormExpired):
        once.carry_out_once("not a token", lambda: "done", strict=True)
    assert not FormReceipt.objects.exists()
    assert once.carry_out_once("", lambda: "done", strict=True).result == "done"


def test_a_form_without_a_token_still_names_what_it_created() -> None:
    # The page leads to what the form made whether or not the form carried a token.
    done = once.carry_out_once("", lambda: "made", created=lambda result: f"id of {result}")
    assert (done.result, done.repeated, done.created_id) == ("made", False, "id of made")
