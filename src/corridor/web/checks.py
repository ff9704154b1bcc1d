"""System checks that refuse to run production with unsafe settings."""

from __future__ import annotations

import zoneinfo
from pathlib import Path
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


@register()
def applicant_side_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    """The quick exit leaves only for an https:// address; applicant times use a real zone."""
    from corridor.hotline.applicant import quick_exit_problem

    errors = []
    for language, url in settings.CORRIDOR_QUICK_EXIT_URL.items():
        problem = quick_exit_problem(url) if url else ""
        if problem:
            name = "CORRIDOR_QUICK_EXIT_URL" + (f"_{language.upper()}" if language else "")
            errors.append(
                Error(
                    f"{name} {problem}.",
                    hint="Give a full https:// address of a harmless site, or leave it empty.",
                    id="corridor.E010",
                )
            )
    try:
        zoneinfo.ZoneInfo(settings.CORRIDOR_APPLICANT_TIME_ZONE)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        errors.append(
            Error(
                "CORRIDOR_APPLICANT_TIME_ZONE is not a known time zone.",
                hint="Use an IANA name such as Europe/Moscow.",
                id="corridor.E011",
            )
        )
    return errors


@register()
def audit_anchor_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    """An anchor file in a missing directory (an unmounted anchor volume) would never get a head."""
    anchor_file = settings.CORRIDOR_AUDIT_ANCHOR_FILE
    if anchor_file and not Path(anchor_file).parent.is_dir():
        return [
            Error(
                "The directory of CORRIDOR_AUDIT_ANCHOR_FILE does not exist.",
                hint="Mount the anchor storage, or correct the path.",
                id="corridor.E012",
            )
        ]
    return []


@register()
def key_integrity_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    """A short index pepper could be guessed; evidence roles must name roles that read cases."""
    errors = []
    pepper = settings.CORRIDOR_INDEX_PEPPER
    if pepper and len(pepper.encode()) < 32:
        errors.append(
            Error(
                "CORRIDOR_INDEX_PEPPER is shorter than 32 bytes.",
                hint="Use 32 or more random bytes, e.g. 64 hex digits; set it before any index is stored.",
                id="corridor.E013",
            )
        )
    allowed = {"operator", "caseworker", "coordinator", "documenter"}
    if not settings.CORRIDOR_EVIDENCE_ROLES or set(settings.CORRIDOR_EVIDENCE_ROLES) - allowed:
        errors.append(
            Error(
                "CORRIDOR_EVIDENCE_ROLES must name one or more of: " + ", ".join(sorted(allowed)) + ".",
                id="corridor.E014",
            )
        )
    return errors


@register()
def flood_limits_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    """The Argon2id pool must fit one call, wait a positive time, and the server keep connections a while."""
    largest = max(settings.CORRIDOR_ARGON2_MEMLIMIT, settings.CORRIDOR_CODENAME_MEMLIMIT)
    problems = []
    if largest > settings.CORRIDOR_ARGON2_MEMORY_CAP_BYTES:
        problems.append("CORRIDOR_ARGON2_MEMORY_CAP_BYTES is smaller than one Argon2id call's memory")
    for name in ("CORRIDOR_ARGON2_MAX_WAIT_SECONDS", "CORRIDOR_BUSY_RETRY_SECONDS"):
        if getattr(settings, name) <= 0:
            problems.append(f"{name} must be positive")
    for name in ("CORRIDOR_KEEPALIVE_SECONDS", "CORRIDOR_WEB_THREADS"):
        if getattr(settings, name) <= 0:
            problems.append(f"{name} must be positive")
    return [
        Error(
            problem + ".",
            hint="Allow at least one call's memory (CORRIDOR_ARGON2_MEMLIMIT); see docs/deployment.md.",
            id="corridor.E015",
        )
        for problem in problems
    ]
