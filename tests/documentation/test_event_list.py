"""The event list's filters and pages: the same events whichever filter drives the query, in order."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.documentation import access, imports, reading, services
from corridor.documentation.models import Collection, Event
from tests.documentation.helpers import act, collection, event, site
from tests.hotline.helpers import private_key

pytestmark = pytest.mark.django_db
SignedIn = Callable[[User], Client]
POLICE = "010104000000"
FAMILY = "110100000000"
TORTURE = "020111110000"
DETENTION = "030102000000"
SITE_TYPE = "030102000000"  # a district authorities office


def _by(perpetrator_type: str) -> services.PerpetratorInput:
    return services.PerpetratorInput("institution", perpetrator_type, "010100000000", "Them")


def test_every_filter_finds_the_same_events_whichever_drives_the_query(dora: User, dan: User) -> None:
    mine = collection(dora)
    argun = event(dora, mine, title="a", date="2017-03~", place="RU-CE:argun", site=site())
    act(dora, argun, act_type=TORTURE, perpetrator=_by(POLICE))
    grozny = event(dora, mine, title="b", date="2017-12", place="RU-CE:grozny:oktyabrsky")
    act(dora, grozny, act_type=DETENTION, perpetrator=_by(FAMILY), place="RU-DA:makhachkala")
    act(dora, grozny, act_type=TORTURE, site=str(site().pk))
    moscow = event(dora, mine, title="c", date="2019", place="RU-MOW")
    act(dora, moscow, act_type=DETENTION, perpetrator=_by(POLICE))
    quiet = event(dora, mine, title="d", date="2018-05-02", place="RU-CE")
    # Another documenter's collection: never listed, whatever it matches.
    theirs = event(dan, collection(dan), title="e", date="2017-03~", place="RU-CE:argun", site=site())
    act(dan, theirs, act_type=TORTURE, perpetrator=_by(POLICE))
    cases = [
        (reading.EventFilter(), {argun, grozny, moscow, quiet}),
        (reading.EventFilter(start=date(2017, 6, 1), end=date(2018, 12, 31)), {grozny, quiet}),
        (reading.EventFilter(place="RU-CE"), {argun, grozny, quiet}),
        (reading.EventFilter(place="RU-DA"), {grozny}),  # one of its acts is there
        (reading.EventFilter(site=site()), {argun, grozny}),  # the event's site, or an act's
        (reading.EventFilter(act_type=TORTURE), {argun, grozny}),
        (reading.EventFilter(perpetrator_type=POLICE), {argun, moscow}),
        (reading.EventFilter(place="RU-CE", act_type=DETENTION), {grozny}),
        (reading.EventFilter(place="RU-CE", perpetrator_type=POLICE, act_type=TORTURE), {argun}),
        (reading.EventFilter(site=site(), perpetrator_type=FAMILY, start=date(2017, 12, 5)), {grozny}),
        (reading.EventFilter(place="RU-MOW", act_type=TORTURE), set()),
        (reading.EventFilter(perpetrator_type="010105000000"), set()),  # nobody's
    ]
    readable = access.readable_events(dora)
    for chosen, expected in cases:
        # 0: never driven by a filter's rows; 1: only by one matching nothing; the default: the rarest.
        for driving_rows in (0, 1, 3, reading.DRIVING_ROWS):
            found = set(reading.filtered_events(readable, chosen, driving_rows=driving_rows))
            assert found == expected, (chosen, driving_rows)


def _import(user: User, made: Collection, count: int, *, first: date = date(2017, 1, 1)) -> None:
    items = [
        imports.EventImport(
            services.EventInput(
                title=f"Detention {n}",
                description="",
                # Two events a day, so the code breaks the ties.
                date=(first + timedelta(days=n // 2)).isoformat(),
                place="RU-CE:argun",
            ),
            [services.ActInput(act_type=DETENTION, victim_kind="person", victim="Ruslan")],
        )
        for n in range(count)
    ]
    imports.import_events(actor=user, user_private_key=private_key(user), collection=made, items=items)


_LINK = re.compile(r'<a href="\?([^"]*)">(First page|Previous page|Next page)</a>')


def _page(client: Client, query: str) -> tuple[list[str], dict[str, str], str]:
    """The codes shown, the pager's links (by their words) and the page's text."""
    response = client.get(reverse("documentation:events") + "?" + query)
    assert response.status_code == 200
    text = response.content.decode()
    links = {words: html.unescape(href) for href, words in _LINK.findall(text)}
    return re.findall(r"<code>(E-[0-9A-Z]{6})</code>", text), links, text


def test_the_list_pages_through_every_event_once_in_order(dora: User, signed_in: SignedIn) -> None:
    _import(dora, collection(dora), 113)
    in_order = list(Event.objects.order_by("-earliest", "code").values_list("code", flat=True))
    client = signed_in(dora)
    # Forward with "Next page", then back with "Previous page", with no filter, with a filter that
    # drives the query (few acts of this type) and with one that does not: the same pages each way.
    for filters in ("", f"act_type={DETENTION}", "place=RU-CE"):
        shown, links, _ = _page(client, filters)
        assert shown == in_order[:50]
        assert set(links) == {"Next page"}
        pages = [shown]
        while "Next page" in links:
            assert links["Next page"].startswith(filters)  # the filters stay with the page
            shown, links, _ = _page(client, links["Next page"])
            pages.append(shown)
            assert "Previous page" in links
            assert links["First page"] == filters
        assert pages == [in_order[:50], in_order[50:100], in_order[100:]]
        backwards = [pages[-1]]
        while "Previous page" in links:
            shown, links, _ = _page(client, links["Previous page"])
            backwards.append(shown)
        assert backwards == pages[::-1]
        assert set(links) == {"Next page"}  # back at the top: the first page again


def test_a_page_far_down_the_list_reads_from_its_position(dora: User, signed_in: SignedIn) -> None:
    """A page link carries where the page starts (the last event shown), not a number of events to skip."""
    _import(dora, collection(dora), 60)
    in_order = list(Event.objects.order_by("-earliest", "code").values_list("earliest", "code"))
    client = signed_in(dora)
    _, links, _ = _page(client, "")
    day, code = in_order[49]
    assert links["Next page"] == f"after={day.isoformat()}.{code}"
    # A link made before events were recorded above it still continues after the same event.
    _import(dora, collection(dora, "Later"), 4, first=date(2024, 1, 1))
    shown, _, _ = _page(client, links["Next page"])
    assert shown == [code for _, code in in_order[50:]]


@pytest.mark.parametrize(
    "query",
    [
        "after=nonsense",
        "after=2017-02-30.E-AAAAAA",  # no such day
        "after=2017-01-01",
        "after=",
        "before=2017-01-01.%3Cscript%3E",
        "after=2017-01-01.E-AAAAAA&before=2017-01-01.E-AAAAAA",
        "after=" + "9" * 5000,
    ],
)
def test_a_bad_page_link_shows_the_first_page(dora: User, signed_in: SignedIn, query: str) -> None:
    _import(dora, collection(dora), 55)
    in_order = list(Event.objects.order_by("-earliest", "code").values_list("code", flat=True))
    shown, links, text = _page(signed_in(dora), query)
    assert shown == in_order[:50]
    assert set(links) == {"Next page"}
    assert "That page link was not made by this list" in text
    assert "<script>" not in text


@pytest.mark.parametrize("query", ["after=0001-01-01.E-222222", "before=9999-12-31.E-ZZZZZZ", "page=300"])
def test_a_page_link_leading_nowhere_shows_the_first_page(
    dora: User, signed_in: SignedIn, query: str
) -> None:
    """Past the end (or an old numbered page link): the first page, as there is nothing there."""
    _import(dora, collection(dora), 55)
    in_order = list(Event.objects.order_by("-earliest", "code").values_list("code", flat=True))
    shown, links, text = _page(signed_in(dora), query)
    assert shown == in_order[:50]
    assert set(links) == {"Next page"}
    assert "That page link was not made by this list" not in text


def test_the_list_opens_only_the_keys_of_the_collections_on_its_page(dora: User, signed_in: SignedIn) -> None:
    chechnya, dagestan = collection(dora), collection(dora, "Dagestan")
    event(dora, chechnya, title="Taken at night", place="RU-CE:argun")
    event(dora, dagestan, title="Makhachkala", place="RU-DA:makhachkala")
    client = signed_in(dora)
    opened = AuditEvent.objects.filter(
        action="documentation.collection_decrypted", data__purpose="event_list"
    )
    shown, _, text = _page(client, "place=RU-DA")
    assert len(shown) == 1
    assert "Makhachkala" in text
    assert "Taken at night" not in text
    assert list(opened.values_list("target_id", flat=True)) == [str(dagestan.pk)]
    # Each opening is audited, on every page that decrypts a title with it.
    _page(client, "")
    assert sorted(opened.values_list("target_id", flat=True)) == sorted(
        [str(dagestan.pk), str(dagestan.pk), str(chechnya.pk)]
    )
    assert {str(entry.actor_id) for entry in opened} == {str(dora.pk)}


def test_a_new_site_is_in_the_filter_at_once(dora: User, signed_in: SignedIn) -> None:
    made = collection(dora)
    client = signed_in(dora)
    before = _page(client, "")[2]
    assert "Gudermes bus station" not in before
    added = services.add_site(
        actor=dora,
        place="RU-CE:gudermes",
        site_type=SITE_TYPE,
        precision="building",
        name="Gudermes bus station",
    )
    recorded = event(dora, made, title="At the bus station", place="RU-CE:gudermes", site=added)
    shown, _, text = _page(client, "")
    assert f'<option value="{added.pk}">Gudermes: Gudermes bus station</option>' in text
    # The new site is a valid filter straight away, and the chosen option stays selected.
    shown, _, text = _page(client, f"site={added.pk}")
    assert shown == [recorded.code]
    assert f'<option value="{added.pk}" selected>Gudermes: Gudermes bus station</option>' in text


def test_the_filters_speak_the_reader_s_language(dora: User, signed_in: SignedIn) -> None:
    collection(dora)
    client = signed_in(dora)
    english = _page(client, f"act_type={TORTURE}&place=RU-CE")[2]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    russian = _page(client, f"act_type={TORTURE}&place=RU-CE")[2]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    again = _page(client, "")[2]
    indent = "\u2003"  # a republic is one level below the country
    assert f'<option value="RU-CE" selected>{indent}Chechen Republic</option>' in english
    assert f'<option value="RU-CE" selected>{indent}Чеченская Республика</option>' in russian
    assert '<option value="" selected>All</option>' in again
    assert "Чеченская Республика" not in again
    assert f'<option value="{TORTURE}" selected>' in russian
