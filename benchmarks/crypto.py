"""Figures for the cryptographic core: key unlock at the production Argon2id cost, field envelopes."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from corridor.crypto import keys
from corridor.crypto.envelope import generate_key, open_field, seal_field
from corridor.crypto.kdf import PRODUCTION_COST, unwrap_with_password, wrap_with_password


def _timed(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def _summary(samples: list[float], scale: float, unit: str) -> dict[str, Any]:
    ordered = sorted(samples)
    return {
        "unit": unit,
        "median": round(statistics.median(ordered) * scale, 3),
        "p95": round(ordered[int(len(ordered) * 0.95) - 1] * scale, 3),
        "min": round(ordered[0] * scale, 3),
        "samples": len(ordered),
    }


def unlock_figures(repeat: int = 7) -> dict[str, Any]:
    """What a staff sign-in spends on Argon2id: unwrapping the user key at the production cost."""
    private = keys.generate_keypair().private
    blob = wrap_with_password(private, "correct horse battery staple", PRODUCTION_COST)
    unwrap_with_password(blob, "correct horse battery staple")  # first call pays for page faults
    samples = _timed(lambda: unwrap_with_password(blob, "correct horse battery staple"), repeat)
    return {
        "opslimit": PRODUCTION_COST.opslimit,
        "memlimit_mib": PRODUCTION_COST.memlimit // (1024 * 1024),
        **_summary(samples, 1000, "ms"),
    }


def envelope_figures(size: int = 256, repeat: int = 20000) -> dict[str, Any]:
    """Sealing and opening one field value of `size` bytes (a typical name, phone or short note)."""
    key = generate_key()
    value = os.urandom(size)
    context = {"model": "cases.Person", "row": "7d1f0c9e-4b8a-4f57-9a3c-2f1e6d5b4a39", "field": "full_name"}
    sealed = seal_field(key, value, **context)
    seal = _timed(lambda: seal_field(key, value, **context), repeat)
    opened = _timed(lambda: open_field(key, sealed, **context), repeat)
    return {
        "field_bytes": size,
        "seal": _summary(seal, 1e6, "µs"),
        "open": _summary(opened, 1e6, "µs"),
    }


def run() -> dict[str, Any]:
    return {
        "argon2id_unlock": unlock_figures(),
        "envelope_256B": envelope_figures(256),
        "envelope_4KiB": envelope_figures(4096, repeat=5000),
    }
