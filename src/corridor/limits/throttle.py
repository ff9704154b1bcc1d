"""Failure throttles shared by staff sign-in and codename look-ups.

Keys are HMACs of a scope and a value under the server's secret, so the table never
holds a username, and never an address: behind an onion service every client shares
one, which is why nothing here is keyed on addresses at all.

Counts change in single conditional UPDATE statements, so concurrent requests (other
threads, other gunicorn workers) can never both see room for one more attempt.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils.crypto import salted_hmac

from corridor.limits.models import Throttle

# Rows whose window ended this long ago are of no use to anyone.
_KEEP = timedelta(days=1)


def throttle_key(scope: str, value: str) -> str:
    return salted_hmac("corridor.throttle.v1", f"{scope}\x00{value}", algorithm="sha256").hexdigest()


def _window_start(now: datetime, window_seconds: int) -> datetime:
    return now - timedelta(seconds=window_seconds)


def is_blocked(key: str, *, limit: int, window_seconds: int) -> bool:
    """Whether `limit` attempts were counted under `key` in its current window."""
    now = datetime.now(UTC)
    return Throttle.objects.filter(
        key=key, failures__gte=limit, window_started_at__gte=_window_start(now, window_seconds)
    ).exists()


def _open_window(key: str, now: datetime, window_seconds: int) -> None:
    """Make sure `key` has a row whose window is current (a new window starts at zero)."""
    Throttle.objects.bulk_create(
        [Throttle(key=key, failures=0, window_started_at=now)], ignore_conflicts=True
    )
    Throttle.objects.filter(key=key, window_started_at__lt=_window_start(now, window_seconds)).update(
        failures=0, window_started_at=now
    )


@transaction.atomic
def take_attempt(key: str, *, limit: int, window_seconds: int) -> int | None:
    """Count one attempt in advance if the window has room; returns the new count, or None when full."""
    now = datetime.now(UTC)
    _open_window(key, now, window_seconds)
    if not Throttle.objects.filter(key=key, failures__lt=limit).update(failures=F("failures") + 1):
        return None
    return Throttle.objects.values_list("failures", flat=True).get(key=key)


def give_back_attempt(key: str) -> None:
    """Undo `take_attempt` for an attempt that turned out not to be a failure."""
    Throttle.objects.filter(key=key, failures__gt=0).update(failures=F("failures") - 1)


@transaction.atomic
def record_failure(key: str, *, window_seconds: int) -> int:
    """Count one failure; a window starts at the first failure after the last one ended. Returns the count."""
    now = datetime.now(UTC)
    _open_window(key, now, window_seconds)
    Throttle.objects.filter(key=key).update(failures=F("failures") + 1)
    Throttle.objects.filter(window_started_at__lt=now - _KEEP).delete()
    return Throttle.objects.values_list("failures", flat=True).get(key=key)


def clear(key: str) -> None:
    Throttle.objects.filter(key=key).delete()


def current_count(key: str, *, window_seconds: int) -> int:
    """Attempts counted under `key` in its current window."""
    now = datetime.now(UTC)
    row = Throttle.objects.filter(key=key, window_started_at__gte=_window_start(now, window_seconds)).first()
    return row.failures if row is not None else 0
