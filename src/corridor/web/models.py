"""Small shared state: the worker's periodic scheduler (failure throttles live in corridor.limits)."""

from __future__ import annotations

from django.db import models


class PeriodicRun(models.Model):
    """When a periodic job was last enqueued; one row per job, created on its first run."""

    name = models.CharField(max_length=64, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.last_run_at:%Y-%m-%d %H:%M}"
