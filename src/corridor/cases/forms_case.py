"""Forms of the case page: parsing and validation only; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.cases import profile as profile_rules
from corridor.cases.models import (
    ApprovalKind,
    ContactChannel,
    DecisionChoice,
    FlagKind,
    FlagReason,
    Outcome,
    Stage,
    VettingFailure,
)
from corridor.cases.profile import Profile
from corridor.cases.services import MAX_TEXT, CaseRefused, clean_text
from corridor.hotline.models import Urgency
from corridor.hotline.triage import REGIONS

RISK_FACTORS = [
    ("in_danger_now", _("In danger right now")),
    ("detained_now", _("Detained right now")),
    ("threatened_by_police", _("Threatened by the police")),
    ("threatened_by_relatives", _("Threatened by relatives")),
    ("threatened_by_others", _("Threatened by others")),
    ("outed", _("Outed to family or others")),
    ("injured", _("Injured")),
    ("documents_held", _("Documents held by someone else")),
    ("location_known", _("Their location is known to those hunting them")),
]
REOPEN_STAGES = [
    (s.value, s.label) for s in (Stage.SCREENING, Stage.VETTING, Stage.SHELTERED, Stage.FOLLOW_UP)
]
FLAG_REASONS = [(r.value, r.label) for r in FlagReason if r != FlagReason.BLOCKLIST_MATCH]


def _checked(text: str, *, required: bool, limit: int = MAX_TEXT) -> str:
    """The services' own text rule as a form error; NUL bytes are refused, not silently dropped."""
    if "\x00" in text:
        raise forms.ValidationError(_("Null characters are not allowed."))
    try:
        cleaned = clean_text(text, required=required)
    except CaseRefused as exc:
        raise forms.ValidationError(str(exc)) from None
    if len(cleaned) > limit:
        raise forms.ValidationError(_("The text is too long."))
    return cleaned


def _area(rows: int, limit: int = MAX_TEXT) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": limit})


def _note(label: Any, *, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, required=required, strip=False, widget=_area(3))


class TextForm(forms.Form):
    """A form whose `note` field follows the services' text rules."""

    note_required = False

    def clean_note(self) -> str:
        return _checked(self.cleaned_data.get("note", ""), required=self.note_required)


class ProfileForm(forms.Form):
    names = forms.CharField(label=_("Names (one a line)"), required=False, strip=False, widget=_area(2))
    aliases = forms.CharField(label=_("Aliases (one a line)"), required=False, strip=False, widget=_area(2))
    birth = forms.CharField(label=_("Birth (approximate)"), required=False, strip=False)
    phones = forms.CharField(label=_("Phones (one a line)"), required=False, strip=False, widget=_area(2))
    emails = forms.CharField(
        label=_("E-mail addresses (one a line)"), required=False, strip=False, widget=_area(2)
    )
    handles = forms.CharField(
        label=_("Messenger handles (one a line)"), required=False, strip=False, widget=_area(2)
    )
    documents = forms.CharField(
        label=_("Document numbers (one a line)"), required=False, strip=False, widget=_area(2)
    )
    location = forms.CharField(
        label=_("Where the person is now"), required=False, strip=False, widget=_area(2)
    )
    family = forms.CharField(label=_("Family"), required=False, strip=False, widget=_area(3))
    risk_notes = forms.CharField(label=_("Risk notes"), required=False, strip=False, widget=_area(3))
    # The coarse region is the case's plain column (it sorts the board); the exact place above is encrypted.
    region = forms.ChoiceField(label=_("Region"), choices=REGIONS, required=False)

    @classmethod
    def for_profile(cls, profile: Profile, region: str = "") -> ProfileForm:
        initial: dict[str, str] = {
            name: "\n".join(getattr(profile, name)) for name in profile_rules.LIST_FIELDS
        }
        initial.update({name: getattr(profile, name) for name in profile_rules.TEXT_FIELDS})
        initial["region"] = region
        return cls(initial=initial)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in profile_rules.LIST_FIELDS:
            if name in data:
                data[name] = self._items(name, data[name])
        for name in profile_rules.TEXT_FIELDS:
            if name in data:
                data[name] = self._text(name, data[name])
        return data

    def _items(self, name: str, text: str) -> list[str]:
        try:
            items = [
                _checked(line, required=False, limit=profile_rules.MAX_ITEM) for line in text.splitlines()
            ]
        except forms.ValidationError as exc:
            self.add_error(name, exc)
            return []
        items = [item for item in items if item]
        if len(items) > profile_rules.MAX_ITEMS:
            self.add_error(name, _("At most %(n)d lines.") % {"n": profile_rules.MAX_ITEMS})
        return items

    def _text(self, name: str, text: str) -> str:
        try:
            return _checked(text, required=False, limit=profile_rules.MAX_TEXT)
        except forms.ValidationError as exc:
            self.add_error(name, exc)
            return ""

    def profile(self) -> Profile:
        return Profile.from_dict(self.cleaned_data)


class MoveForm(TextForm):
    to_stage = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    note = _note(_("Note (optional)"))


class CloseForm(TextForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    outcome_reason = forms.ChoiceField(
        label=_("Reason (failed vetting only)"),
        choices=[("", _("—")), *VettingFailure.choices],
        required=False,
    )
    note = _note(_("Note (optional)"))


class ReopenForm(TextForm):
    to_stage = forms.ChoiceField(label=_("Reopen at"), choices=REOPEN_STAGES)
    note = _note(_("Why it is reopened"), required=True)
    note_required = True


class FlagForm(TextForm):
    kind = forms.ChoiceField(label=_("Flag"), choices=FlagKind.choices)
    reason = forms.ChoiceField(label=_("Reason"), choices=FLAG_REASONS)
    note = _note(_("Note"))


class ClearFlagForm(TextForm):
    flag = forms.UUIDField(widget=forms.HiddenInput)
    note = _note(_("Why it is cleared"), required=True)
    note_required = True


class ApprovalRequestForm(TextForm):
    kind = forms.ChoiceField(label=_("What needs approval"), choices=ApprovalKind.choices)
    subject = forms.CharField(
        label=_("Subject"),
        required=False,
        max_length=64,
        help_text=_('For a spend, the amount and currency ("450 EUR"); for a closure, "outcome:reason".'),
    )
    note = _note(_("Note (optional)"))

    def clean_subject(self) -> str:
        return _checked(self.cleaned_data.get("subject", ""), required=False, limit=64)


class ApprovalDecideForm(TextForm):
    approval = forms.UUIDField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("Decision"), choices=DecisionChoice.choices)
    note = _note(_("Note (required to reject)"))


class NoteForm(TextForm):
    note = _note(_("Note"), required=True)
    note_required = True


class ContactForm(TextForm):
    channel = forms.ChoiceField(label=_("How you were in touch"), choices=ContactChannel.choices)
    note = _note(_("Note (optional)"))


class RiskForm(forms.Form):
    factors = forms.MultipleChoiceField(
        label=_("Risk factors"), choices=RISK_FACTORS, required=False, widget=forms.CheckboxSelectMultiple
    )
    urgency = forms.TypedChoiceField(
        label=_("Urgency (leave empty to follow the factors)"),
        choices=[("", _("Follow the factors")), *Urgency.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )


class GrantForm(forms.Form):
    username = forms.CharField(label=_("Colleague's username"), max_length=150)

    def clean_username(self) -> str:
        return _checked(self.cleaned_data["username"], required=True, limit=150)


class AssignForm(GrantForm):
    username = forms.CharField(label=_("New caseworker's username"), max_length=150)


class RevokeForm(forms.Form):
    user = forms.UUIDField(widget=forms.HiddenInput)
    rekey = forms.BooleanField(label=_("Re-key the case (a new key for every record)"), required=False)
