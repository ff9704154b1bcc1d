"""Failure throttles: counts per window under an HMAC'd key."""

from __future__ import annotations

from django.db import models


class Throttle(models.Model):
    """Attempts counted per window under an HMAC'd key (a username, or the whole site), never an address."""

    key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"throttle {self.key[:8]}"
