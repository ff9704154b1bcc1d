"""Failure throttles shared by staff sign-in and codename look-ups.

Keys are HMACs of a scope and a value under the server's secret, so the table never
holds a username, and never an address: behind an onion service every client shares
one, which is why nothing here is keyed on addresses at all.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils.crypto import salted_hmac

from corridor.web.models import Throttle

# Rows whose window ended this long ago are of no use to anyone.
_KEEP = timedelta(days=1)


def throttle_key(scope: str, value: str) -> str:
    return salted_hmac("corridor.throttle.v1", f"{scope}\x00{value}", algorithm="sha256").hexdigest()


def _expired(row: Throttle, now: datetime, window_seconds: int) -> bool:
    return now - row.window_started_at > timedelta(seconds=window_seconds)


def is_blocked(key: str, *, limit: int, window_seconds: int) -> bool:
    """Whether `limit` failures were recorded under `key` in its current window."""
    row = Throttle.objects.filter(key=key).first()
    if row is None or _expired(row, datetime.now(UTC), window_seconds):
        return False
    return row.failures >= limit


@transaction.atomic
def record_failure(key: str, *, window_seconds: int) -> int:
    """Count one failure; a window starts at the first failure after the last one ended. Returns the count."""
    now = datetime.now(UTC)
    row, _ = Throttle.objects.select_for_update().get_or_create(
        key=key, defaults={"failures": 0, "window_started_at": now}
    )
    if _expired(row, now, window_seconds):
        row.failures = 0
        row.window_started_at = now
    row.failures += 1
    row.save(update_fields=["failures", "window_started_at"])
    Throttle.objects.filter(window_started_at__lt=now - _KEEP).delete()
    return row.failures


def clear(key: str) -> None:
    Throttle.objects.filter(key=key).delete()
