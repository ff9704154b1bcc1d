"""Envelopes of consents and withdrawals under the collection key, and the columns each binds.

The pattern of corridor.documentation.sealing: model, row id, field and key version, plus
the plain columns that say what was consented to. A consent's envelope is written even when
its note is empty, so that the export can check every consent it relies on: a row written or
altered outside Corridor (another scope, another partner, another person) fails to open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

from corridor.hotline import keys as envelopes

Context = Callable[[Any], dict[str, str]]


def _columns(*names: str) -> Context:
    def context(row: Any) -> dict[str, str]:
        return {name: str(getattr(row, name) or "") for name in names}

    return context


REGISTRY: dict[tuple[str, str], Context] = {
    ("consent.Consent", "sealed"): _columns(
        "collection_id",
        "person_id",
        "information_id",
        "scope",
        "partner_id",
        "mechanism",
        "given_on",
        "method",
    ),
    ("consent.Withdrawal", "note"): _columns("consent_id", "withdrawn_on", "recorded_by_id"),
}


def _context(row: models.Model, field: str) -> dict[str, str]:
    return REGISTRY[(row._meta.label, field)](row)


def seal(key: bytes, version: int, row: models.Model, field: str, value: dict[str, Any]) -> bytes:
    return envelopes.seal_json(
        key,
        value,
        model=row._meta.label,
        row=str(row.pk),
        field=field,
        version=version,
        context=_context(row, field),
    )


def open_sealed(key: bytes, row: models.Model, field: str) -> dict[str, Any]:
    """The value, or an empty dict for an empty field; raises if the envelope does not open."""
    envelope = bytes(getattr(row, field))
    if not envelope:
        return {}
    return envelopes.open_json(
        key, envelope, model=row._meta.label, row=str(row.pk), field=field, context=_context(row, field)
    )
