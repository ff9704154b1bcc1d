"""A flood of made-up codenames cannot keep a person with a real one out.

Codenames the hotline issues carry a tag; a look-up with a valid tag takes the pool's fast
lane, anything else (guesses, typos, codenames from before tags) the slow lane, which may
never hold the last place. The pool's lanes themselves are tested in tests/limits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from corridor.crypto import codename
from corridor.hotline import keys as thread_keys
from corridor.hotline import services
from corridor.limits import pool
from tests.hotline.helpers import open_web_thread


@contextmanager
def slow_lane_taken() -> Iterator[None]:
    """This process's slow lane is taken (by guesses still deriving); with four web threads."""
    _places, slow = pool._thread_places()
    for _ in range(2):
        assert slow.acquire(blocking=False)
    try:
        yield
    finally:
        for _ in range(2):
            slow.release()


@pytest.fixture
def slow_lane_full(settings: Any) -> Iterator[None]:
    settings.CORRIDOR_WEB_THREADS = 4
    with slow_lane_taken():
        yield


@pytest.mark.django_db
@pytest.mark.usefixtures("org")
def test_issued_codenames_carry_a_valid_tag() -> None:
    new = open_web_thread()
    assert len(codename.canonical(new.codename)) == len("d:") + codename.DIGITS
    assert codename.has_valid_tag(new.codename, thread_keys.codename_tag_key())


@pytest.mark.django_db
@pytest.mark.usefixtures("org")
@pytest.mark.usefixtures("slow_lane_full")
def test_a_real_codename_gets_in_while_guesses_fill_the_slow_lane() -> None:
    new = open_web_thread()
    found = services.find_thread_by_codename(new.codename)
    assert found is not None
    assert found.thread == new.thread
    guess = "1234 5678 9012 3456 7890"
    assert not codename.has_valid_tag(guess, thread_keys.codename_tag_key())
    with pytest.raises(pool.Busy):
        services.find_thread_by_codename(guess)
    with pytest.raises(pool.Busy):
        services.find_thread_by_codename("not a codename at all")


@pytest.mark.django_db
@pytest.mark.usefixtures("org")
def test_a_codename_from_before_tags_is_still_looked_up_in_the_slow_lane(settings: Any) -> None:
    # Its derivation is unchanged (the known answer in tests/crypto/test_codename.py); only its lane is.
    before_tags = "4821 0937 5512 6604"
    assert services.find_thread_by_codename(before_tags) is None
    settings.CORRIDOR_WEB_THREADS = 4
    with slow_lane_taken(), pytest.raises(pool.Busy):
        services.find_thread_by_codename(before_tags)
