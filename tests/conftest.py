"""Personas and sign-in helpers shared by the whole suite.

alice and bob are caseworkers, carol a coordinator, olga a hotline operator, dave the
administrator (manages users, reads no case), judy the auditor. Everything is built
through Corridor's own services, exactly as the application builds it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import settings as hypothesis_settings
from pytest_django.fixtures import Settings as SettingsWrapper

from corridor.accounts import keyring, second_factor, services
from corridor.accounts.models import OrgKeyKind, Role, User

# The browser fixtures, once for every directory (see tests/browser/fixtures.py).
pytest_plugins = ["tests.browser.fixtures"]

PASSWORD = "correct horse battery staple"

# Timing deadlines make property tests flaky on a loaded two-core machine; they test
# correctness, benchmarks/ measures speed.
hypothesis_settings.register_profile("corridor", deadline=None, print_blob=True)
hypothesis_settings.load_profile("corridor")


@pytest.fixture(autouse=True)
def _own_pins_file(settings: SettingsWrapper, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test has its own pins file, as each installation has its own configuration."""
    settings.CORRIDOR_KEY_PINS_FILE = tmp_path_factory.mktemp("config") / "key_pins"


@pytest.fixture
def org(db: None, settings: SettingsWrapper) -> dict[str, object]:
    """The organisation's keys, pinned in configuration as `corridor init` does; the shares and secrets."""
    created = keyring.create_organisation_keys(threshold=3, share_count=5)
    settings.CORRIDOR_KEY_PINS = created.pins.text()
    return {"shares": created.shares, "secrets": created.secrets, "pins": created.pins}


def totp_code(user: User) -> str:
    """The code the user's authenticator shows now (forgetting the last used step, so codes can repeat)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    device.last_t = -1
    device.save(update_fields=["last_t"])
    return second_factor.current_totp_code(device)


def make_user(org: dict[str, object], username: str, roles: set[str], *, enrol: bool = True) -> User:
    secrets = org["secrets"]
    assert isinstance(secrets, dict)
    user = services.create_user(
        actor=None,
        actor_private_key=None,
        username=username,
        password=PASSWORD,
        roles=roles,
        must_change_password=False,
        index_key=secrets.get(OrgKeyKind.INDEX),
    )
    entitled = {k: v for k, v in secrets.items() if k in keyring.entitled_kinds(user)}
    keyring.wrap_secrets_for_user(actor=None, user=user, secrets=entitled)
    if enrol:
        device = second_factor.start_totp_enrolment(user)
        second_factor.confirm_totp_enrolment(
            user=user, device=device, token=second_factor.current_totp_code(device), name="phone"
        )
    return user


@pytest.fixture
def alice(org: dict[str, object]) -> User:
    return make_user(org, "alice", {Role.CASEWORKER})


@pytest.fixture
def bob(org: dict[str, object]) -> User:
    return make_user(org, "bob", {Role.CASEWORKER})


@pytest.fixture
def carol(org: dict[str, object]) -> User:
    return make_user(org, "carol", {Role.COORDINATOR})


@pytest.fixture
def olga(org: dict[str, object]) -> User:
    return make_user(org, "olga", {Role.OPERATOR})


@pytest.fixture
def dave(org: dict[str, object]) -> User:
    return make_user(org, "dave", {Role.ADMIN})


@pytest.fixture
def judy(org: dict[str, object]) -> User:
    return make_user(org, "judy", {Role.AUDITOR})


def sign_in(client: Client, user: User, password: str = PASSWORD) -> None:
    """The real two-step sign-in through the views."""
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": password})
    assert response.status_code == 302, response.content
    response = client.post(reverse("accounts:verify"), {"code": totp_code(user)})
    assert response.status_code == 302, response.content


@pytest.fixture
def signed_in() -> Callable[[User], Client]:
    """A fresh client signed in as the given user."""

    def factory(user: User) -> Client:
        client = Client()
        sign_in(client, user)
        return client

    return factory
