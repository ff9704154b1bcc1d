"""The auditors' page: auditors read it, nobody else does."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent

LOG = reverse("audit:log")
VERIFY = reverse("audit:verify")


def test_auditor_reads_the_log(signed_in, judy: User, alice: User) -> None:  # type: ignore[no-untyped-def]
    signed_in(alice)
    client = signed_in(judy)
    page = client.get(LOG)
    assert page.status_code == 200
    assert b"auth.login" in page.content
    filtered = client.get(LOG, {"action": "account."})
    assert b"auth.login</code>" not in filtered.content
    assert b"account.created" in filtered.content


def test_auditor_verifies_the_chain(signed_in, judy: User) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(judy)
    response = client.post(VERIFY, follow=True)
    assert b"intact" in response.content
    assert AuditEvent.objects.filter(action="audit.verified", actor_id=judy.pk, data__ok=True).exists()


def test_a_broken_chain_is_reported_on_the_page(signed_in, judy: User) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(judy)
    AuditEvent.objects.filter(seq=2).update(target_id="tampered")
    response = client.post(VERIFY, follow=True)
    assert b"broken at entry #2" in response.content


def test_a_wiped_log_is_reported_on_the_page(signed_in, judy: User) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(judy)
    # Someone with write access to the database empties the log and its head.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
        cursor.execute("DELETE FROM audit_auditchainhead")
    response = client.post(VERIFY, follow=True)
    assert b"broken at entry #1" in response.content
    assert AuditEvent.objects.filter(action="audit.verified", data__ok=False, data__first_bad=1).exists()


def test_bad_filter_input_is_a_clear_400(signed_in, judy: User) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(judy)
    assert client.get(LOG, {"user": "not a username"}).status_code == 400
    assert client.get(LOG, {"thread": "<b>H-1</b>"}).status_code == 400
    assert client.get(LOG, {"action": "<script>alert(1)</script>"}).status_code == 400


@pytest.mark.parametrize("persona", ["alice", "carol", "olga", "dave"])
def test_everyone_else_gets_403(signed_in, request, persona: str) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(request.getfixturevalue(persona))
    assert client.get(LOG).status_code == 403
    assert client.post(VERIFY).status_code == 403


def test_verify_is_post_only(signed_in, judy: User) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(judy).get(VERIFY).status_code == 405


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    assert client.get(LOG)["Location"].startswith(reverse("accounts:login"))
