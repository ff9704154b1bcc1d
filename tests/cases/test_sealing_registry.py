"""Every encrypted column of a case's rows is in the sealing registry, so a re-key reaches it."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from corridor.cases import sealing
from corridor.cases.models import Case

# Binary columns that are not envelopes under the case key: blind indexes.
NOT_ENVELOPES = {"digest"}


def _belongs_to_a_case(model: type[models.Model]) -> bool:
    fields = model._meta.get_fields()
    return model is Case or any(isinstance(f, models.ForeignKey) and f.related_model is Case for f in fields)


def test_every_binary_column_of_a_case_row_is_registered() -> None:
    unregistered = [
        (model._meta.label, field.name)
        for model in apps.get_models()
        if _belongs_to_a_case(model)
        for field in model._meta.get_fields()
        if isinstance(field, models.BinaryField)
        and field.name not in NOT_ENVELOPES
        and (model._meta.label, field.name) not in sealing.REGISTRY
    ]
    assert unregistered == []


def test_registered_fields_lead_to_a_case() -> None:
    for sealed in sealing.registered():
        path = "pk" if sealed.relation == "" else f"{sealed.relation}__pk"
        # Compiling the query checks the path: a wrong one raises FieldError here, not mid re-key.
        str(sealed.model._default_manager.filter(**{path: Case().pk}).query)
