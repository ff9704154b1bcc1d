"""A web request's contact details are checked against the cases and the blocklist when an
operator who holds the index key reads the thread (the server itself holds no index key)."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from corridor.accounts.models import Role, User
from corridor.cases import services
from corridor.cases.models import BlockedIdentifier, Case
from corridor.crypto.blind import IndexKind
from corridor.hotline.models import Thread
from corridor.hotline.triage import Triage
from tests.conftest import make_user
from tests.hotline.helpers import open_web_thread, private_key

SignedIn = Callable[[User], Client]


def blocked_case(olga: User, caseworker: User, phone: str) -> Case:
    """A case from a request with this phone, its phone blocked as a provocateur's closing would."""
    first = open_web_thread("first", triage=Triage(region="RU-CE", safe_contact=phone)).thread
    case = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=first, caseworker=caseworker
    ).case
    BlockedIdentifier.objects.bulk_create(
        BlockedIdentifier(kind=i.kind, digest=bytes(i.digest), source_case=case, added_at=case.created_at)
        for i in case.identifiers.filter(kind=IndexKind.PHONE)
    )
    return case


def _thread_page(client: Client, thread: Thread) -> str:
    response = client.get(reverse("hotline_staff:thread", kwargs={"thread_id": thread.pk}))
    assert response.status_code == 200
    return response.content.decode()


def test_a_blocked_phone_flags_the_thread_when_an_operator_reads_it(
    signed_in: SignedIn, org: dict[str, object], olga: User, alice: User
) -> None:
    case = blocked_case(olga, alice, "+7 928 444-55-66")
    later = open_web_thread("again", triage=Triage(region="RU-CE", safe_contact="8 928 444 55 66")).thread
    assert Thread.objects.get(pk=later.pk).security_concern_at is None
    # Another operator, who does not hold the blocked case, reads the new request.
    page = _thread_page(signed_in(make_user(org, "oleg", {Role.OPERATOR})), later)
    assert Thread.objects.get(pk=later.pk).security_concern_at is not None
    assert "security concern" in page
    # The case that put the phone on the blocklist is not named to the operator.
    assert case.code not in page


def test_a_shared_phone_shows_the_other_case_as_a_minimal_card(
    signed_in: SignedIn, olga: User, bob: User
) -> None:
    first = open_web_thread("first", triage=Triage(region="RU-IN", safe_contact="+7 928 777-00-11")).thread
    case = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=first, caseworker=bob
    ).case
    later = open_web_thread("later", triage=Triage(region="RU-CE", safe_contact="+79287770011")).thread
    page = _thread_page(signed_in(olga), later)
    assert Case.objects.get(pk=case.pk).code in page
    assert "already in another case" in page
    assert Thread.objects.get(pk=later.pk).security_concern_at is None


def test_operator_intake_checks_the_contact_before_the_codename_is_given(
    signed_in: SignedIn, org: dict[str, object], olga: User, alice: User
) -> None:
    case = blocked_case(olga, alice, "+7 928 321-00-99")
    fields = {
        "channel": "phone",
        "contact": "8 (928) 321 00 99",
        "region": "RU-CE",
        "outed_to_family": "unsure",
        "has_internal_passport": "unsure",
        "has_foreign_passport": "unsure",
        "text": "Called, wants to meet the others.",
    }
    response = signed_in(make_user(org, "oleg", {Role.OPERATOR})).post(
        reverse("hotline_staff:intake"), fields
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "matches the blocklist" in page
    assert case.code not in page
    assert Thread.objects.exclude(pk=case.thread_id).get().security_concern_at is not None


def test_search_does_not_name_the_case_behind_a_blocklist_entry(
    signed_in: SignedIn, olga: User, alice: User, bob: User
) -> None:
    case = blocked_case(olga, alice, "+7 928 654-32-10")
    search = reverse("cases:search")
    fields = {"kind": "phone", "value": "8 (928) 654-32-10"}
    assert case.code not in signed_in(bob).post(search, fields).content.decode()
    # Its holder still finds it.
    assert case.code in signed_in(alice).post(search, fields).content.decode()
