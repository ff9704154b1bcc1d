"""Documentation linked to hotline threads and cases: "Document this" from a thread or a case, the link
shown only to those who can open what it leads to, a person linked to their case, and the read-only
copy caseworkers see on the case page (under the case key, re-keyed with it)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import Role, User
from corridor.audit.models import AuditEvent
from corridor.cases import grants
from corridor.cases import services as case_services
from corridor.cases.models import Case
from corridor.documentation import copies, links, persons, services
from corridor.documentation.keys import open_collection_key
from corridor.documentation.models import CaseCopy, Collection, Event, Information, Person
from corridor.hotline import receipts
from corridor.hotline.models import Thread
from tests.cases.test_case_canary import _database_images
from tests.conftest import make_user
from tests.documentation.helpers import act, collection, event, site
from tests.hotline.helpers import open_web_thread, private_key

pytestmark = pytest.mark.django_db
SignedIn = Callable[[User], Client]


@pytest.fixture
def doris(org: dict[str, object]) -> User:
    """A documenter who also works the hotline: she can open threads, and cases granted to her."""
    return make_user(org, "doris", {Role.DOCUMENTER, Role.OPERATOR})


def _case_for(olga: User, alice: User, doris: User, text: str = "They held me in Argun.") -> Case:
    thread = open_web_thread(text).thread
    new = case_services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=thread, caseworker=alice
    )
    case = Case.objects.select_related("key").get(pk=new.case.pk)
    grants.grant_case_access(actor=alice, user_private_key=private_key(alice), case=case, grantee=doris)
    return case


def _event_form(made: Collection, **extra: str) -> dict[str, str]:
    return {
        "collection": str(made.pk),
        "title": "Detentions in Argun",
        "description": "Held in the former commandant's office.",
        "date": "2017-03~",
        "place": "RU-CE:argun",
        "site": str(site().pk),
        "submission": receipts.new_token(),
        **extra,
    }


def _origin(who: User, recorded: Event) -> copies.Origin | None:
    key = open_collection_key(
        user=who, user_private_key=private_key(who), collection=recorded.collection, purpose="test"
    )
    return copies.read_origin(key, recorded)


def _case_page(client: Client, case: Case) -> str:
    response = client.get(reverse("cases:case", kwargs={"case_id": case.pk}))
    assert response.status_code == 200
    return response.content.decode()


# --- from a hotline thread ---------------------------------------------------------------------------


def test_document_this_from_a_thread_keeps_the_link_and_shows_its_code_only_to_hotline_staff(
    doris: User, dan: User, signed_in: SignedIn
) -> None:
    thread = open_web_thread("They took me at the Argun post.").thread
    made = collection(doris)
    services.grant_collection(actor=doris, user_private_key=private_key(doris), collection=made, grantee=dan)
    client = signed_in(doris)

    thread_page = client.get(
        reverse("hotline_staff:thread", kwargs={"thread_id": thread.pk})
    ).content.decode()
    form_url = f"{reverse('documentation:event_new')}?thread={thread.pk}"
    assert form_url in thread_page
    form = client.get(form_url)
    assert form.status_code == 200
    assert thread.code in form.content.decode()

    response = client.post(reverse("documentation:event_new"), _event_form(made, thread=str(thread.pk)))
    assert response.status_code == 302
    recorded = Event.objects.get()
    assert _origin(doris, recorded) == copies.Origin(copies.THREAD, thread.pk)
    assert AuditEvent.objects.get(action="documentation.event_recorded").data == {"from": "thread"}
    page = client.get(reverse("documentation:event", kwargs={"event_id": recorded.pk})).content.decode()
    assert thread.code in page
    assert reverse("hotline_staff:thread", kwargs={"thread_id": thread.pk}) in page

    # Dan holds the collection but not the hotline key: he reads that there is a thread, nothing of it.
    other = signed_in(dan).get(reverse("documentation:event", kwargs={"event_id": recorded.pk}))
    assert other.status_code == 200
    text = other.content.decode()
    assert "A hotline thread" in text
    assert thread.code not in text
    assert str(thread.pk) not in text


def test_a_documenter_without_the_thread_cannot_name_it(doris: User, dora: User, signed_in: SignedIn) -> None:
    thread = open_web_thread().thread
    made = collection(dora)
    client = signed_in(dora)
    # Dora is no operator: the thread is a 404 to her, as one that does not exist.
    assert client.get(f"{reverse('documentation:event_new')}?thread={thread.pk}").status_code == 404
    response = client.post(reverse("documentation:event_new"), _event_form(made, thread=str(thread.pk)))
    assert response.status_code == 404
    assert not Event.objects.exists()
    thread_page = signed_in(doris).get(reverse("hotline_staff:thread", kwargs={"thread_id": thread.pk}))
    # Doris holds no collection yet: the thread page offers nothing to document.
    assert reverse("documentation:event_new") not in thread_page.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "thread=not-a-uuid",
        "thread=0f6c2a4e-5d1b-4c8e-9a37-2b1e8d4f6a90",
        "case=7d3e9b12-84a5-4f6c-b0d2-5e9a1c7f3b48",
        "case=%00",
        "thread=1&case=2",
    ],
)
def test_a_bad_origin_is_a_404_and_nothing_is_recorded(doris: User, signed_in: SignedIn, query: str) -> None:
    made = collection(doris)
    client = signed_in(doris)
    assert client.get(f"{reverse('documentation:event_new')}?{query}").status_code == 404
    data = _event_form(made)
    for pair in query.split("&"):
        name, _sep, value = pair.partition("=")
        data[name] = value.replace("%00", "\x00")
    assert client.post(reverse("documentation:event_new"), data).status_code == 404
    assert not Event.objects.exists()


# --- from a case, and the caseworker's copy ------------------------------------------------------------


def test_document_this_from_a_case_gives_its_caseworkers_a_read_only_copy(
    olga: User, alice: User, bob: User, doris: User, signed_in: SignedIn
) -> None:
    case = _case_for(olga, alice, doris)
    made = collection(doris)
    client = signed_in(doris)
    case_page = _case_page(client, case)
    form_url = f"{reverse('documentation:event_new')}?case={case.pk}"
    assert form_url in case_page
    assert case.code in client.get(form_url).content.decode()
    response = client.post(reverse("documentation:event_new"), _event_form(made, case=str(case.pk)))
    assert response.status_code == 302
    recorded = Event.objects.get()
    assert CaseCopy.objects.filter(case=case).count() == 1
    audit = AuditEvent.objects.filter(action="cases.case_decrypted", target_id=str(case.pk))
    assert audit.filter(data__purpose="documentation_copy").exists()

    # Two acts: the person of this case, and someone else whose name the caseworker must not read.
    ruslan = persons.add_person(
        actor=doris,
        user_private_key=private_key(doris),
        collection=made,
        identity=persons.Identity(name="Ruslan Akhmadov"),
    )
    links.link_person_to_case(
        actor=doris, user_private_key=private_key(doris), person=ruslan, case_code=case.code.lower()
    )
    act(doris, recorded, victim="", victim_person=ruslan.code, act_type="X01", status_at_end="X01")
    act(doris, recorded, victim="Magomed, a neighbour")
    # One account from this case's testimony, one from an interview.
    source = persons.add_source(
        actor=doris,
        user_private_key=private_key(doris),
        collection=made,
        kind="victim",
        description="",
        person_code=ruslan.code,
    )
    for statement, origin in (
        ("Six of us were held.", copies.Origin(copies.CASE, case.pk)),
        ("Told at an interview in Moscow.", None),
    ):
        persons.add_information(
            actor=doris,
            user_private_key=private_key(doris),
            event=recorded,
            data=persons.InformationInput(
                source_code=source.code,
                connection="010200000000",
                reliability="B",
                credibility=2,
                statement=statement,
            ),
            origin=origin,
        )
    assert CaseCopy.objects.filter(case=case).count() == 1

    page = _case_page(signed_in(alice), case)
    assert recorded.code in page
    assert "Detentions in Argun" in page
    assert "Ruslan Akhmadov" in page
    assert "Forced outing to family" in page
    assert "Six of us were held." in page
    assert "Magomed" not in page
    assert "Told at an interview in Moscow." not in page
    assert "Held in the former commandant" not in page  # the narrative stays with the documenters
    # The caseworker reads it on the case page, but documentation itself stays closed to her.
    assert (
        signed_in(alice).get(reverse("documentation:event", kwargs={"event_id": recorded.pk})).status_code
        == 403
    )
    # Bob works on cases but holds no grant on this one.
    assert signed_in(bob).get(reverse("cases:case", kwargs={"case_id": case.pk})).status_code == 404


def test_the_copy_is_re_keyed_with_the_case(
    olga: User, alice: User, doris: User, signed_in: SignedIn
) -> None:
    case = _case_for(olga, alice, doris)
    made = collection(doris)
    services.record_event_from_testimony(
        actor=doris,
        user_private_key=private_key(doris),
        collection=made,
        data=services.EventInput(title="Argun, March", description="", date="2017-03", place="RU-CE:argun"),
        origin=copies.Origin(copies.CASE, case.pk),
    )
    before = bytes(CaseCopy.objects.get(case=case).copy)
    grants.revoke_case_access(
        actor=alice, user_private_key=private_key(alice), case=case, user=doris, rekey=True
    )
    assert bytes(CaseCopy.objects.get(case=case).copy) != before
    assert "Argun, March" in _case_page(signed_in(alice), case)


def test_a_copy_moved_to_another_case_does_not_open(
    olga: User, alice: User, doris: User, signed_in: SignedIn
) -> None:
    case = _case_for(olga, alice, doris)
    other = _case_for(olga, alice, doris, "Another person.")
    made = collection(doris)
    services.record_event_from_testimony(
        actor=doris,
        user_private_key=private_key(doris),
        collection=made,
        data=services.EventInput(title="Argun, March", description="", date="2017-03", place="RU-CE:argun"),
        origin=copies.Origin(copies.CASE, case.pk),
    )
    # A database write moves the copy to another case: the envelope binds its case, it does not open.
    CaseCopy.objects.filter(case=case).update(case=other)
    page = _case_page(signed_in(alice), other)
    assert "Argun, March" not in page
    assert "A copy cannot be decrypted" in page


# --- a person linked to their case ----------------------------------------------------------------------


def test_linking_a_person_to_a_case_shows_the_case_only_to_those_who_hold_it(
    olga: User, alice: User, doris: User, dan: User, signed_in: SignedIn
) -> None:
    case = _case_for(olga, alice, doris)
    made = collection(doris)
    services.grant_collection(actor=doris, user_private_key=private_key(doris), collection=made, grantee=dan)
    recorded = event(doris, made)
    ruslan = persons.add_person(
        actor=doris,
        user_private_key=private_key(doris),
        collection=made,
        identity=persons.Identity(name="Ruslan"),
    )
    act(doris, recorded, victim="", victim_person=ruslan.code)
    client = signed_in(doris)
    url = reverse("documentation:person_case", kwargs={"person_id": ruslan.pk})
    assert client.get(url).status_code == 405

    response = client.post(url, {"case": case.code})
    assert response.status_code == 302
    assert CaseCopy.objects.filter(case=case).count() == 1
    linked = AuditEvent.objects.get(action="documentation.person_linked_to_case")
    assert str(case.pk) not in str(linked.data)
    assert case.code not in str(linked.data)
    person_page = client.get(
        reverse("documentation:person", kwargs={"person_id": ruslan.pk})
    ).content.decode()
    assert case.code in person_page

    # Dan holds the collection, not the case: no code, no stage, no name.
    dans = (
        signed_in(dan).get(reverse("documentation:person", kwargs={"person_id": ruslan.pk})).content.decode()
    )
    assert "An evacuation case" in dans
    assert case.code not in dans
    assert str(case.pk) not in dans
    # Nor can he link anyone to it: the case is unknown to him, and nothing changes.
    refused = signed_in(dan).post(url, {"case": case.code})
    assert refused.status_code == 400
    assert "There is no case with this code among the cases you can open." in refused.content.decode()
    assert CaseCopy.objects.filter(case=case).count() == 1

    # Unlinked: the copy made for him goes from the case.
    assert client.post(url, {"case": ""}).status_code == 302
    assert not CaseCopy.objects.filter(case=case).exists()
    assert not bytes(Person.objects.get(pk=ruslan.pk).case_link)


@pytest.mark.parametrize("code", ["C-\x00", "x" * 17, "C-NOPE"])
def test_a_bad_case_code_is_refused_and_nothing_changes(doris: User, signed_in: SignedIn, code: str) -> None:
    made = collection(doris)
    ruslan = persons.add_person(
        actor=doris,
        user_private_key=private_key(doris),
        collection=made,
        identity=persons.Identity(name="Ruslan"),
    )
    response = signed_in(doris).post(
        reverse("documentation:person_case", kwargs={"person_id": ruslan.pk}), {"case": code}
    )
    assert response.status_code == 400
    assert not bytes(Person.objects.get(pk=ruslan.pk).case_link)


def test_an_account_from_a_case_the_documenter_cannot_open_is_a_404(
    olga: User, alice: User, bob: User, doris: User, signed_in: SignedIn
) -> None:
    case = _case_for(olga, alice, bob)  # granted to bob, not to doris
    made = collection(doris)
    recorded = event(doris, made)
    source = persons.add_source(
        actor=doris, user_private_key=private_key(doris), collection=made, kind="media", description="A paper"
    )
    response = signed_in(doris).post(
        reverse("documentation:information_add", kwargs={"event_id": recorded.pk}),
        {
            "source": source.code,
            "connection": "010200000000",
            "reliability": "B",
            "credibility": "2",
            "taken_from": f"case:{case.pk}",
            "submission": receipts.new_token(),
        },
    )
    assert response.status_code == 404
    assert not Information.objects.exists()


# --- the views: who may, and what is audited -------------------------------------------------------------


def test_copies_view_needs_a_post_and_the_collection(
    olga: User, alice: User, doris: User, dan: User, signed_in: SignedIn
) -> None:
    case = _case_for(olga, alice, doris)
    made = collection(doris)
    recorded = services.record_event_from_testimony(
        actor=doris,
        user_private_key=private_key(doris),
        collection=made,
        data=services.EventInput(title="Argun", description="", date="2017-03", place="RU-CE:argun"),
        origin=copies.Origin(copies.CASE, case.pk),
    )
    url = reverse("documentation:event_copies", kwargs={"event_id": recorded.pk})
    client = signed_in(doris)
    assert client.get(url).status_code == 405
    assert signed_in(dan).post(url).status_code == 404  # not given the collection
    assert signed_in(alice).post(url).status_code == 403  # a caseworker, not a documenter
    before = AuditEvent.objects.filter(action="documentation.collection_decrypted").count()
    assert client.post(url).status_code == 302
    assert AuditEvent.objects.filter(action="documentation.collection_decrypted").count() == before + 1
    assert AuditEvent.objects.get(action="documentation.case_copies_written").data == {"copies": 1}


def _every_documentation_url(ids: dict[str, uuid.UUID]) -> list[str]:
    from corridor.documentation.urls import urlpatterns

    urls = []
    for pattern in urlpatterns:
        kwargs = {name: ids.get(name, uuid.uuid4()) for name in pattern.pattern.converters}
        urls.append(reverse(f"documentation:{pattern.name}", kwargs=kwargs))
    return urls


def test_administrators_and_auditors_see_no_documentation_anywhere(
    olga: User, alice: User, doris: User, dave: User, judy: User, signed_in: SignedIn
) -> None:
    case = _case_for(olga, alice, doris)
    made = collection(doris)
    recorded = services.record_event_from_testimony(
        actor=doris,
        user_private_key=private_key(doris),
        collection=made,
        data=services.EventInput(title="Argun in March", description="", date="2017-03", place="RU-CE:argun"),
        origin=copies.Origin(copies.CASE, case.pk),
    )
    ruslan = persons.add_person(
        actor=doris,
        user_private_key=private_key(doris),
        collection=made,
        identity=persons.Identity(name="Ruslan"),
    )
    ids = {"event_id": recorded.pk, "person_id": ruslan.pk, "collection_id": made.pk}
    urls = _every_documentation_url(ids)
    assert len(urls) >= 20
    for user in (dave, judy):
        client = signed_in(user)
        for url in urls:
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code in (403, 404, 405), (user.username, url)
                assert b"Argun in March" not in response.content
        # Nor on the pages of a case or a thread: neither is theirs.
        assert client.get(reverse("cases:case", kwargs={"case_id": case.pk})).status_code in (403, 404)
        thread = Thread.objects.get(pk=case.thread_id)
        assert client.get(reverse("hotline_staff:thread", kwargs={"thread_id": thread.pk})).status_code in (
            403,
            404,
        )
        home = client.get("/staff/", follow=True).content.decode()
        assert "Argun in March" not in home
        assert reverse("documentation:events") not in home


# --- nothing of it in the clear ---------------------------------------------------------------------


def test_links_and_copies_are_nowhere_in_the_clear(
    olga: User, alice: User, doris: User, signed_in: SignedIn
) -> None:
    canary = f"canary-{uuid.uuid4().hex}"
    case = _case_for(olga, alice, doris)
    made = collection(doris)
    client = signed_in(doris)
    response = client.post(
        reverse("documentation:event_new"), _event_form(made, case=str(case.pk), title=f"{canary} title")
    )
    assert response.status_code == 302
    recorded = Event.objects.get()
    source = persons.add_source(
        actor=doris, user_private_key=private_key(doris), collection=made, kind="media", description="A paper"
    )
    response = client.post(
        reverse("documentation:information_add", kwargs={"event_id": recorded.pk}),
        {
            "source": source.code,
            "connection": "010200000000",
            "reliability": "B",
            "credibility": "2",
            "statement": f"{canary} statement",
            "taken_from": f"case:{case.pk}",
            "submission": receipts.new_token(),
        },
    )
    assert response.status_code == 302
    ruslan = persons.add_person(
        actor=doris,
        user_private_key=private_key(doris),
        collection=made,
        identity=persons.Identity(name="Ruslan"),
    )
    links.link_person_to_case(
        actor=doris, user_private_key=private_key(doris), person=ruslan, case_code=case.code
    )
    page = _case_page(signed_in(alice), case)
    assert f"{canary} title" in page
    assert f"{canary} statement" in page

    for name, image in _database_images().items():
        assert canary.encode() not in image, name
    # No documentation row names the case or its thread in the clear.
    ids = {str(case.pk), case.pk.hex, str(case.thread_id), case.thread_id.hex if case.thread_id else ""}
    with connection.cursor() as cursor:
        for table in ("documentation_event", "documentation_information", "documentation_person"):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            rows = repr(cursor.fetchall())
            for value in ids:
                assert value not in rows, table


def test_the_case_section_speaks_russian(olga: User, alice: User, doris: User, signed_in: SignedIn) -> None:
    case = _case_for(olga, alice, doris)
    made = collection(doris)
    recorded = services.record_event_from_testimony(
        actor=doris,
        user_private_key=private_key(doris),
        collection=made,
        data=services.EventInput(title="Argun", description="", date="2017-03", place="RU-CE:argun"),
        origin=copies.Origin(copies.CASE, case.pk),
    )
    act(doris, recorded, act_type="X01")
    client = signed_in(alice)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = _case_page(client, case)
    for text in (
        "Документация",
        "записано по показаниям из этого дела",
        "Принудительный аутинг перед семьёй",
    ):
        assert text in page


def test_a_thread_that_becomes_a_case_gets_its_copy_when_a_documenter_updates_it(
    olga: User, alice: User, doris: User, signed_in: SignedIn
) -> None:
    thread = open_web_thread("They took me at the Argun post.").thread
    made = collection(doris)
    recorded = services.record_event_from_testimony(
        actor=doris,
        user_private_key=private_key(doris),
        collection=made,
        data=services.EventInput(title="Argun post", description="", date="2017-03", place="RU-CE:argun"),
        origin=copies.Origin(copies.THREAD, thread.pk),
    )
    assert not CaseCopy.objects.exists()  # no case yet: nobody to copy it to
    new = case_services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=thread, caseworker=alice
    )
    case = Case.objects.select_related("key").get(pk=new.case.pk)
    grants.grant_case_access(actor=alice, user_private_key=private_key(alice), case=case, grantee=doris)
    client = signed_in(doris)
    response = client.post(
        reverse("documentation:event_copies", kwargs={"event_id": recorded.pk}), follow=True
    )
    assert "1 copy on a case was written." in response.content.decode()
    assert "Argun post" in _case_page(signed_in(alice), case)
    # Sent again, the copy is replaced, not doubled.
    client.post(reverse("documentation:event_copies", kwargs={"event_id": recorded.pk}))
    assert CaseCopy.objects.filter(case=case).count() == 1


def test_who_may_link_a_person_to_a_case(
    olga: User, alice: User, doris: User, dora: User, signed_in: SignedIn
) -> None:
    case = _case_for(olga, alice, doris)
    made = collection(doris)
    ruslan = persons.add_person(
        actor=doris,
        user_private_key=private_key(doris),
        collection=made,
        identity=persons.Identity(name="Ruslan"),
    )
    url = reverse("documentation:person_case", kwargs={"person_id": ruslan.pk})
    assert signed_in(dora).post(url, {"case": case.code}).status_code == 404  # not given the collection
    assert signed_in(alice).post(url, {"case": case.code}).status_code == 403  # holds the case, no documenter
    assert not bytes(Person.objects.get(pk=ruslan.pk).case_link)
    assert signed_in(doris).post(url, {"case": case.code}).status_code == 302
    assert AuditEvent.objects.filter(
        action="documentation.collection_decrypted", data__purpose="link_person_to_case"
    ).exists()
