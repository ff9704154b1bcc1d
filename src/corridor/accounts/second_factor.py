"""Second factors: TOTP (django-otp) and WebAuthn security keys (py_webauthn)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from corridor.accounts import integrity
from corridor.accounts.models import User, WebAuthnCredential
from corridor.audit.services import record_event

CHALLENGE_KEY = "corridor_webauthn_challenge"


def has_second_factor(user: User) -> bool:
    return confirmed_totp_devices(user).exists() or user.webauthn_credentials.exists()


def confirmed_totp_devices(user: User) -> Any:
    return TOTPDevice.objects.filter(user=user, confirmed=True)


def _factors_intact(user: User) -> bool:
    """Second factors inserted or altered outside Corridor are refused, and the refusal is audited."""
    if integrity.factors_ok(user):
        return True
    integrity.record_integrity_failure(what="second_factors", target_type="user", target_id=str(user.pk))
    return False


def verify_totp(user: User, token: str) -> TOTPDevice | None:
    """Return the device that accepts this code; each code works once (django-otp keeps last_t)."""
    token = "".join(ch for ch in token if ch.isdigit())
    if len(token) != 6 or not _factors_intact(user):
        return None
    for device in confirmed_totp_devices(user):
        if device.verify_token(token):
            return device
    return None


@transaction.atomic
def start_totp_enrolment(user: User) -> TOTPDevice:
    """An unconfirmed device: it becomes a second factor once a code from it is entered."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def unconfirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


@transaction.atomic
def confirm_totp_enrolment(*, user: User, device: TOTPDevice, token: str, name: str) -> None:
    token = "".join(ch for ch in token if ch.isdigit())
    if not device.verify_token(token):
        raise ValidationError(_("That code is not right. Check the time on your phone and try again."))
    # The recorded factors must be intact before a new one is vouched for with them.
    if not _factors_intact(user):
        raise ValidationError(_("Your second factors could not be checked. Ask an administrator."))
    device.confirmed = True
    device.name = name or "authenticator"
    device.save(update_fields=["confirmed", "name"])
    integrity.seal_factors(user)
    record_event(
        action="account.totp_added", actor_id=user.pk, target_type="totp_device", target_id=device.pk
    )


@transaction.atomic
def remove_totp(*, user: User, device_id: int) -> None:
    device = TOTPDevice.objects.get(user=user, pk=device_id, confirmed=True)
    _ensure_not_last(user, removing_totp=1)
    device.delete()
    integrity.seal_factors(user)
    record_event(
        action="account.totp_removed", actor_id=user.pk, target_type="totp_device", target_id=device_id
    )


def _ensure_not_last(user: User, *, removing_totp: int = 0, removing_keys: int = 0) -> None:
    remaining = (
        confirmed_totp_devices(user).count()
        - removing_totp
        + user.webauthn_credentials.count()
        - removing_keys
    )
    if remaining < 1:
        raise ValidationError(_("You cannot remove your last second factor."))


def totp_secret_base32(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


def totp_qr_svg_data_uri(device: TOTPDevice) -> str:
    """A QR code of the otpauth URL as a data: URI, drawn locally (no external service)."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2))


def current_totp_code(device: TOTPDevice) -> str:
    """The code an authenticator shows now (used by the demo's `corridor totp`)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


# --- WebAuthn ------------------------------------------------------------------------


@dataclass(frozen=True)
class RelyingParty:
    rp_id: str
    origin: str


def relying_party(request: HttpRequest) -> RelyingParty:
    """The configured relying party, or the validated host of this request."""
    configured = settings.CORRIDOR_WEBAUTHN_RP_ID_SET
    if configured:
        return RelyingParty(settings.CORRIDOR_WEBAUTHN_RP_ID, settings.CORRIDOR_WEBAUTHN_ORIGIN)
    host = request.get_host()
    rp_id = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return RelyingParty(rp_id, f"{request.scheme}://{host}")


def _credential_hash(credential_id: bytes) -> str:
    return hashlib.sha256(credential_id).hexdigest()


def registration_options(request: HttpRequest, user: User) -> str:
    rp = relying_party(request)
    options = generate_registration_options(
        rp_id=rp.rp_id,
        rp_name=settings.CORRIDOR_ORG_NAME,
        user_id=user.pk.bytes,
        user_name=user.username,
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=bytes(c.credential_id)) for c in user.webauthn_credentials.all()
        ],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.DISCOURAGED,
        ),
    )
    request.session[CHALLENGE_KEY] = options.challenge.hex()
    return options_to_json(options)


@transaction.atomic
def finish_registration(
    request: HttpRequest, user: User, *, credential_json: str, name: str
) -> WebAuthnCredential:
    challenge = request.session.pop(CHALLENGE_KEY, None)
    if not challenge:
        raise ValidationError(_("The security key request expired. Try again."))
    rp = relying_party(request)
    try:
        verified = verify_registration_response(
            credential=json.loads(credential_json),
            expected_challenge=bytes.fromhex(challenge),
            expected_rp_id=rp.rp_id,
            expected_origin=rp.origin,
        )
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as exc:
        raise ValidationError(_("The security key's answer could not be verified.")) from exc
    if WebAuthnCredential.objects.filter(
        credential_id_hash=_credential_hash(verified.credential_id)
    ).exists():
        raise ValidationError(_("That security key is already registered."))
    credential = WebAuthnCredential.objects.create(
        user=user,
        name=(name or _("Security key"))[:64],
        credential_id=verified.credential_id,
        credential_id_hash=_credential_hash(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
    )
    integrity.seal_factors(user)
    record_event(
        action="account.webauthn_added", actor_id=user.pk, target_type="webauthn", target_id=credential.pk
    )
    return credential


def authentication_options(request: HttpRequest, user: User) -> str:
    rp = relying_party(request)
    options = generate_authentication_options(
        rp_id=rp.rp_id,
        allow_credentials=[
            PublicKeyCredentialDescriptor(id=bytes(c.credential_id)) for c in user.webauthn_credentials.all()
        ],
        user_verification=UserVerificationRequirement.DISCOURAGED,
    )
    request.session[CHALLENGE_KEY] = options.challenge.hex()
    return options_to_json(options)


@transaction.atomic
def verify_assertion(request: HttpRequest, user: User, *, credential_json: str) -> WebAuthnCredential | None:
    """Return the credential that produced a valid assertion for this user, else None."""
    challenge = request.session.pop(CHALLENGE_KEY, None)
    if not challenge:
        return None
    try:
        payload = json.loads(credential_json)
        from webauthn import base64url_to_bytes

        raw_id = base64url_to_bytes(payload["rawId"])
    except (ValueError, KeyError, TypeError):
        return None
    credential = (
        WebAuthnCredential.objects.select_for_update()
        .filter(user=user, credential_id_hash=_credential_hash(raw_id))
        .first()
    )
    if credential is None or not _factors_intact(user):
        return None
    rp = relying_party(request)
    try:
        verified = verify_authentication_response(
            credential=payload,
            expected_challenge=bytes.fromhex(challenge),
            expected_rp_id=rp.rp_id,
            expected_origin=rp.origin,
            credential_public_key=bytes(credential.public_key),
            credential_current_sign_count=credential.sign_count,
        )
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError):
        return None
    credential.sign_count = verified.new_sign_count
    credential.last_used_at = datetime.now(UTC)
    credential.save(update_fields=["sign_count", "last_used_at"])
    return credential


@transaction.atomic
def remove_webauthn(*, user: User, credential_id: int) -> None:
    credential = WebAuthnCredential.objects.get(user=user, pk=credential_id)
    _ensure_not_last(user, removing_keys=1)
    credential.delete()
    integrity.seal_factors(user)
    record_event(
        action="account.webauthn_removed", actor_id=user.pk, target_type="webauthn", target_id=credential_id
    )
