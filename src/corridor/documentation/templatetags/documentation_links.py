"""Whether a page may offer "Document this": to documenters who hold a collection."""

from __future__ import annotations

from django import template

from corridor.accounts.models import User
from corridor.documentation import access

register = template.Library()


@register.filter
def may_document(user: object) -> bool:
    return isinstance(user, User) and access.can_document(user) and access.readable_collections(user).exists()
