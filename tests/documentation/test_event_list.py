"""The event list's filters and pages: the same events whichever filter drives the query, in order."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.documentation import access, imports, reading, services
from corridor.documentation.models import Event
from tests.documentation.helpers import act, collection, event, site
from tests.hotline.helpers import private_key

pytestmark = pytest.mark.django_db
SignedIn = Callable[[User], Client]
POLICE = "010104000000"
FAMILY = "110100000000"
TORTURE = "020111110000"
DETENTION = "030102000000"


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


def test_the_list_pages_through_every_event_once_in_order(dora: User, signed_in: SignedIn) -> None:
    made = collection(dora)
    first = date(2017, 1, 1)
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
        for n in range(57)
    ]
    imports.import_events(actor=dora, user_private_key=private_key(dora), collection=made, items=items)
    in_order = list(Event.objects.order_by("-earliest", "code").values_list("code", flat=True))
    client = signed_in(dora)
    url = reverse("documentation:events")

    def page(query: dict[str, str]) -> tuple[list[str], str]:
        response = client.get(url, query)
        assert response.status_code == 200
        text = response.content.decode()
        return re.findall(r"<code>(E-[0-9A-Z]{6})</code>", text), text

    shown, text = page({})
    assert shown == in_order[:50]
    assert "page=2" in text
    shown, text = page({"page": "2"})
    assert shown == in_order[50:]
    assert "page=1" in text
    assert "page=3" not in text
    # The same with a filter that drives the query (few acts of this type), and one that does not.
    shown, _ = page({"act_type": DETENTION, "page": "2"})
    assert shown == in_order[50:]
    shown, _ = page({"place": "RU-CE", "page": "2"})
    assert shown == in_order[50:]
