"""Security keys: registration, sign-in and removal, driven by a software authenticator.

The authenticator below is test-only code that speaks WebAuthn the way a hardware key
and the browser do together (P-256 key, COSE key, authenticatorData, "none" attestation,
clientDataJSON, ES256 signatures), and it posts the JSON that webauthn.js posts. With
Django's test client the relying party is "testserver", origin "http://testserver".
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from collections.abc import Callable
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from corridor.accounts.models import StaffSession, User, WebAuthnCredential
from corridor.audit.models import AuditEvent
from tests.conftest import PASSWORD

RP_ID = "testserver"
ORIGIN = "http://testserver"

FLAG_UP = 0x01
FLAG_AT = 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SoftwareAuthenticator:
    """A security key in memory: one ES256 credential and its signature counter."""

    def __init__(self, *, credential_id: bytes | None = None) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = credential_id if credential_id is not None else os.urandom(32)
        self.sign_count = 0

    def cose_public_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,  # kty: EC2
                3: -7,  # alg: ES256
                -1: 1,  # crv: P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def _authenticator_data(self, rp_id: str, flags: int, attested: bytes = b"") -> bytes:
        rp_id_hash = hashlib.sha256(rp_id.encode()).digest()
        return rp_id_hash + bytes([flags]) + struct.pack(">I", self.sign_count) + attested

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
        ).encode()

    def create(
        self,
        options: dict[str, Any],
        *,
        challenge: str | None = None,
        origin: str = ORIGIN,
        rp_id: str | None = None,
    ) -> str:
        """navigator.credentials.create(), as webauthn.js posts it in the `credential` field."""
        client_data = self._client_data("webauthn.create", challenge or options["challenge"], origin)
        attested = (
            bytes(16)  # AAGUID: all zero for "none" attestation
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + self.cose_public_key()
        )
        auth_data = self._authenticator_data(rp_id or options["rp"]["id"], FLAG_UP | FLAG_AT, attested)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return json.dumps(
            {
                "id": b64url(self.credential_id),
                "rawId": b64url(self.credential_id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "attestationObject": b64url(attestation),
                    "transports": ["usb"],
                },
            }
        )

    def get(
        self,
        options: dict[str, Any],
        *,
        challenge: str | None = None,
        origin: str = ORIGIN,
        rp_id: str | None = None,
        flags: int = FLAG_UP,
    ) -> str:
        """navigator.credentials.get(), as webauthn.js posts it in the `credential` field."""
        self.sign_count += 1
        client_data = self._client_data("webauthn.get", challenge or options["challenge"], origin)
        auth_data = self._authenticator_data(rp_id or options["rpId"], flags)
        signature = self.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return json.dumps(
            {
                "id": b64url(self.credential_id),
                "rawId": b64url(self.credential_id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "authenticatorData": b64url(auth_data),
                    "signature": b64url(signature),
                    "userHandle": None,
                },
            }
        )


def registration_options(client: Client) -> dict[str, Any]:
    response = client.post(reverse("accounts:webauthn_options"))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    options: dict[str, Any] = response.json()
    return options


def register_key(client: Client, key: SoftwareAuthenticator, name: str = "blue key") -> WebAuthnCredential:
    """The whole registration through the views, as the browser does it."""
    credential = key.create(registration_options(client))
    response = client.post(reverse("accounts:webauthn_add"), {"name": name, "credential": credential})
    assert response.status_code == 302, response.content
    return WebAuthnCredential.objects.get(credential_id_hash=hashlib.sha256(key.credential_id).hexdigest())


def start_password_step(user: User) -> Client:
    """A fresh client that has passed the password step only."""
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:verify")
    return client


def login_options(client: Client) -> dict[str, Any]:
    response = client.post(reverse("accounts:webauthn_login_options"))
    assert response.status_code == 200, response.content
    options: dict[str, Any] = response.json()
    return options


def is_signed_in(client: Client) -> bool:
    response = client.get(reverse("web:home"))
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("accounts:login"))
        return False
    assert response.status_code == 200
    return True


@pytest.fixture
def key() -> SoftwareAuthenticator:
    return SoftwareAuthenticator()


@pytest.fixture
def alice_key(
    alice: User, signed_in: Callable[[User], Client], key: SoftwareAuthenticator
) -> WebAuthnCredential:
    """alice has her authenticator app and this registered security key."""
    return register_key(signed_in(alice), key)


# --- Registration ---------------------------------------------------------------------


def test_signed_in_user_registers_a_security_key(
    alice: User, signed_in: Callable[[User], Client], key: SoftwareAuthenticator
) -> None:
    client = signed_in(alice)
    assert client.get(reverse("accounts:webauthn_add")).status_code == 200
    options = registration_options(client)
    assert options["rp"]["id"] == RP_ID

    response = client.post(
        reverse("accounts:webauthn_add"), {"name": "blue key", "credential": key.create(options)}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:account")
    stored = WebAuthnCredential.objects.get(user=alice)
    assert stored.name == "blue key"
    assert bytes(stored.credential_id) == key.credential_id
    assert stored.sign_count == 0
    assert AuditEvent.objects.filter(
        action="account.webauthn_added", actor_id=alice.pk, target_type="webauthn", target_id=str(stored.pk)
    ).exists()
    assert "blue key" in client.get(reverse("accounts:account")).content.decode()


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param({"challenge": b64url(os.urandom(32))}, id="wrong-challenge"),
        pytest.param({"origin": "http://evil.example"}, id="wrong-origin"),
        pytest.param({"rp_id": "evil.example"}, id="wrong-rp-id"),
    ],
)
def test_registration_with_a_bad_answer_is_refused(
    alice: User, signed_in: Callable[[User], Client], key: SoftwareAuthenticator, tamper: dict[str, str]
) -> None:
    client = signed_in(alice)
    credential = key.create(registration_options(client), **tamper)

    response = client.post(reverse("accounts:webauthn_add"), {"name": "evil", "credential": credential})

    assert response.status_code == 400
    assert "could not be verified" in response.content.decode()
    assert not WebAuthnCredential.objects.exists()
    assert not AuditEvent.objects.filter(action="account.webauthn_added").exists()


def test_registration_challenge_is_single_use(
    alice: User, signed_in: Callable[[User], Client], key: SoftwareAuthenticator
) -> None:
    client = signed_in(alice)
    credential = key.create(registration_options(client))
    client.post(reverse("accounts:webauthn_add"), {"name": "first", "credential": "not json"})

    response = client.post(reverse("accounts:webauthn_add"), {"name": "second", "credential": credential})

    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not WebAuthnCredential.objects.exists()


def test_a_key_registered_by_another_user_is_refused(
    alice: User,
    bob: User,
    signed_in: Callable[[User], Client],
    alice_key: WebAuthnCredential,
    key: SoftwareAuthenticator,
) -> None:
    client = signed_in(bob)
    response = client.post(
        reverse("accounts:webauthn_add"),
        {"name": "stolen", "credential": key.create(registration_options(client))},
    )

    assert response.status_code == 400
    assert "already registered" in response.content.decode()
    assert list(WebAuthnCredential.objects.values_list("user", flat=True)) == [alice.pk]


def test_registration_needs_sign_in(key: SoftwareAuthenticator, db: None) -> None:
    client = Client()
    assert client.post(reverse("accounts:webauthn_options"))["Location"].startswith(reverse("accounts:login"))
    response = client.post(reverse("accounts:webauthn_add"), {"name": "x", "credential": "{}"})
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not WebAuthnCredential.objects.exists()


def test_registration_options_refuse_get(alice: User, signed_in: Callable[[User], Client]) -> None:
    assert signed_in(alice).get(reverse("accounts:webauthn_options")).status_code == 405


# --- Sign-in ----------------------------------------------------------------------------


def test_sign_in_with_a_security_key(
    alice: User, alice_key: WebAuthnCredential, key: SoftwareAuthenticator
) -> None:
    client = start_password_step(alice)
    options = login_options(client)
    assert options["rpId"] == RP_ID
    assert [c["id"] for c in options["allowCredentials"]] == [b64url(key.credential_id)]

    response = client.post(reverse("accounts:webauthn_login"), {"credential": key.get(options)})

    assert response.status_code == 200, response.content
    assert response.json() == {"redirect": reverse("web:home")}
    assert is_signed_in(client)
    alice_key.refresh_from_db()
    assert alice_key.sign_count == 1
    assert alice_key.last_used_at is not None
    assert StaffSession.objects.filter(user=alice, second_factor="webauthn").count() == 1
    login_event = AuditEvent.objects.get(action="auth.login", actor_id=alice.pk, data__factor="webauthn")
    assert login_event.target_id == str(StaffSession.objects.get(second_factor="webauthn").pk)


def refused(client: Client, credential: str) -> None:
    """The assertion is refused, nobody is signed in, and the failure is on the record."""
    failures_before = AuditEvent.objects.filter(action="auth.login_failed").count()
    response = client.post(reverse("accounts:webauthn_login"), {"credential": credential})
    assert response.status_code == 400
    assert "error" in response.json()
    assert not is_signed_in(client)
    failures = AuditEvent.objects.filter(action="auth.login_failed", data__stage="second_factor")
    assert failures.count() == failures_before + 1


@pytest.mark.parametrize(
    ("authenticator", "tamper"),
    [
        pytest.param("impostor", {}, id="different-key"),
        pytest.param("key", {"challenge": b64url(os.urandom(32))}, id="wrong-challenge"),
        pytest.param("key", {"origin": "http://evil.example"}, id="wrong-origin"),
        pytest.param("key", {"rp_id": "evil.example"}, id="wrong-rp-id"),
        pytest.param("key", {"flags": 0}, id="no-user-presence"),
    ],
)
def test_bad_assertion_is_refused(
    alice: User,
    alice_key: WebAuthnCredential,
    key: SoftwareAuthenticator,
    authenticator: str,
    tamper: dict[str, Any],
) -> None:
    # The impostor claims alice's credential id but signs with its own private key.
    signer = SoftwareAuthenticator(credential_id=key.credential_id) if authenticator == "impostor" else key
    client = start_password_step(alice)

    refused(client, signer.get(login_options(client), **tamper))

    assert not StaffSession.objects.filter(second_factor="webauthn").exists()
    alice_key.refresh_from_db()
    assert alice_key.sign_count == 0
    assert not AuditEvent.objects.filter(action="auth.login", data__factor="webauthn").exists()


def test_replayed_assertion_is_refused(
    alice: User, alice_key: WebAuthnCredential, key: SoftwareAuthenticator
) -> None:
    client = start_password_step(alice)
    captured = key.get(login_options(client))
    response = client.post(reverse("accounts:webauthn_login"), {"credential": captured})
    assert response.status_code == 200

    # Someone who knows the password and captured the assertion tries it again.
    attacker = start_password_step(alice)
    login_options(attacker)
    refused(attacker, captured)

    # Without fresh options there is no challenge at all.
    attacker = start_password_step(alice)
    refused(attacker, captured)

    assert StaffSession.objects.filter(user=alice, second_factor="webauthn").count() == 1


def test_cloned_key_with_a_counter_that_goes_back_is_refused(
    alice: User, alice_key: WebAuthnCredential, key: SoftwareAuthenticator
) -> None:
    client = start_password_step(alice)
    response = client.post(reverse("accounts:webauthn_login"), {"credential": key.get(login_options(client))})
    assert response.status_code == 200
    assert is_signed_in(client)

    key.sign_count = 0  # a copy of the key that has not seen the last use
    clone = start_password_step(alice)
    refused(clone, key.get(login_options(clone)))

    alice_key.refresh_from_db()
    assert alice_key.sign_count == 1


def test_login_challenge_is_used_up_by_a_failed_attempt(
    alice: User, alice_key: WebAuthnCredential, key: SoftwareAuthenticator
) -> None:
    client = start_password_step(alice)
    options = login_options(client)
    refused(client, SoftwareAuthenticator(credential_id=key.credential_id).get(options))

    refused(client, key.get(options))


def test_another_users_key_does_not_sign_in(
    alice: User,
    bob: User,
    signed_in: Callable[[User], Client],
    alice_key: WebAuthnCredential,
    key: SoftwareAuthenticator,
) -> None:
    bob_key = register_key(signed_in(bob), SoftwareAuthenticator())
    client = start_password_step(bob)

    # alice's key, validly signing bob's challenge, is not one of bob's keys.
    refused(client, key.get(login_options(client)))

    assert not StaffSession.objects.filter(second_factor="webauthn").exists()
    bob_key.refresh_from_db()
    assert bob_key.sign_count == 0


@pytest.mark.parametrize("url_name", ["accounts:webauthn_login_options", "accounts:webauthn_login"])
def test_login_endpoints_need_the_password_step(url_name: str, db: None) -> None:
    response = Client().post(reverse(url_name), {"credential": "{}"})
    assert response.status_code == 400
    assert "error" in response.json()
    assert not AuditEvent.objects.filter(action="auth.login", data__factor="webauthn").exists()


@pytest.mark.parametrize("url_name", ["accounts:webauthn_login_options", "accounts:webauthn_login"])
def test_login_endpoints_refuse_get(url_name: str, db: None) -> None:
    assert Client().get(reverse(url_name)).status_code == 405


def test_login_options_without_a_registered_key(alice: User) -> None:
    client = start_password_step(alice)
    assert client.post(reverse("accounts:webauthn_login_options")).status_code == 400


# --- Removal ----------------------------------------------------------------------------


def test_remove_a_key_while_an_authenticator_app_remains(
    alice: User, signed_in: Callable[[User], Client], alice_key: WebAuthnCredential
) -> None:
    client = signed_in(alice)
    response = client.post(reverse("accounts:webauthn_remove", args=[alice_key.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:account")
    assert not WebAuthnCredential.objects.exists()
    assert AuditEvent.objects.filter(
        action="account.webauthn_removed", actor_id=alice.pk, target_id=str(alice_key.pk)
    ).exists()


def test_remove_another_users_key_is_404(
    alice: User, bob: User, signed_in: Callable[[User], Client], alice_key: WebAuthnCredential
) -> None:
    response = signed_in(bob).post(reverse("accounts:webauthn_remove", args=[alice_key.pk]))

    assert response.status_code == 404
    assert WebAuthnCredential.objects.filter(pk=alice_key.pk).exists()
    assert not AuditEvent.objects.filter(action="account.webauthn_removed").exists()


def test_remove_the_last_second_factor_is_refused(
    alice: User, signed_in: Callable[[User], Client], alice_key: WebAuthnCredential
) -> None:
    client = signed_in(alice)
    device = TOTPDevice.objects.get(user=alice, confirmed=True)
    response = client.post(reverse("accounts:totp_remove", args=[device.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()

    response = client.post(reverse("accounts:webauthn_remove", args=[alice_key.pk]), follow=True)

    assert response.status_code == 200
    assert "You cannot remove your last second factor." in response.content.decode()
    assert WebAuthnCredential.objects.filter(pk=alice_key.pk).exists()
    assert not AuditEvent.objects.filter(action="account.webauthn_removed").exists()


def test_remove_a_key_refuses_get(
    alice: User, signed_in: Callable[[User], Client], alice_key: WebAuthnCredential
) -> None:
    assert signed_in(alice).get(reverse("accounts:webauthn_remove", args=[alice_key.pk])).status_code == 405
    assert WebAuthnCredential.objects.filter(pk=alice_key.pk).exists()
