"""`corridor pin-keys`: an installation made before pinning gets its pins once, from the database as it is."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from corridor.accounts import keyring, pins, services
from corridor.accounts.models import KeyWrap, OrgKey, OrgKeyKind, Role, User
from corridor.audit.models import AuditEvent
from corridor.crypto import keys
from tests.conftest import PASSWORD


def make_user(org: dict[str, object], username: str, roles: set[str], *, enrol: bool = False) -> User:
    """A user as an installation before pinning made it: the index key sealed straight to them."""
    user = services.create_user(
        actor=None,
        actor_private_key=None,
        username=username,
        password=PASSWORD,
        roles=roles,
        must_change_password=False,
    )
    secrets = org["secrets"]
    assert isinstance(secrets, dict)
    if OrgKeyKind.INDEX in secrets:
        KeyWrap.objects.create(
            org_key=OrgKey.objects.get(kind=OrgKeyKind.INDEX),
            user=user,
            sealed=keys.seal_to(bytes(user.public_key), secrets[OrgKeyKind.INDEX]),
        )
    return user


@pytest.fixture
def unpinned(db: None) -> keyring.NewOrganisation:
    """Keys as an older installation has them: in the database, with no pins in configuration."""
    created = keyring.create_organisation_keys(threshold=3, share_count=5)
    assert pins.configured() is None
    return created


def run(monkeypatch: pytest.MonkeyPatch, user: str, password: str = PASSWORD) -> str:
    monkeypatch.setenv("CORRIDOR_PIN_PASSWORD", password)
    out = StringIO()
    call_command("pin_keys", "--user", user, "--no-input", stdout=out)
    return out.getvalue()


def test_pins_match_what_init_would_have_written(
    monkeypatch: pytest.MonkeyPatch, unpinned: keyring.NewOrganisation
) -> None:
    org = {"secrets": unpinned.secrets}
    holder = make_user(org, "keeper", {Role.CASEWORKER}, enrol=False)
    assert keyring.held_kinds(holder) == {"index"}
    output = run(monkeypatch, "keeper")
    written = Path(settings.CORRIDOR_KEY_PINS_FILE).read_text().strip()
    assert written == unpinned.pins.text()
    assert written in output
    # Codenames keep working: the salt is the one the installation always used.
    assert keyring.codename_salt() == unpinned.pins.salt
    assert keyring.pinned_public_key(OrgKeyKind.HOTLINE) == keyring.current_key(OrgKeyKind.HOTLINE).public_key
    assert AuditEvent.objects.filter(action="org.keys_pinned").exists()
    with pytest.raises(CommandError, match="already has key pins"):
        run(monkeypatch, "keeper")


def test_a_missing_evidence_key_is_created_and_pinned(
    monkeypatch: pytest.MonkeyPatch, unpinned: keyring.NewOrganisation
) -> None:
    OrgKey.objects.filter(kind=OrgKeyKind.EVIDENCE).delete()
    make_user({"secrets": unpinned.secrets}, "keeper", {Role.CASEWORKER}, enrol=False)
    run(monkeypatch, "keeper")
    evidence = keyring.current_key(OrgKeyKind.EVIDENCE)
    assert pins.require().keys["evidence"][1] == pins.public_fingerprint(bytes(evidence.public_key))
    assert evidence.wraps.filter(to_recovery=True).count() == 1


def test_a_wrong_password_or_a_user_without_the_index_key_pins_nothing(
    monkeypatch: pytest.MonkeyPatch, unpinned: keyring.NewOrganisation
) -> None:
    make_user({"secrets": unpinned.secrets}, "keeper", {Role.CASEWORKER}, enrol=False)
    make_user({"secrets": {}}, "judy", {Role.AUDITOR}, enrol=False)
    with pytest.raises(CommandError, match="password"):
        run(monkeypatch, "keeper", "not the password at all")
    with pytest.raises(CommandError, match="index key"):
        run(monkeypatch, "judy")
    assert pins.configured() is None


def test_it_refuses_an_uninitialised_installation(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CommandError, match="corridor init"):
        run(monkeypatch, "anyone")
