"""Documenters: dora (holds the collection), dan (a documenter it was not given to)."""

from __future__ import annotations

import pytest

from corridor.accounts.models import Role, User
from tests.conftest import make_user


@pytest.fixture
def dora(org: dict[str, object]) -> User:
    return make_user(org, "dora", {Role.DOCUMENTER})


@pytest.fixture
def dan(org: dict[str, object]) -> User:
    return make_user(org, "dan", {Role.DOCUMENTER})
