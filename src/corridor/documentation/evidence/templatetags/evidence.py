"""The evidence section of an event's page."""

from __future__ import annotations

from typing import Any

from django import template

from corridor.accounts import unlock
from corridor.documentation.evidence import reading
from corridor.documentation.evidence.forms import ThreadForm
from corridor.documentation.evidence.views import upload_form
from corridor.documentation.models import Event
from corridor.hotline import receipts

register = template.Library()


@register.inclusion_tag("evidence/section.html", takes_context=True)
def evidence_section(context: template.Context, event: Event) -> dict[str, Any]:
    """The event's items (their sealed records opened with one audited opening), the upload form and
    the way to a hotline file."""
    request = context["request"]
    items = reading.event_items(
        user=request.user, user_private_key=unlock.user_private_key(request), event=event
    )
    return {
        "event": event,
        "items": items,
        "form": upload_form(event),
        "thread_form": ThreadForm(auto_id="id_th_%s"),
        "submission_token": receipts.new_token(),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
