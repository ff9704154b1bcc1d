"""Forms of corrections to a person, a statement and an intervention: the record's fields as they
should be, and why (the fields a correction does not change are left out)."""

from __future__ import annotations

from typing import Any

from django import forms

from corridor.documentation.forms import CorrectionForm, InformationForm, InterventionForm, PersonForm


def _reason() -> forms.Field:
    return CorrectionForm.base_fields["reason"]


class PersonCorrectionForm(PersonForm):
    """A person's identity as it should be (the collection stays)."""

    reason = _reason()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, collections=[], **kwargs)
        del self.fields["collection"]


class InformationCorrectionForm(InformationForm):
    """What a source says, as it should be (the source and where it was taken from stay)."""

    reason = _reason()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["source"]
        del self.fields["taken_from"]


class InterventionCorrectionForm(InterventionForm):
    """An intervention as it should be (the follow-up and the response stay: the response has its form)."""

    reason = _reason()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("follows", "response", "response_date"):
            del self.fields[name]
