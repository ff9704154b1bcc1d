"""Small shared state: the worker's periodic scheduler and failure throttles."""

from __future__ import annotations

from django.db import models


class PeriodicRun(models.Model):
    """When a periodic job was last enqueued; one row per job, created on its first run."""

    name = models.CharField(max_length=64, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.last_run_at:%Y-%m-%d %H:%M}"


class Throttle(models.Model):
    """Failures counted per window under an HMAC'd key (a username, or the whole site), never an address."""

    key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"throttle {self.key[:8]}"
