"""Two placements racing for the last place in a house: the house row is locked, so one is refused.

Real concurrency needs two connections and row locks: this runs on PostgreSQL (SQLite
serialises every writer anyway, and its in-memory test database is one connection).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from corridor.accounts.models import User
from corridor.evacuation.houses import EvacuationRefused
from corridor.evacuation.models import Placement
from corridor.evacuation.services import place_in_house
from tests.evacuation.helpers import make_house, open_case, soon
from tests.hotline.helpers import private_key


@pytest.mark.django_db(transaction=True)
def test_the_last_place_goes_to_one_of_two(olga: User, alice: User, carol: User) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections: PostgreSQL only")
    house = make_house(carol, capacity=1)
    cases = [open_case(olga, alice), open_case(olga, alice)]
    ka = private_key(alice)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def place(index: int) -> None:
        try:
            start.wait()
            place_in_house(actor=alice, user_private_key=ka, case=cases[index], house=house, starts_at=soon())
            outcomes.append("placed")
        except EvacuationRefused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=place, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["placed", "refused"]
    assert Placement.objects.filter(house=house).count() == 1
