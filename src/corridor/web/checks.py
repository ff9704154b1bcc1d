"""System checks that refuse to run production with unsafe settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from corridor.crypto.kdf import PRODUCTION_COST


def _below_production_floor(opslimit: int, memlimit: int) -> bool:
    # A quarter of the production memory is the least that still costs an attacker dearly.
    return opslimit < PRODUCTION_COST.opslimit or memlimit < PRODUCTION_COST.memlimit // 4


@register()
def production_settings_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    """In production: DEBUG off, a real secret, HTTPS, known hosts, full Argon2 cost."""
    if not settings.PRODUCTION:
        return []
    errors = []
    if settings.DEBUG:
        errors.append(Error("DEBUG is on in production.", hint="Unset CORRIDOR_DEBUG.", id="corridor.E001"))
    if len(settings.SECRET_KEY) < 50 or len(set(settings.SECRET_KEY)) < 5:
        errors.append(
            Error(
                "No strong secret key.",
                hint="Set CORRIDOR_SECRET_KEY or CORRIDOR_SECRET_KEY_FILE to at least 50 random characters.",
                id="corridor.E002",
            )
        )
    if not settings.HTTPS:
        errors.append(
            Error(
                "HTTPS is off in production.",
                hint="Serve behind TLS or an onion service and set CORRIDOR_HTTPS=true.",
                id="corridor.E003",
            )
        )
    if not settings.ALLOWED_HOSTS:
        errors.append(Error("No allowed host names.", hint="Set CORRIDOR_ALLOWED_HOSTS.", id="corridor.E004"))
    if _below_production_floor(settings.CORRIDOR_ARGON2_OPSLIMIT, settings.CORRIDOR_ARGON2_MEMLIMIT):
        errors.append(
            Error(
                "The Argon2id cost is below the production floor.",
                hint="Unset CORRIDOR_ARGON2_OPSLIMIT and CORRIDOR_ARGON2_MEMLIMIT.",
                id="corridor.E005",
            )
        )
    if not (settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE):
        errors.append(Error("Cookies are not marked Secure.", id="corridor.E006"))
    return errors


@register()
def argon2_cost_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    """A cost above what password wraps accept on reading would lock out everyone who sets a password."""
    from corridor.crypto.kdf import MAX_MEMLIMIT, MAX_OPSLIMIT

    if settings.CORRIDOR_ARGON2_OPSLIMIT > MAX_OPSLIMIT or settings.CORRIDOR_ARGON2_MEMLIMIT > MAX_MEMLIMIT:
        return [
            Error(
                "The Argon2id cost is above what Corridor accepts when unwrapping keys.",
                hint=f"Keep CORRIDOR_ARGON2_OPSLIMIT <= {MAX_OPSLIMIT} and "
                f"CORRIDOR_ARGON2_MEMLIMIT <= {MAX_MEMLIMIT}.",
                id="corridor.E007",
            )
        ]
    return []


@register()
def hotline_settings_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    """Windows and limits that must be positive to mean anything."""
    errors = []
    for name in (
        "CORRIDOR_LOOKUP_WINDOW_SECONDS",
        "CORRIDOR_LOOKUP_FAILURE_LIMIT",
        "CORRIDOR_UPLOAD_MAX_FILES",
        "CORRIDOR_UPLOAD_MAX_FILE_BYTES",
        "CORRIDOR_UPLOAD_MAX_TOTAL_BYTES",
        "CORRIDOR_APPLICANT_IDLE_SECONDS",
    ):
        if getattr(settings, name) <= 0:
            errors.append(Error(f"{name} must be a positive number.", id="corridor.E008"))
    codename_cost = (settings.CORRIDOR_CODENAME_OPSLIMIT, settings.CORRIDOR_CODENAME_MEMLIMIT)
    if settings.PRODUCTION and _below_production_floor(*codename_cost):
        errors.append(Error("The codename Argon2id cost is below the production floor.", id="corridor.E009"))
    return errors
