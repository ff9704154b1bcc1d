"""Consent on the documentation pages: a person's consents, a statement's, and the export form.

These show plain columns only (scope, partner, mechanism, dates, how given): notes are read
on the consent pages, where opening the collection key is audited.
"""

from __future__ import annotations

from typing import Any

from django import template

from corridor.documentation.consent import reading
from corridor.documentation.consent.forms import ExportForm
from corridor.documentation.models import Event, Information, Person

register = template.Library()


@register.inclusion_tag("consent/person_section.html")
def person_consents(person: Person) -> dict[str, Any]:
    consents = list(reading.consents_of(person=person))
    return {
        "person": person,
        "summary": reading.summary(consents),
        "labels": {c.pk: reading.scope_label(c) for c in consents},
    }


@register.inclusion_tag("consent/statement_cell.html")
def statement_consents(information: Information) -> dict[str, Any]:
    consents = list(reading.consents_of(information=information))
    standing = reading.summary(consents).standing
    return {"information": information, "labels": [reading.scope_label(c) for c in standing]}


@register.inclusion_tag("consent/export_details.html")
def export_form(event: Event) -> dict[str, Any]:
    return {"form": ExportForm(initial={"events": event.code, "format": "json"}, auto_id="id_export_%s")}


@register.filter
def scope_label(consent: Any) -> str:
    return reading.scope_label(consent)
