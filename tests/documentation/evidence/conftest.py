"""Evidence personas besides dora and dan: hanna documents and answers the hotline (she holds the
hotline key, so she can open a thread's files), and the collection and event they work on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from corridor.accounts.models import Role, User
from corridor.documentation.models import Collection, Event
from tests.conftest import make_user
from tests.documentation.helpers import collection, event


@pytest.fixture
def hanna(org: dict[str, object]) -> User:
    return make_user(org, "hanna", {Role.DOCUMENTER, Role.OPERATOR})


@pytest.fixture
def made(dora: User) -> Collection:
    return collection(dora)


@pytest.fixture
def recorded(dora: User, made: Collection) -> Event:
    return event(dora, made)


@pytest.fixture(autouse=True)
def language_switched_off() -> Iterator[None]:
    """A page asked for in Russian leaves Russian on in this thread; the next test starts without it."""
    yield
    translation.deactivate()
