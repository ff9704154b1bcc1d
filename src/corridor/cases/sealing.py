"""Envelopes of rows under a case key: which plain columns each encrypted field is bound to.

One registry for every encrypted field under a case key, whichever app owns the row, so
sealing, opening and re-keying (which opens every row with the old key and seals it again
with the new one) all bind the same columns: a database write that moves a note to another
case, turns a flag's note into another flag's, or swaps an approval's subject makes the
envelope fail. Other apps register their fields in their AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models

from corridor.hotline import keys as thread_keys

Context = Callable[[Any], dict[str, str]]


@dataclass(frozen=True)
class SealedField:
    """A field sealed under a case key, and the ORM path from its row to the case."""

    model: type[models.Model]
    field: str
    relation: str
    context: Context


def _case(row: Any) -> dict[str, str]:
    return {"case": str(row.case_id)}


def bound(*columns: str) -> Context:
    """Binds the row's case and the named plain columns (a None column binds as empty)."""

    def context(row: Any) -> dict[str, str]:
        return {**_case(row), **{column: str(getattr(row, column) or "") for column in columns}}

    return context


# (model label, field) → the registered field, in registration order.
REGISTRY: dict[tuple[str, str], SealedField] = {}


def register(model: type[models.Model], relation: str, fields: dict[str, Context]) -> None:
    """Declares fields of `model` sealed under the case key that `relation` leads to."""
    for name, context in fields.items():
        REGISTRY[(model._meta.label, name)] = SealedField(model, name, relation, context)


def registered() -> Iterator[SealedField]:
    yield from REGISTRY.values()


def context_of(row: models.Model, field: str) -> dict[str, str]:
    return REGISTRY[(row._meta.label, field)].context(row)


def seal_row(key: bytes, version: int, row: models.Model, field: str, value: dict[str, Any]) -> bytes:
    return thread_keys.seal_json(
        key,
        value,
        model=row._meta.label,
        row=str(row.pk),
        field=field,
        version=version,
        context=context_of(row, field),
    )


def open_row(key: bytes, row: models.Model, field: str) -> dict[str, Any]:
    return thread_keys.open_json(
        key,
        bytes(getattr(row, field)),
        model=row._meta.label,
        row=str(row.pk),
        field=field,
        context=context_of(row, field),
    )


def seal_text(key: bytes, version: int, row: models.Model, field: str, text: str) -> bytes:
    """A free-text field; empty text stays empty (nothing to hide, nothing to open)."""
    return seal_row(key, version, row, field, {"text": text}) if text else b""


def open_text(key: bytes, row: models.Model, field: str) -> str:
    if not bytes(getattr(row, field)):
        return ""
    return str(open_row(key, row, field).get("text", ""))
