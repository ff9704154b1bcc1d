"""Envelopes of documentation rows under a collection key, and the plain columns each binds.

The same pattern as corridor.cases.sealing, for collection keys: every envelope binds the
model, row id, field and key version, and the columns that give the text its meaning
(the collection, the event an act belongs to, the act an involvement belongs to, the
victim or perpetrator kind), so a database write that moves a name to another act, or
turns a group's description into a person's name, makes the envelope fail.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models

from corridor.crypto.batch import FieldSealer
from corridor.hotline import keys as envelopes

Context = Callable[[Any], dict[str, str]]


@dataclass(frozen=True)
class _Columns:
    """The context of a field: these plain columns of its row (their names kept for `TextSealer`)."""

    names: tuple[str, ...]

    def __call__(self, row: Any) -> dict[str, str]:
        return {name: str(getattr(row, name) or "") for name in self.names}


def _columns(*names: str) -> Context:
    return _Columns(names)


# (model label, field) → the context it binds.
REGISTRY: dict[tuple[str, str], Context] = {
    ("documentation.Collection", "title"): _columns("code", "key_id"),
    ("documentation.Event", "title"): _columns("collection_id", "code"),
    ("documentation.Event", "description"): _columns("collection_id", "code"),
    ("documentation.Event", "origin"): _columns("collection_id", "code"),
    ("documentation.EventRevision", "content"): _columns("event_id", "number"),
    ("documentation.Act", "victim"): _columns("event_id", "victim_kind", "victim_person_id"),
    ("documentation.Act", "notes"): _columns("event_id", "victim_kind"),
    ("documentation.Involvement", "person"): _columns("act_id", "event_id", "perpetrator_kind"),
    ("documentation.Person", "identity"): _columns("collection_id", "code"),
    ("documentation.Person", "case_link"): _columns("collection_id", "code"),
    ("documentation.Source", "description"): _columns("collection_id", "code", "kind", "person_id"),
    ("documentation.Information", "statement"): _columns("event_id", "source_id"),
    ("documentation.Information", "origin"): _columns("event_id", "source_id"),
    ("documentation.Intervention", "reference"): _columns("event_id", "code", "body"),
    ("documentation.Intervention", "notes"): _columns("event_id", "code", "body"),
}


def context_of(row: models.Model, field: str) -> dict[str, str]:
    return REGISTRY[(row._meta.label, field)](row)


def seal_text(key: bytes, version: int, row: models.Model, field: str, text: str) -> bytes:
    """A text field; empty text stays empty (nothing to hide, nothing to open)."""
    if not text:
        return b""
    return envelopes.seal_json(
        key,
        {"text": text},
        model=row._meta.label,
        row=str(row.pk),
        field=field,
        version=version,
        context=context_of(row, field),
    )


def seal_json(key: bytes, version: int, row: models.Model, field: str, value: dict[str, Any]) -> bytes:
    return envelopes.seal_json(
        key,
        value,
        model=row._meta.label,
        row=str(row.pk),
        field=field,
        version=version,
        context=context_of(row, field),
    )


def open_json(key: bytes, row: models.Model, field: str) -> dict[str, Any]:
    return envelopes.open_json(
        key,
        bytes(getattr(row, field)),
        model=row._meta.label,
        row=str(row.pk),
        field=field,
        context=context_of(row, field),
    )


def open_text(key: bytes, row: models.Model, field: str) -> str:
    envelope = bytes(getattr(row, field))
    if not envelope:
        return ""
    value = envelopes.open_json(
        key, envelope, model=row._meta.label, row=str(row.pk), field=field, context=context_of(row, field)
    )
    return str(value.get("text", ""))


class TextSealer:
    """`seal_text` of one field for many new rows of one model (an import): the same envelopes.

    The row is given by its id and the columns its context binds (`context[name]` as `str` of
    the column, "" for none: what `context_of` reads from a model instance);
    tests/documentation/test_imports.py checks the envelopes open with `open_text`.
    """

    def __init__(self, key: bytes, version: int, model: type[models.Model], field: str) -> None:
        context = REGISTRY[(model._meta.label, field)]
        if not isinstance(context, _Columns):
            raise TypeError(f"{model._meta.label}.{field} binds more than its row's columns")
        self.columns = context.names
        self._sealer = FieldSealer(
            key, model=model._meta.label, field=field, key_version=version, context_names=context.names
        )

    def seal(self, row: str, context: Mapping[str, str], text: str) -> bytes:
        if not text:
            return b""
        # What `json.dumps({"text": text}, ensure_ascii=False)` writes, without building the dict.
        value = '{"text": ' + _encode_string(text) + "}"
        return self._sealer.seal(value.encode(), row=row, context=[context[name] for name in self.columns])


_encode_string: Callable[[str], str] = json.encoder.encode_basestring
