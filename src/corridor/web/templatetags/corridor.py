"""Small template filters shared by staff and applicant pages."""

from __future__ import annotations

import json
from typing import Any

from django import template

register = template.Library()


@register.filter
def as_json(value: Any) -> str:
    """Audit details as compact JSON (escaped by the template as usual)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


@register.filter
def in_groups(value: str, size: int = 4) -> str:
    """Long keys and codes in groups of four, so they can be read and typed without losing one's place."""
    text = str(value)
    return " ".join(text[i : i + size] for i in range(0, len(text), size))
