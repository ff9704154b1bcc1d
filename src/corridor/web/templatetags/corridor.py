"""Small template filters shared by staff and applicant pages."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from corridor.crypto.words import words_to_digits

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


@register.filter
def word_groups(value: str) -> list[str]:
    """A fingerprint's groups of words, so a line breaks only between groups."""
    return [group.strip() for group in str(value).split("·") if group.strip()]


@register.filter
def fingerprint_in_digits(value: str) -> str:
    """A fingerprint's words as the digit groups pages in other languages show ("" if it is not one)."""
    try:
        return words_to_digits(str(value))
    except ValueError:
        return ""


@register.simple_tag(takes_context=True)
def same_page_in(context: dict[str, Any], language: str) -> str:
    """This page's address in another language, rebuilt from its URL name; else that language's start page."""
    # Never from the request path: a crafted address (//evil.example/ru/, /\evil.example/)
    # would come back as a link to another host. Pages that did not resolve (404) have no name.
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    with translation.override(language):
        if match is not None and match.view_name:
            try:
                return reverse(match.view_name, args=match.args, kwargs=match.kwargs)
            except NoReverseMatch:
                pass
        return reverse("hotline_public:landing")


@register.filter
def region_name(code: str) -> str:
    """The name of a coarse region code from the hotline's list, or the code itself."""
    from corridor.hotline.triage import REGIONS

    names = {key: str(label) for key, label in REGIONS if key}
    return names.get(code, code or "—")
