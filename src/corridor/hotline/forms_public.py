"""The applicant's forms: parsing and validation only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from corridor.hotline.fields import checked_text
from corridor.hotline.services import MAX_TEXT
from corridor.hotline.triage import REGIONS, THREATS, YES_NO_UNSURE, Triage

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
# Languages whose pages offer word codenames and show the fingerprint as words: the word
# list is English. Other pages offer digits only; a word codename is accepted everywhere.
WORD_LANGUAGES = frozenset({"en"})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one input; the upload handler has already encrypted them."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [item for item in items if item]


def _no_replacement_characters(value: str) -> str:
    if "\ufffd" in value:
        raise forms.ValidationError(_("Part of the text could not be read. Type it again, please."))
    return value


class MessageFields(forms.Form):
    message = forms.CharField(
        label=_("Your message"),
        required=False,
        # The length is checked after line breaks are normalised (checked_text), not here.
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": MAX_TEXT}),
        help_text=_("Write in any language. You do not have to give your name."),
    )
    photos = FilesField(
        label=_("Photos (optional)"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mib = 1024 * 1024
        self.fields["photos"].help_text = _(
            "Up to %(count)d photos, %(each)d MB each and %(total)d MB together. "
            "Location and camera details are removed before staff see them."
        ) % {
            "count": settings.CORRIDOR_UPLOAD_MAX_FILES,
            "each": settings.CORRIDOR_UPLOAD_MAX_FILE_BYTES // mib,
            "total": settings.CORRIDOR_UPLOAD_MAX_TOTAL_BYTES // mib,
        }

    def clean_message(self) -> str:
        return checked_text(_no_replacement_characters(self.cleaned_data["message"]), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The same rule the service applies, checked here so the error stands at the message field.
        if "message" in data and not data["message"] and not data.get("photos"):
            self.add_error("message", _("Write a few words about what is happening."))
        return data


class RequestForm(MessageFields):
    # A one-time token: the same form sent twice (reload, back, double tap) opens one thread.
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    region = forms.ChoiceField(label=_("Where are you now?"), choices=REGIONS, required=False)
    in_danger_now = forms.ChoiceField(
        label=_("Are you detained or in danger right now?"), choices=YES_NO, widget=forms.RadioSelect
    )
    threatened_by = forms.MultipleChoiceField(
        label=_("Who threatens you?"), choices=THREATS, required=False, widget=forms.CheckboxSelectMultiple
    )
    outed_to_family = forms.ChoiceField(
        label=_("Does your family know, or suspect?"),
        choices=YES_NO_UNSURE,
        widget=forms.RadioSelect,
        initial="unsure",
        required=False,
    )
    has_internal_passport = forms.ChoiceField(
        label=_("Do you have your internal passport with you?"),
        choices=YES_NO_UNSURE,
        widget=forms.RadioSelect,
        initial="unsure",
        required=False,
    )
    has_foreign_passport = forms.ChoiceField(
        label=_("Do you have a passport for travel abroad?"),
        choices=YES_NO_UNSURE,
        widget=forms.RadioSelect,
        initial="unsure",
        required=False,
    )
    safe_contact = forms.CharField(
        label=_("When and how is it safe to answer you?"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "For example: only here, in the evenings. Do not write anything you would not want found."
        ),
    )
    codename_form = forms.ChoiceField(
        label=_("How should your codename look?"),
        choices=[
            ("digits", _("Sixteen digits: can be saved as a phone number in your contacts")),
            ("words", _("Seven English words: easier to remember")),
        ],
        initial="digits",
        required=False,
        widget=forms.RadioSelect,
    )
    # A field people never see; automated senders fill it in.
    website = forms.CharField(required=False, max_length=200, label=_("Leave this empty"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if get_language() not in WORD_LANGUAGES:
            del self.fields["codename_form"]

    field_order = [
        "in_danger_now",
        "region",
        "threatened_by",
        "outed_to_family",
        "has_internal_passport",
        "has_foreign_passport",
        "message",
        "photos",
        "safe_contact",
        "codename_form",
        "website",
    ]

    def clean_safe_contact(self) -> str:
        return checked_text(_no_replacement_characters(self.cleaned_data["safe_contact"]), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("website"):
            raise forms.ValidationError(_("The request could not be sent."), code="honeypot")
        return data

    def wants_words(self) -> bool:
        """Whether the person chose a word codename (offered only on pages in the list's language)."""
        return "codename_form" in self.fields and self.cleaned_data.get("codename_form") == "words"

    def triage(self) -> Triage:
        data = self.cleaned_data
        return Triage(
            region=data.get("region", ""),
            in_danger_now=data.get("in_danger_now") == "yes",
            threatened_by=sorted(data.get("threatened_by", [])),
            outed_to_family=data.get("outed_to_family") or "unsure",
            has_internal_passport=data.get("has_internal_passport") or "unsure",
            has_foreign_passport=data.get("has_foreign_passport") or "unsure",
            safe_contact=data.get("safe_contact", ""),
        )


_CODENAME_ATTRS = {"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false", "inputmode": "text"}


def _codename_field(widget: forms.Widget) -> forms.CharField:
    return forms.CharField(label=_("Your codename"), max_length=200, widget=widget)


class CodenameForm(forms.Form):
    """The codename, hidden as it is typed and kept out of the browser's form history."""

    # A password field is neither echoed on screen nor kept in form history (autocomplete=off
    # as well). "Show" is a second submit button that brings the page back with a text field
    # holding what was typed: no JavaScript, and the codename travels in the POST body only,
    # never in an address.
    codename = _codename_field(forms.PasswordInput(attrs=_CODENAME_ATTRS))
    shown = False

    @classmethod
    def toggled(cls, data: QueryDict) -> CodenameForm | None:
        """For a press of "Show" or "Hide", the form again holding what was typed; None for "Open"."""
        if "show" not in data and "hide" not in data:
            return None
        form = cls(initial={"codename": data.get("codename", "")[:200]})
        form.shown = "show" in data
        # The field takes the focus back (autofocus needs no script), so typing can go on.
        attrs = {**_CODENAME_ATTRS, "autofocus": True}
        widget = forms.TextInput(attrs) if form.shown else forms.PasswordInput(attrs, render_value=True)
        form.fields["codename"] = _codename_field(widget)
        return form
