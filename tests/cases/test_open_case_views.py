"""Opening a case: from a hotline thread (and what the thread page shows), or directly; the home links."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from corridor.accounts.models import Role, User
from corridor.audit.models import AuditEvent
from corridor.cases import identifiers, services
from corridor.cases.models import Case, Origin
from corridor.cases.profile import Profile
from corridor.hotline.models import Thread
from corridor.hotline.receipts import new_token
from corridor.hotline.triage import Triage
from tests.conftest import make_user
from tests.hotline.helpers import open_web_thread, private_key

PHONE = "+7 928 000 11 22"


def notes(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def open_url(thread: Thread | uuid.UUID) -> str:
    return reverse("cases:open_from_thread", kwargs={"thread_id": getattr(thread, "pk", thread)})


def case_url(case: Case) -> str:
    return reverse("cases:case", kwargs={"case_id": case.pk})


@pytest.fixture
def thread(olga: User) -> Thread:
    return open_web_thread("help", triage=Triage(region="RU-CE", safe_contact=f"call {PHONE}")).thread


def referred_case(carol: User, bob: User) -> Case:
    return services.open_case_directly(
        actor=carol,
        user_private_key=private_key(carol),
        origin=Origin.PARTNER,
        profile=Profile(phones=[PHONE]),
        region="RU-IN",
        urgency=2,
        factors=[],
        caseworker=bob,
    ).case


# --- from a thread --------------------------------------------------------------------


def test_operator_opens_a_case_from_the_thread(signed_in, olga: User, alice: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(olga)
    page = client.get(reverse("hotline_staff:thread", args=[thread.pk])).content.decode()
    assert open_url(thread) in page
    response = client.post(open_url(thread), {"caseworker": "alice"})
    case = Case.objects.get(thread=thread)
    assert response.status_code == 302
    assert response["Location"] == case_url(case)
    assert case.caseworker == alice
    assert AuditEvent.objects.filter(action="cases.case_opened", target_id=str(case.pk)).exists()
    page = client.get(reverse("hotline_staff:thread", args=[thread.pk])).content.decode()
    assert open_url(thread) not in page
    assert case_url(case) in page


def test_opening_twice_keeps_one_case(signed_in, carol: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(carol)
    first = client.post(open_url(thread), {"caseworker": ""})
    second = client.post(open_url(thread), {"caseworker": ""})
    assert Case.objects.filter(thread=thread).count() == 1
    assert first["Location"] == second["Location"]
    assert "already a case" in notes(second)


def test_a_duplicate_is_named_by_its_minimal_card(  # type: ignore[no-untyped-def]
    signed_in, olga: User, carol: User, bob: User, thread: Thread
) -> None:
    earlier = referred_case(carol, bob)
    response = signed_in(olga).post(open_url(thread), {"caseworker": ""})
    text = notes(response)
    assert "Possible duplicate" in text
    assert earlier.code in text
    assert "bob" in text
    assert "Security concern" not in text


def test_a_blocklist_match_is_a_security_concern_that_names_no_case(  # type: ignore[no-untyped-def]
    signed_in, olga: User, carol: User, bob: User, thread: Thread
) -> None:
    provocateur = referred_case(carol, bob)
    identifiers.block_identifiers_of(provocateur)
    response = signed_in(olga).post(open_url(thread), {"caseworker": ""})
    text = notes(response)
    assert "Security concern" in text
    assert provocateur.code not in text
    case = Case.objects.get(thread=thread)
    assert case.flags.filter(kind="security_concern", cleared_at__isnull=True).exists()


def test_thread_page_shows_a_security_concern(signed_in, olga: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    Thread.objects.filter(pk=thread.pk).update(security_concern_at=thread.created_at)
    page = signed_in(olga).get(reverse("hotline_staff:thread", args=[thread.pk])).content.decode()
    assert "security concern" in page


def test_a_withheld_thread_says_the_case_holds_it(  # type: ignore[no-untyped-def]
    signed_in, org, olga: User, alice: User, thread: Thread
) -> None:
    services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=thread, caseworker=alice
    )
    other = make_user(org, "otto", {Role.OPERATOR})
    page = signed_in(other).get(reverse("hotline_staff:thread", args=[thread.pk])).content.decode()
    assert "held by the case" in page


@pytest.mark.parametrize(
    ("username", "error"),
    [
        ("nobody", "There is no active caseworker with this user name."),
        ("olga", "There is no active caseworker with this user name."),
        ("ali\x00ce", "Null characters are not allowed."),
        ("a" * 151, "at most 150 characters"),
    ],
)
def test_bad_caseworker_opens_nothing(
    signed_in, olga: User, alice: User, thread: Thread, username: str, error: str
) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(olga).post(open_url(thread), {"caseworker": username})
    assert response.status_code == 302
    assert response["Location"] == reverse("hotline_staff:thread", args=[thread.pk])
    assert error in notes(response)
    assert not Case.objects.exists()


def test_open_from_thread_refusals(signed_in, olga: User, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(olga)
    assert client.get(open_url(thread)).status_code == 405
    assert client.post(open_url(uuid.uuid4()), {}).status_code == 404
    assert not Case.objects.exists()


@pytest.mark.parametrize("who", ["alice", "dave", "judy"])
def test_open_from_thread_needs_the_hotline(signed_in, request, who: str, thread: Thread) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(request.getfixturevalue(who)).post(open_url(thread), {}).status_code == 403
    assert not Case.objects.exists()


# --- directly -------------------------------------------------------------------------


def form_data(**changes: str) -> dict[str, str]:
    data = {
        "submission": new_token(),
        "origin": "partner",
        "region": "RU-CE",
        "urgency": "2",
        "names": "Ruslan\nRuslan A.",
        "phones": PHONE,
        "emails": "",
        "handles": "@ruslan_a",
        "documents": "",
        "caseworker": "alice",
    }
    return {**data, **changes}


def test_caseworker_opens_a_case_directly_once_per_form(signed_in, alice: User) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(alice)
    page = client.get(reverse("cases:new_case"))
    assert page.status_code == 200
    assert 'name="submission"' in page.content.decode()
    data = form_data()
    first = client.post(reverse("cases:new_case"), data)
    case = Case.objects.get()
    assert first.status_code == 302
    assert first["Location"] == case_url(case)
    assert (case.origin, case.region, case.urgency, case.caseworker) == ("partner", "RU-CE", 2, alice)
    key = services.open_case_key(user=alice, user_private_key=private_key(alice), case=case, purpose="t")
    assert services.read_profile(key, case).names == ["Ruslan", "Ruslan A."]
    again = client.post(reverse("cases:new_case"), data)
    assert again["Location"] == first["Location"]
    assert Case.objects.count() == 1
    assert "already sent" in notes(again)
    assert AuditEvent.objects.filter(action="cases.case_opened").count() == 1


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"origin": "hotline"}, "Choose how the person reached us."),
        ({"region": "RU-XX"}, "Choose one of the regions in the list."),
        ({"urgency": "9"}, "Choose one of the urgencies in the list."),
        ({"names": "Rus\x00lan"}, "Null characters are not allowed."),
        ({"names": "a" * 201}, "Each line is at most 200 characters."),
        ({"phones": "\n".join(str(n) for n in range(21))}, "At most 20, one a line."),
        ({"caseworker": "dave"}, "There is no active caseworker with this user name."),
    ],
)
def test_new_case_bad_input_creates_nothing(  # type: ignore[no-untyped-def]
    signed_in, carol: User, alice: User, dave: User, changes: dict[str, str], error: str
) -> None:
    response = signed_in(carol).post(reverse("cases:new_case"), form_data(**changes))
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize("who", ["olga", "dave", "judy"])
def test_new_case_refuses_other_roles(signed_in, request, who: str) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(request.getfixturevalue(who))
    assert client.get(reverse("cases:new_case")).status_code == 403
    assert client.post(reverse("cases:new_case"), form_data(caseworker="")).status_code == 403
    assert not Case.objects.exists()


# --- home -----------------------------------------------------------------------------


def test_home_links_to_the_case_pages(signed_in, alice: User, carol: User, dave: User) -> None:  # type: ignore[no-untyped-def]
    mine = signed_in(alice).get(reverse("web:home")).content.decode()
    assert reverse("cases:my_cases") in mine
    assert reverse("cases:search") in mine
    assert reverse("cases:approvals") in mine
    assert reverse("cases:board") not in mine
    coordinator = signed_in(carol).get(reverse("web:home")).content.decode()
    assert reverse("cases:board") in coordinator
    assert reverse("cases:access_requests") in coordinator
    assert reverse("cases:search") not in signed_in(dave).get(reverse("web:home")).content.decode()
