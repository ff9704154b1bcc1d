"""Relocation forms: parsing and validation only; the services decide what is allowed.

Forms about one case take it, so that a pathway, consent or partner that is not offered
on this case's page is an invalid choice (a clear error), never a lookup elsewhere.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.cases.models import Case
from corridor.cases.services import CaseRefused, clean_text
from corridor.evacuation.relocation.countries import country_choices, country_name
from corridor.evacuation.relocation.models import (
    Consent,
    ConsentChannel,
    MilestoneKind,
    Partner,
    Pathway,
    PathwayKind,
    PathwayOutcome,
)
from corridor.evacuation.relocation.partners import MAX_NAME
from corridor.evacuation.relocation.referrals import REFERRAL_FIELDS
from corridor.evacuation.relocation.services import MAX_NOTE

_CHOOSE = {"invalid_choice": _("Choose from the list."), "required": _("Choose from the list.")}
_DATE = {
    "required": _("Give the date."),
    "invalid": _("Give the date as year-month-day."),
}


def _checked(text: str, *, required: bool = False) -> str:
    """The services' text rule as a form error: control characters and NUL bytes are refused."""
    try:
        cleaned = clean_text(text, required=required)
    except CaseRefused as exc:
        raise forms.ValidationError(str(exc)) from None
    if len(cleaned) > MAX_NOTE:
        raise forms.ValidationError(_("The note is too long."))
    return cleaned


def _note(label: Any, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_NOTE}),
        error_messages={"required": _("Write something first.")},
    )


def _partner_label(partner: Partner) -> str:
    return f"{partner.name} ({country_name(partner.country)})"


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NoteCleaning:
    """Every form here cleans its `note` (or `message`) with the services' rule."""

    cleaned_data: dict[str, Any]

    def clean_note(self) -> str:
        field = self.fields["note"]  # type: ignore[attr-defined]
        return _checked(self.cleaned_data.get("note", ""), required=field.required)

    def clean_message(self) -> str:
        return _checked(self.cleaned_data.get("message", ""))


class CaseForm(NoteCleaning, forms.Form):
    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        # Several of these forms share the case page: each gets its own field ids.
        self.auto_id = f"id_{type(self).__name__.lower()}_%s"

    def _partners(self, name: str, *, blank: bool) -> None:
        self.partners = {str(p.pk): p for p in Partner.objects.filter(active=True).order_by("name")}
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = ([("", _("None yet"))] if blank else []) + [
            (pk, _partner_label(p)) for pk, p in self.partners.items()
        ]

    def _pathways(self, name: str, *, blank: bool) -> None:
        rows = Pathway.objects.filter(case=self.case, outcome="").order_by("created_at")
        self.pathways = {str(p.pk): p for p in rows}
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = ([("", _("None"))] if blank else []) + [
            (pk, f"{p.get_kind_display()} → {country_name(p.destination)}") for pk, p in self.pathways.items()
        ]

    def chosen_partner(self) -> Partner | None:
        return self.partners.get(self.cleaned_data.get("partner") or "")

    def chosen_pathway(self) -> Pathway | None:
        return self.pathways.get(self.cleaned_data.get("pathway") or "")


class PathwayForm(CaseForm):
    kind = forms.ChoiceField(label=_("Pathway"), choices=PathwayKind.choices, error_messages=_CHOOSE)
    destination = forms.ChoiceField(label=_("Destination country"), error_messages=_CHOOSE)
    partner = forms.ChoiceField(label=_("Receiving partner"), required=False, error_messages=_CHOOSE)
    note = _note(_("Note (optional)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        destination = self.fields["destination"]
        assert isinstance(destination, forms.ChoiceField)
        destination.choices = [("", "—"), *country_choices()]
        self._partners("partner", blank=True)


class MilestoneForm(CaseForm):
    pathway = forms.ChoiceField(label=_("Pathway"), error_messages=_CHOOSE)
    kind = forms.ChoiceField(label=_("Milestone"), choices=MilestoneKind.choices, error_messages=_CHOOSE)
    on = forms.DateField(
        label=_("Date"),
        help_text=_("When it happened, or when it is booked for."),
        widget=_date_input(),
        error_messages=_DATE,
    )
    note = _note(_("Note (optional)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pathways("pathway", blank=False)


class ClosePathwayForm(CaseForm):
    pathway = forms.ChoiceField(label=_("Pathway"), error_messages=_CHOOSE)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=PathwayOutcome.choices, error_messages=_CHOOSE)
    note = _note(_("Note (optional)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pathways("pathway", blank=False)


class ConsentForm(CaseForm):
    partner = forms.ChoiceField(label=_("Partner organisation"), error_messages=_CHOOSE)
    given_on = forms.DateField(label=_("Consent given on"), widget=_date_input(), error_messages=_DATE)
    channel = forms.ChoiceField(
        label=_("How it was given"), choices=ConsentChannel.choices, error_messages=_CHOOSE
    )
    note = _note(_("Note (optional)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._partners("partner", blank=False)


class WithdrawConsentForm(CaseForm):
    consent = forms.ChoiceField(label=_("Consent"), error_messages=_CHOOSE)
    note = _note(_("Note (optional)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rows = Consent.objects.filter(case=self.case, withdrawn_at__isnull=True).select_related("partner")
        self.consents = {str(c.pk): c for c in rows}
        field = self.fields["consent"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(pk, _partner_label(c.partner)) for pk, c in self.consents.items()]

    def chosen_consent(self) -> Consent:
        return self.consents[self.cleaned_data["consent"]]


class ReferralForm(CaseForm):
    partner = forms.ChoiceField(label=_("Partner organisation"), error_messages=_CHOOSE)
    pathway = forms.ChoiceField(label=_("For the pathway"), required=False, error_messages=_CHOOSE)
    fields_sent = forms.MultipleChoiceField(
        label=_("Details to send"),
        help_text=_("Only what the partner needs to act. Nothing is sent unless you tick it."),
        choices=list(REFERRAL_FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one detail to send."),
            "invalid_choice": _("Choose from the list."),
        },
    )
    message = forms.CharField(
        label=_("Message to the partner (optional)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_NOTE}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._partners("partner", blank=False)
        self._pathways("pathway", blank=True)


class ReferralSignForm(CaseForm):
    referral = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"invalid": _("Choose from the list.")}
    )


class PartnerForm(NoteCleaning, forms.Form):
    name = forms.CharField(
        label=_("Organisation"),
        help_text=_("Its public name or a code name; never a person's name."),
        max_length=MAX_NAME,
        error_messages={"required": _("Give the organisation's name.")},
    )
    country = forms.ChoiceField(label=_("Country"), error_messages=_CHOOSE)
    public_key = forms.CharField(
        label=_("Public key"),
        help_text=_("The line starting with corridor-partner-v1: that the partner's key tool printed."),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 200}),
        error_messages={"required": _("Paste the partner's public key.")},
    )
    fingerprint = forms.CharField(
        label=_("Fingerprint, as the partner read it to you"),
        help_text=_(
            "Twelve words or twelve groups of digits. Ask for it by phone or in person, not in the "
            "message that brought the key."
        ),
        max_length=300,
        error_messages={"required": _("Give the fingerprint the partner read to you.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)
        country.choices = [("", "—"), *country_choices()]

    def clean_name(self) -> str:
        return _checked(self.cleaned_data.get("name", ""), required=True)


class PartnerDeactivateForm(forms.Form):
    partner = forms.UUIDField(widget=forms.HiddenInput)
