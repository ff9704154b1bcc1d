"""A person's profile: what it holds, how it is cleaned, and the identifiers it yields."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import phonenumbers
from django.conf import settings

from corridor.crypto.blind import IndexKind

LIST_FIELDS = ("names", "aliases", "phones", "emails", "handles", "documents")
TEXT_FIELDS = ("birth", "location", "family", "risk_notes")
MAX_ITEMS = 20
MAX_ITEM = 200
MAX_TEXT = 5000


@dataclass(frozen=True)
class Profile:
    """Everything that says who the person is and where: stored only as an envelope under the case key."""

    names: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    # Approximate, as the person gives it: "1994", "1994-05", "about 30".
    birth: str = ""
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    handles: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    # Where the person is now, exactly (the coarse region is the case's plain column).
    location: str = ""
    family: str = ""
    risk_notes: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        values: dict[str, Any] = {}
        for name in LIST_FIELDS:
            items = data.get(name, [])
            values[name] = [str(item) for item in items] if isinstance(items, list) else []
        for name in TEXT_FIELDS:
            values[name] = str(data.get(name, ""))
        return cls(**values)

    @property
    def display_name(self) -> str:
        return self.names[0] if self.names else (self.aliases[0] if self.aliases else "")


_INDEXED = (
    ("names", IndexKind.NAME),
    ("aliases", IndexKind.NAME),
    ("phones", IndexKind.PHONE),
    ("emails", IndexKind.EMAIL),
    ("handles", IndexKind.HANDLE),
    ("documents", IndexKind.DOCUMENT),
)


def profile_identifiers(profile: Profile) -> list[tuple[str, str]]:
    """(kind, value) for every identifier in the profile."""
    return [
        (kind.value, value) for name, kind in _INDEXED for value in getattr(profile, name) if value.strip()
    ]


_EMAIL = re.compile(r"[^\s@<>(),;:\"']+@[^\s@<>(),;:\"']+\.[^\s@<>(),;:\"'.]+")
_HANDLE = re.compile(r"(?<![\w@.])@([A-Za-z0-9_]{4,32})\b")


def identifiers_in_text(text: str) -> list[tuple[str, str]]:
    """Phones, e-mail addresses and @handles found in free text (a thread's contact details)."""
    found: list[tuple[str, str]] = []
    for match in phonenumbers.PhoneNumberMatcher(text, settings.CORRIDOR_PHONE_REGION):
        found.append((IndexKind.PHONE.value, match.raw_string))
    emails = _EMAIL.findall(text)
    found += [(IndexKind.EMAIL.value, email) for email in emails]
    without_emails = _EMAIL.sub(" ", text)
    found += [(IndexKind.HANDLE.value, "@" + handle) for handle in _HANDLE.findall(without_emails)]
    return found
