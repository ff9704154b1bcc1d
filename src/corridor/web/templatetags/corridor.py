"""Small template filters shared by staff and applicant pages."""

from __future__ import annotations

import json
import re
from typing import Any

from django import template
from django.forms import BaseForm
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.safestring import mark_safe

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


@register.filter
def fields_with_errors(form: Any) -> list[Any]:
    """The form's bound fields that have errors, in the form's order (for the error summary)."""
    if form is None or not getattr(form, "is_bound", False):
        return []
    return [field for field in form if field.errors]


@register.filter
def error_target(field: Any) -> str:
    """The id a link to this field should point at: its input, or the first choice of a group."""
    if field.use_fieldset:
        return f"{field.auto_id}_0" if field.auto_id else ""
    return str(field.id_for_label or field.auto_id or "")


@register.simple_tag(takes_context=True)
def page_has_errors(context: Any) -> bool:
    """Whether any form on the page came back with errors (or the page names a problem): the title says so."""
    if context.get("problem"):
        return True
    # type(), not isinstance(): isinstance would evaluate lazy values such as csrf_token, and
    # evaluating that one sets the CSRF cookie on pages that must set none.
    for value in context.flatten().values():
        candidates = value.values() if type(value) is dict else [value]
        for candidate in candidates:
            if issubclass(type(candidate), BaseForm) and candidate.is_bound and candidate.errors:
                return True
    return False


_LATIN = re.compile(r"[A-Za-z]")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")


@register.simple_tag
def lang_of(text: str) -> str:
    """` lang="en"` or ` lang="ru"` for text written in the other script than the page's language, else ""."""
    # Screen readers read Latin words with Russian rules (and the reverse) unless told; a Latin
    # name such as the organisation's is most likely read right as English.
    page = translation.get_language() or ""
    value = str(text)
    if page.startswith("ru") and _LATIN.search(value) and not _CYRILLIC.search(value):
        return mark_safe(' lang="en"')
    if not page.startswith("ru") and _CYRILLIC.search(value) and not _LATIN.search(value):
        return mark_safe(' lang="ru"')
    return ""
