"""Controlled vocabularies: codes from the CSV files in this folder, labels from the translation catalogues.

Rows store codes only. Each file lists `code,label,origin`: the label is the English
msgid (gettext translates it at display time) and `labels.py` repeats every label so
that makemessages finds it; a test keeps the two in step.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext

FOLDER = Path(__file__).resolve().parent
NAMES = (
    "act_types",
    "methods",
    "degrees",
    "perpetrator_types",
    "statuses",
    "source_connections",
    "intervention_types",
    "responses",
    "site_types",
)


@dataclass(frozen=True)
class Term:
    code: str
    label: str  # the English msgid
    origin: str


@cache
def terms(name: str) -> tuple[Term, ...]:
    """The terms of one vocabulary, in file order."""
    if name not in NAMES:
        raise KeyError(name)
    with (FOLDER / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(Term(row["code"], row["label"], row["origin"]) for row in csv.DictReader(handle))


@cache
def _codes(name: str) -> dict[str, Term]:
    return {term.code: term for term in terms(name)}


def is_code(name: str, code: str) -> bool:
    return code in _codes(name)


def label(name: str, code: str) -> str:
    """The label in the active language; an unknown code shows as itself."""
    term = _codes(name).get(code)
    return gettext(term.label) if term else code


def choices(name: str) -> list[tuple[str, str]]:
    return [(term.code, gettext(term.label)) for term in terms(name)]
