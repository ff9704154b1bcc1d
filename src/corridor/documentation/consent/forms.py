"""Consent and export forms: parsing only (the services check scopes, partners, dates and text)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.documentation.consent.models import MECHANISMS, Method, Scope
from corridor.evacuation.relocation.partners import active_partners

CHOOSE = _("Choose a value from the list.")
BAD_DAY = _("Give the date as year-month-day, for example 2017-05-14.")


def _partner_choices() -> list[tuple[str, str]]:
    return [("", "—"), *((str(p.pk), p.name) for p in active_partners())]


class _Purpose(forms.Form):
    scope = forms.ChoiceField(
        label=_("Scope"), choices=Scope.choices, error_messages={"invalid_choice": CHOOSE, "required": CHOOSE}
    )
    partner = forms.ChoiceField(
        label=_("Partner organisation"),
        required=False,
        help_text=_("Only for the scope of a named partner organisation."),
        error_messages={"invalid_choice": CHOOSE},
    )
    mechanism = forms.ChoiceField(
        label=_("Mechanism"),
        required=False,
        choices=[("", "—"), *MECHANISMS],
        help_text=_("Only for the scope of a named mechanism."),
        error_messages={"invalid_choice": CHOOSE},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partner = self.fields["partner"]
        assert isinstance(partner, forms.ChoiceField)
        partner.choices = _partner_choices()


class ConsentForm(_Purpose):
    given_on = forms.DateField(
        label=_("Given on"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": BAD_DAY, "invalid": BAD_DAY},
    )
    method = forms.ChoiceField(
        label=_("How it was given"),
        choices=Method.choices,
        error_messages={"invalid_choice": CHOOSE, "required": CHOOSE},
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=4_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Where the written or recorded consent is kept, any limits the person set. Stored encrypted."
        ),
    )


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(
        label=_("Withdrawn on"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": BAD_DAY, "invalid": BAD_DAY},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=4_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How the person withdrew it, and what they asked for. Stored encrypted."),
    )


class ExportForm(_Purpose):
    events = forms.CharField(
        label=_("Events"),
        max_length=2_000,
        help_text=_("The codes of the events to export (E-…), separated by spaces or commas."),
        error_messages={"required": _("Give the code of at least one event.")},
    )
    format = forms.ChoiceField(
        label=_("File format"),
        choices=[("json", _("JSON (for a database)")), ("text", _("Readable text"))],
        error_messages={"invalid_choice": CHOOSE, "required": CHOOSE},
    )

    def codes(self) -> list[str]:
        text = self.cleaned_data["events"].replace(",", " ")
        return list(dict.fromkeys(code.strip().upper() for code in text.split() if code.strip()))
