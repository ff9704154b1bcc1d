"""Envelopes of case rows: which plain columns each encrypted field is bound to.

One table for every encrypted field under a case key, so sealing, opening and re-keying
(which opens every row with the old key and seals it again with the new one) all bind
the same columns: a database write that moves a note to another case, turns a flag's
note into another flag's, or swaps an approval's subject makes the envelope fail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

from corridor.hotline import keys as thread_keys

Context = Callable[[Any], dict[str, str]]


def _case(row: Any) -> dict[str, str]:
    return {"case": str(row.case_id)}


def _with(*columns: str) -> Context:
    def context(row: Any) -> dict[str, str]:
        return {**_case(row), **{column: str(getattr(row, column) or "") for column in columns}}

    return context


# (model name, field) → the columns bound. Case.profile binds only its own row.
CONTEXTS: dict[tuple[str, str], Context] = {
    ("Case", "profile"): lambda row: {},
    ("RiskAssessment", "factors"): _case,
    ("StageChange", "note"): _with("to_stage", "reason", "outcome", "outcome_reason"),
    ("CaseFlag", "note"): _with("kind"),
    ("CaseFlag", "clear_note"): _with("kind"),
    ("Approval", "note"): _with("kind", "subject"),
    ("ApprovalDecision", "note"): lambda row: {"approval": str(row.approval_id), "decision": row.decision},
    ("CaseNote", "body"): _with("author_id"),
    ("ContactLog", "note"): _with("channel"),
    ("VettingRecord", "body"): _with("kind", "author_id"),
    ("RedFlag", "note"): _with("code"),
    ("Task", "title"): _with("kind"),
}


def context_of(row: models.Model, field: str) -> dict[str, str]:
    return CONTEXTS[(type(row).__name__, field)](row)


def seal_row(key: bytes, version: int, row: models.Model, field: str, value: dict[str, Any]) -> bytes:
    return thread_keys.seal_json(
        key,
        value,
        model=f"cases.{type(row).__name__}",
        row=str(row.pk),
        field=field,
        version=version,
        context=context_of(row, field),
    )


def open_row(key: bytes, row: models.Model, field: str) -> dict[str, Any]:
    return thread_keys.open_json(
        key,
        bytes(getattr(row, field)),
        model=f"cases.{type(row).__name__}",
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
