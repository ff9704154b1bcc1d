"""Documentation pages: each works for a documenter, is a 404 for another collection, a 403 for
other roles, a 405 for GET on a write, is audited, and answers bad input with 400 and nothing stored."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.documentation.models import Act, Collection, Event, EventLink, Involvement, Site
from corridor.hotline import receipts
from tests.documentation.helpers import act, collection, event, site

pytestmark = pytest.mark.django_db
SignedIn = Callable[[User], Client]


def _event_form(made: Collection, **changes: str) -> dict[str, str]:
    return {
        "collection": str(made.pk),
        "title": "Detentions in Argun",
        "description": "Men were held in the former commandant's office.",
        "date": "2017-03~",
        "place": "RU-CE:argun",
        "site": str(site().pk),
        "submission": receipts.new_token(),
        **changes,
    }


def _act_form(**changes: str) -> dict[str, object]:
    return {
        "act_type": "030102000000",
        "methods": ["030101000000", "030800000000"],
        "victim_kind": "group",
        "victim": "Men from Argun",
        "count_min": "10",
        "count_best": "20",
        "count_max": "40",
        "date": "",
        "place": "",
        "site": "",
        "status_at_end": "X01",
        "notes": "",
        "perpetrator_kind": "institution",
        "perpetrator_type": "010104000000",
        "degree": "010100000000",
        "perpetrator_name": "Argun police department",
        "submission": receipts.new_token(),
        **changes,
    }


def test_a_documenter_records_an_event_and_an_act_through_the_pages(dora: User, signed_in: SignedIn) -> None:
    made = collection(dora)
    client = signed_in(dora)
    assert client.get(reverse("documentation:event_new")).status_code == 200
    form = _event_form(made)
    response = client.post(reverse("documentation:event_new"), form)
    assert response.status_code == 302
    recorded = Event.objects.get()
    assert response["Location"] == reverse("documentation:event", kwargs={"event_id": recorded.pk})
    # The same form sent again creates nothing and leads to the same event.
    again = client.post(reverse("documentation:event_new"), form)
    assert again["Location"] == response["Location"]
    assert Event.objects.count() == 1

    add = reverse("documentation:act_add", kwargs={"event_id": recorded.pk})
    assert client.get(add).status_code == 200
    act_form = _act_form()
    assert client.post(add, act_form).status_code == 302
    assert client.post(add, act_form).status_code == 302
    assert Act.objects.count() == 1
    assert Involvement.objects.get().institution == "Argun police department"

    page = client.get(reverse("documentation:event", kwargs={"event_id": recorded.pk}))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Detentions in Argun" in text
    assert "Men from Argun" in text
    assert "Application of electric shock" in text
    assert "Released into the custody of relatives" in text
    assert AuditEvent.objects.filter(
        action="documentation.collection_decrypted", data__purpose="event_page"
    ).exists()


def test_the_list_shows_titles_and_filters(dora: User, signed_in: SignedIn) -> None:
    made = collection(dora)
    argun = event(dora, made, title="Argun, March", date="2017-03~", site=site())
    act(dora, argun, act_type="020111110000")
    grozny = event(dora, made, title="Grozny, December", date="2017-12", place="RU-CE:grozny:oktyabrsky")
    act(
        dora,
        grozny,
        perpetrator=__import__("corridor.documentation.services", fromlist=["x"]).PerpetratorInput(
            "institution", "010106000000", "010600000000", "FSB"
        ),
    )
    client = signed_in(dora)
    url = reverse("documentation:events")

    def codes(**query: str) -> set[str]:
        response = client.get(url, query)
        assert response.status_code == 200
        return {e.code for e in (argun, grozny) if e.code in response.content.decode()}

    assert codes() == {argun.code, grozny.code}
    assert "Argun, March" in client.get(url).content.decode()
    assert codes(start="2017-21", end="2017-21") == {argun.code}
    assert codes(start="2017-06") == {grozny.code}
    since = event(dora, made, title="Held since March", date="2017-03/..")
    response = client.get(url, {"start": "2019", "end": "2019"})
    assert since.code in response.content.decode()
    assert argun.code not in response.content.decode()
    assert (
        "2017-03-01 – …"
        in client.get(reverse("documentation:event", kwargs={"event_id": since.pk})).content.decode()
    )
    assert codes(place="RU-CE:grozny") == {grozny.code}
    assert codes(place="RU-CE") == {argun.code, grozny.code}
    assert codes(site=str(site().pk)) == {argun.code}
    assert codes(act_type="020111110000") == {argun.code}
    assert codes(perpetrator_type="010106000000") == {grozny.code}
    assert AuditEvent.objects.filter(
        action="documentation.collection_decrypted", data__purpose="event_list"
    ).exists()


@pytest.mark.parametrize(
    "query", [{"start": "spring"}, {"place": "RU-XX"}, {"act_type": "1"}, {"site": "nope"}]
)
def test_bad_filters_are_a_400(dora: User, signed_in: SignedIn, query: dict[str, str]) -> None:
    collection(dora)
    response = signed_in(dora).get(reverse("documentation:events"), query)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


def test_the_list_does_not_grow_queries_with_events(
    dora: User, signed_in: SignedIn, django_assert_max_num_queries: Callable
) -> None:
    made = collection(dora)
    for number in range(3):
        act(dora, event(dora, made, title=f"event {number}"))
    client = signed_in(dora)
    client.get(reverse("documentation:events"))
    with django_assert_max_num_queries(25) as few:
        client.get(reverse("documentation:events"))
    for number in range(3, 12):
        act(dora, event(dora, made, title=f"event {number}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "event 11" in client.get(reverse("documentation:events")).content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date": "2017-02-30"}, "not a date"),
        ({"date": ""}, "Give a date"),
        ({"title": ""}, "Write something first"),
        ({"title": "<script>alert(1)</script>\x07"}, "cannot be accepted"),
        ({"title": "nul\x00"}, "Null characters are not allowed"),
        ({"place": "RU-XX"}, "Choose a value"),
        ({"place": "", "site": ""}, "gazetteer"),
        ({"collection": "00000000-0000-0000-0000-000000000000"}, "Choose a value"),
    ],
)
def test_a_bad_event_form_is_a_400_and_stores_nothing(
    dora: User, signed_in: SignedIn, changes: dict[str, str], message: str
) -> None:
    made = collection(dora)
    response = signed_in(dora).post(reverse("documentation:event_new"), _event_form(made, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"act_type": ""}, "Choose a value"),
        ({"methods": ["nope"]}, "Choose a value"),
        ({"count_min": "50"}, "in that order"),
        ({"count_best": "-1"}, "greater than or equal to 1"),
        ({"count_best": "many"}, "whole number"),
        ({"date": "2017-3"}, "not a date"),
        ({"perpetrator_name": ""}, "Write something first"),
        ({"perpetrator_type": ""}, "Choose a value"),
        ({"victim_kind": "crowd"}, "Choose a value"),
    ],
)
def test_a_bad_act_form_is_a_400_and_stores_nothing(
    dora: User, signed_in: SignedIn, changes: dict[str, str], message: str
) -> None:
    recorded = event(dora, collection(dora))
    response = signed_in(dora).post(
        reverse("documentation:act_add", kwargs={"event_id": recorded.pk}), _act_form(**changes)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Act.objects.exists()
    assert not Involvement.objects.exists()


def test_adding_a_perpetrator_and_linking_events(dora: User, signed_in: SignedIn) -> None:
    made = collection(dora)
    wave = event(dora, made, title="The spring wave", date="2017-21")
    one = event(dora, made)
    victim = act(dora, one)
    client = signed_in(dora)
    url = reverse("documentation:perpetrator_add", kwargs={"event_id": victim.event_id})
    form = {
        "act": str(victim.pk),
        "perpetrator_kind": "person",
        "perpetrator_type": "010104000000",
        "degree": "010200000000",
        "perpetrator_name": "Major K.",
        "submission": receipts.new_token(),
    }
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302
    assert Involvement.objects.count() == 1
    bad = client.post(url, {**form, "degree": "", "submission": receipts.new_token()})
    assert bad.status_code == 400
    # An act of another event is not a choice here.
    other_act = act(dora, wave)
    bad = client.post(url, {**form, "act": str(other_act.pk), "submission": receipts.new_token()})
    assert bad.status_code == 400
    assert Involvement.objects.count() == 1

    link = reverse("documentation:event_link", kwargs={"event_id": one.pk})
    assert client.post(link, {"kind": "part_of", "other": wave.code}).status_code == 302
    assert EventLink.objects.filter(from_event=one, to_event=wave, kind="part_of").exists()
    assert client.post(link, {"kind": "part_of", "other": "E-NOPE00"}).status_code == 400
    assert client.post(link, {"kind": "part_of", "other": one.code}).status_code == 400
    page = client.get(reverse("documentation:event", kwargs={"event_id": wave.pk})).content.decode()
    assert one.code in page
    assert "Major K." not in page  # the perpetrator is on the other event's page
    assert (
        "Major K." in client.get(reverse("documentation:event", kwargs={"event_id": one.pk})).content.decode()
    )


def test_collections_page_creates_and_grants(dora: User, dan: User, alice: User, signed_in: SignedIn) -> None:
    client = signed_in(dora)
    assert client.get(reverse("documentation:collections")).status_code == 200
    token = receipts.new_token()
    new = reverse("documentation:collection_new")
    assert client.post(new, {"title": "Chechnya 2017", "submission": token}).status_code == 302
    assert client.post(new, {"title": "Chechnya 2017", "submission": token}).status_code == 302
    made = Collection.objects.get()
    assert "Chechnya 2017" in client.get(reverse("documentation:collections")).content.decode()
    assert client.post(new, {"title": ""}).status_code == 400
    grant = reverse("documentation:collection_grant", kwargs={"collection_id": made.pk})
    assert client.post(grant, {"username": "alice"}).status_code == 400
    assert client.post(grant, {"username": "nobody"}).status_code == 400
    assert client.post(grant, {"username": "dan"}).status_code == 302
    assert "Chechnya 2017" in signed_in(dan).get(reverse("documentation:collections")).content.decode()
    assert AuditEvent.objects.filter(action="documentation.collection_granted").count() == 1


def test_sites_pages(dora: User, signed_in: SignedIn) -> None:
    client = signed_in(dora)
    page = client.get(reverse("documentation:sites")).content.decode()
    assert "Former military commandant&#x27;s office" in page
    assert client.get(reverse("documentation:site_new")).status_code == 200
    form = {
        "name": "Police post on the highway",
        "place": "RU-CE:gudermes",
        "site_type": "030501000000",
        "precision": "street",
        "submission": receipts.new_token(),
    }
    assert client.post(reverse("documentation:site_new"), form).status_code == 302
    assert client.post(reverse("documentation:site_new"), form).status_code == 302
    assert Site.objects.filter(name="Police post on the highway").count() == 1
    assert AuditEvent.objects.filter(action="documentation.site_added").count() == 1
    bad = client.post(reverse("documentation:site_new"), {**form, "site_type": "", "submission": ""})
    assert bad.status_code == 400
    assert Site.objects.filter(name="Police post on the highway").count() == 1


def test_another_collection_is_not_found(dora: User, dan: User, signed_in: SignedIn) -> None:
    made = collection(dora)
    recorded = event(dora, made)
    act(dora, recorded)
    collection(dan, "Dan's own")
    client = signed_in(dan)
    for name, kwargs in (
        ("documentation:event", {"event_id": recorded.pk}),
        ("documentation:act_add", {"event_id": recorded.pk}),
    ):
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404
    posts = (
        ("documentation:act_add", {"event_id": recorded.pk}, _act_form()),
        ("documentation:event_link", {"event_id": recorded.pk}, {"kind": "caused", "other": recorded.code}),
        ("documentation:perpetrator_add", {"event_id": recorded.pk}, {"perpetrator_kind": "institution"}),
        ("documentation:collection_grant", {"collection_id": made.pk}, {"username": "dan"}),
    )
    for name, kwargs, data in posts:
        assert client.post(reverse(name, kwargs=kwargs), data).status_code == 404
    # Nor does the list show it, nor can an event be recorded into it.
    assert recorded.code not in client.get(reverse("documentation:events")).content.decode()
    response = client.post(reverse("documentation:event_new"), _event_form(made))
    assert response.status_code == 400
    assert Event.objects.count() == 1


def _all_urls(made: Collection, recorded: Event, victim: Act) -> list[tuple[str, str]]:
    """Every documentation URL and the method it answers."""
    return [
        ("get", reverse("documentation:events")),
        ("get", reverse("documentation:event_new")),
        ("post", reverse("documentation:event_new")),
        ("get", reverse("documentation:event", kwargs={"event_id": recorded.pk})),
        ("get", reverse("documentation:act_add", kwargs={"event_id": recorded.pk})),
        ("post", reverse("documentation:act_add", kwargs={"event_id": recorded.pk})),
        ("post", reverse("documentation:event_link", kwargs={"event_id": recorded.pk})),
        ("post", reverse("documentation:perpetrator_add", kwargs={"event_id": victim.event_id})),
        ("get", reverse("documentation:collections")),
        ("post", reverse("documentation:collection_new")),
        ("post", reverse("documentation:collection_grant", kwargs={"collection_id": made.pk})),
        ("get", reverse("documentation:sites")),
        ("get", reverse("documentation:site_new")),
        ("post", reverse("documentation:site_new")),
    ]


def test_other_roles_are_refused_everywhere(
    dora: User, alice: User, carol: User, olga: User, dave: User, judy: User, signed_in: SignedIn
) -> None:
    made = collection(dora)
    recorded = event(dora, made)
    victim = act(dora, recorded)
    for user in (alice, carol, olga, dave, judy):
        client = signed_in(user)
        for method, url in _all_urls(made, recorded, victim):
            assert getattr(client, method)(url).status_code == 403, (user, url)
    assert Event.objects.count() == 1
    assert not AuditEvent.objects.filter(
        action="documentation.collection_decrypted",
        actor_id__in=[str(u.pk) for u in (alice, carol, olga, dave, judy)],
    ).exists()


def test_anonymous_is_sent_to_sign_in(dora: User, client: Client) -> None:
    made = collection(dora)
    recorded = event(dora, made)
    victim = act(dora, recorded)
    for method, url in _all_urls(made, recorded, victim):
        assert getattr(client, method)(url).status_code == 302


def test_get_on_a_write_is_a_405(dora: User, signed_in: SignedIn) -> None:
    made = collection(dora)
    recorded = event(dora, made)
    victim = act(dora, recorded)
    client = signed_in(dora)
    for url in (
        reverse("documentation:event_link", kwargs={"event_id": recorded.pk}),
        reverse("documentation:perpetrator_add", kwargs={"event_id": victim.event_id}),
        reverse("documentation:collection_new"),
        reverse("documentation:collection_grant", kwargs={"collection_id": made.pk}),
    ):
        assert client.get(url).status_code == 405
    for url in (
        reverse("documentation:events"),
        reverse("documentation:event", kwargs={"event_id": recorded.pk}),
    ):
        assert client.post(url).status_code == 405


def test_the_pages_speak_russian(dora: User, signed_in: SignedIn) -> None:
    from django.conf import settings as django_settings

    made = collection(dora)
    recorded = event(dora, made, site=site())
    act(dora, recorded, act_type="X01", methods=["030800000000"])
    client = signed_in(dora)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get(reverse("documentation:event", kwargs={"event_id": recorded.pk})).content.decode()
    for text in ("Эпизоды", "Принудительный аутинг перед семьёй", "Пытки электрическим током", "Аргун"):
        assert text in page
    listing = client.get(reverse("documentation:events")).content.decode()
    assert "Записать событие" in listing
    assert "Здание бывшей военной комендатуры" in listing
