"""Vetting forms: parsing and validation only (the services check again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.cases import vetting
from corridor.cases.models import CheckResult, RedFlagCode
from corridor.cases.services import MAX_TEXT, CaseRefused, clean_text


def _checked(text: str, *, required: bool, limit: int = MAX_TEXT) -> str:
    """The services' own text rules, as a form error instead of an exception."""
    try:
        text = clean_text(text, required=required)
    except CaseRefused as exc:
        raise forms.ValidationError(str(exc)) from None
    if len(text) > limit:
        raise forms.ValidationError(_("The text is too long."))
    return text


def _text_area(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": MAX_TEXT})


def _line() -> forms.TextInput:
    return forms.TextInput(attrs={"maxlength": vetting.MAX_SHORT})


class CheckForm(forms.Form):
    item = forms.ChoiceField(
        label=_("Checklist item"),
        error_messages={
            "required": _("Choose an item of the checklist."),
            "invalid_choice": _("Choose an item of the checklist."),
        },
    )
    result = forms.ChoiceField(
        label=_("Result"),
        choices=CheckResult.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a result."),
            "invalid_choice": _("Choose a result from the list."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The checklist is configuration: read it when the form is built, not at import.
        self.fields["item"].choices = vetting.checklist_items()  # type: ignore[attr-defined]


class ReferenceForm(forms.Form):
    who = forms.CharField(
        label=_("Who vouched"),
        widget=_line(),
        help_text=_("A name or a description the team will recognise."),
        error_messages={"required": _("Say who the reference is.")},
    )
    how_they_know = forms.CharField(
        label=_("How they know the person"),
        widget=_line(),
        error_messages={"required": _("Say how they know the person.")},
    )
    contact = forms.CharField(label=_("How to reach them"), widget=_line(), required=False)
    assessment = forms.CharField(
        label=_("What they said"),
        widget=_text_area(4),
        error_messages={"required": _("Write what the reference said.")},
    )

    def clean_who(self) -> str:
        return _checked(self.cleaned_data["who"], required=True, limit=vetting.MAX_SHORT)

    def clean_how_they_know(self) -> str:
        return _checked(self.cleaned_data["how_they_know"], required=True, limit=vetting.MAX_SHORT)

    def clean_contact(self) -> str:
        return _checked(self.cleaned_data["contact"], required=False, limit=vetting.MAX_SHORT)

    def clean_assessment(self) -> str:
        return _checked(self.cleaned_data["assessment"], required=True)


class InterviewForm(forms.Form):
    text = forms.CharField(
        label=_("Interview notes"),
        widget=_text_area(6),
        help_text=_("Encrypted under the case key: only people granted this case read it."),
        error_messages={"required": _("Write the notes first.")},
    )

    def clean_text(self) -> str:
        return _checked(self.cleaned_data["text"], required=True)


class RedFlagForm(forms.Form):
    code = forms.ChoiceField(
        label=_("Red flag"),
        choices=[("", "—"), *RedFlagCode.choices],
        error_messages={
            "required": _("Choose a red flag."),
            "invalid_choice": _("Choose a red flag from the list."),
        },
    )
    note = forms.CharField(
        label=_("Note"),
        widget=_text_area(3),
        required=False,
        help_text=_("Required for “Other”."),
    )

    def clean_note(self) -> str:
        return _checked(self.cleaned_data["note"], required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("code") == RedFlagCode.OTHER and not data.get("note"):
            self.add_error("note", _("Say what the red flag is."))
        return data


class RequestDecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the reviewers"),
        widget=_text_area(3),
        required=False,
    )

    def clean_note(self) -> str:
        return _checked(self.cleaned_data["note"], required=False)
