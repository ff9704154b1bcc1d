"""A form sent twice (reload on the codename page, back and send again, a double tap) opens one thread."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from corridor.accounts.models import User
from corridor.hotline import receipts, services
from corridor.hotline.models import SubmissionReceipt, Thread
from corridor.hotline.triage import Triage
from tests.hotline.test_intake import INTAKE, valid
from tests.hotline.test_public_flow import CODENAME, request_data

TOKEN = re.compile(r'name="submission" value="([A-Za-z0-9_-]{43})"')


def form_token(client: Client, path: str) -> str:
    match = TOKEN.search(client.get(path).content.decode())
    assert match, "the form carries no one-time token"
    return match.group(1)


def test_sending_the_same_form_twice_opens_one_thread(client: Client, org: dict[str, object]) -> None:
    token = form_token(client, "/en/request/")
    first = client.post("/en/request/", request_data(submission=token))
    again = client.post("/en/request/", request_data(submission=token))  # a reload re-sends the body
    assert first.status_code == again.status_code == 200
    shown = [CODENAME.findall(r.content.decode()) for r in (first, again)]
    assert len(shown[0]) == 1
    assert shown[0] == shown[1]
    assert Thread.objects.count() == 1
    assert "already been sent" in again.content.decode()
    assert "already been sent" not in first.content.decode()


def test_each_new_form_has_its_own_token_and_opens_its_own_thread(
    client: Client, org: dict[str, object]
) -> None:
    one, two = form_token(client, "/en/request/"), form_token(client, "/en/request/")
    assert one != two
    client.post("/en/request/", request_data(submission=one))
    client.post("/en/request/", request_data(submission=two, message="Something else entirely."))
    assert Thread.objects.count() == 2


def test_a_form_that_came_back_with_an_error_keeps_its_token(client: Client, org: dict[str, object]) -> None:
    token = form_token(client, "/en/request/")
    refused = client.post("/en/request/", request_data(submission=token, in_danger_now=""))
    assert refused.status_code == 400
    assert f'value="{token}"' in refused.content.decode()
    assert not Thread.objects.exists()


def test_the_receipt_keeps_no_codename_in_the_clear(client: Client, org: dict[str, object]) -> None:
    token = form_token(client, "/en/request/")
    codename = CODENAME.search(client.post("/en/request/", request_data(submission=token)).content.decode())
    assert codename
    rows = list(SubmissionReceipt.objects.all())
    assert len(rows) == 2  # one found by the token, one by the browser and what was typed
    digits = codename.group(1).replace(" ", "")
    for row in rows:
        assert digits.encode() not in bytes(row.sealed_codename)
        assert codename.group(1).encode() not in bytes(row.sealed_codename)
        assert token not in row.lookup_id


def test_an_hour_later_the_same_token_opens_a_new_thread(client: Client, org: dict[str, object]) -> None:
    token = form_token(client, "/en/request/")
    client.post("/en/request/", request_data(submission=token))
    SubmissionReceipt.objects.update(created_at=datetime.now(UTC) - timedelta(hours=2))
    client.post("/en/request/", request_data(submission=token))
    assert Thread.objects.count() == 2


def test_a_receipt_is_unique_per_token_so_a_double_tap_cannot_store_two(org: dict[str, object]) -> None:
    keys = receipts.submission_keys(token=receipts.new_token(), browser_secret="", content={})
    first = services.open_thread(triage=Triage(), text="first tap", files=[], submission=keys)
    with pytest.raises(IntegrityError), transaction.atomic():
        receipts.record_receipt(keys=keys, thread=first.thread, codename="0000 0000 0000 0000")
    again = services.open_thread(triage=Triage(), text="second tap", files=[], submission=keys)
    assert again.repeated
    assert again.codename == first.codename
    assert Thread.objects.count() == 1


def test_back_then_send_again_with_a_new_token_but_the_same_words_opens_one_thread(
    client: Client, org: dict[str, object]
) -> None:
    """Going back fetches the form anew (new token); the browser restores what was typed."""
    first = client.post("/en/request/", request_data(submission=form_token(client, "/en/request/")))
    again = client.post("/en/request/", request_data(submission=form_token(client, "/en/request/")))
    assert CODENAME.findall(first.content.decode()) == CODENAME.findall(again.content.decode())
    assert Thread.objects.count() == 1
    # Other words, or another browser with the same words, are a new request.
    client.post(
        "/en/request/", request_data(submission=form_token(client, "/en/request/"), message="Another thing.")
    )
    other = Client()
    other.post("/en/request/", request_data(submission=form_token(other, "/en/request/")))
    assert Thread.objects.count() == 3


def test_operator_intake_sent_twice_logs_one_contact(signed_in, olga: User) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(olga)
    token = form_token(client, INTAKE)
    first = client.post(INTAKE, valid(submission=token))
    again = client.post(INTAKE, valid(submission=token))
    assert first.status_code == again.status_code == 200
    assert Thread.objects.count() == 1
    assert "already been logged" in again.content.decode()


def test_a_malformed_token_is_ignored_not_trusted(org: dict[str, object]) -> None:
    for n, token in enumerate(("short", "x" * 43 + "'", "")):
        # A client without the CSRF cookie's secret (no receipt by content) and a bad token.
        response = Client().post("/en/request/", request_data(submission=token, message=f"message {n}"))
        assert response.status_code == 200
    assert Thread.objects.count() == 3
    assert not SubmissionReceipt.objects.exists()
