"""Operators' hotline forms: parsing and validation only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import Role, User
from corridor.hotline.fields import checked_text
from corridor.hotline.models import Channel, ThreadStatus, Urgency, UrgencyReason
from corridor.hotline.services import MAX_TEXT
from corridor.hotline.triage import REGIONS, THREATS, YES_NO_UNSURE, Triage

INTAKE_CHANNELS = [(c.value, c.label) for c in (Channel.PHONE, Channel.EMAIL, Channel.MESSENGER)]
MAX_CONTACT = 500


def _text_area(rows: int) -> forms.Textarea:
    # The length is checked after line breaks are normalised, so the field itself has no max_length.
    return forms.Textarea(attrs={"rows": rows, "maxlength": MAX_TEXT})


class InboxFilterForm(forms.Form):
    closed = forms.BooleanField(label=_("Show closed"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Reply to the person"),
        widget=_text_area(6),
        help_text=_("The person sees this reply, signed with the organisation's key."),
        error_messages={"required": _("Write the reply first.")},
    )

    def clean_reply(self) -> str:
        return checked_text(self.cleaned_data["reply"], required=True)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Internal note"),
        widget=_text_area(3),
        help_text=_(
            "Internal — the person never sees this. Only hotline operators and coordinators read it."
        ),
        error_messages={"required": _("Write the note first.")},
    )

    def clean_note(self) -> str:
        return checked_text(self.cleaned_data["note"], required=True)


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (value, label) for value, label in ThreadStatus.choices if value != ThreadStatus.CASE_OPENED
        ],
        error_messages={"invalid_choice": _("Choose one of the statuses in the list.")},
    )


class UrgencyForm(forms.Form):
    urgency = forms.TypedChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        coerce=int,
        error_messages={"invalid_choice": _("Choose one of the urgencies in the list.")},
    )
    reason = forms.ChoiceField(
        label=_("Why"),
        choices=[("", "—"), *UrgencyReason.choices],
        help_text=_("Only the reason is recorded in the audit log. To explain more, add an internal note."),
        error_messages={
            "required": _("Choose why the urgency changes."),
            "invalid_choice": _("Choose one of the reasons in the list."),
        },
    )


def operators() -> QuerySet[User]:
    """Active users holding the operator role: the people a thread can be assigned to."""
    return (
        User.objects.filter(is_active=True, role_assignments__role=Role.OPERATOR)
        .distinct()
        .order_by("username")
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assigned to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Unassigned"),
        error_messages={"invalid_choice": _("Threads can only be assigned to hotline operators.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = operators()


class IntakeForm(forms.Form):
    """A contact an operator logs for the person: how they reached us, the triage questions, their words."""

    # A one-time token: the same form sent twice logs one contact and shows one codename.
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    channel = forms.ChoiceField(
        label=_("How the person contacted us"),
        choices=INTAKE_CHANNELS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the person made contact.")},
    )
    contact = forms.CharField(
        label=_("Their contact details"),
        required=False,
        max_length=MAX_CONTACT,
        help_text=_("Phone number, e-mail address or messenger handle, as given. Stored encrypted."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    region = forms.ChoiceField(label=_("Where is the person now?"), choices=REGIONS, required=False)
    in_danger_now = forms.BooleanField(
        label=_("In danger right now (detained, held, or about to be found)"), required=False
    )
    threatened_by = forms.MultipleChoiceField(
        label=_("Who is threatening them?"),
        choices=THREATS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    outed_to_family = forms.ChoiceField(
        label=_("Does their family know or suspect?"),
        choices=YES_NO_UNSURE,
        initial="unsure",
        widget=forms.RadioSelect,
    )
    has_internal_passport = forms.ChoiceField(
        label=_("Do they have their internal passport?"),
        choices=YES_NO_UNSURE,
        initial="unsure",
        widget=forms.RadioSelect,
    )
    has_foreign_passport = forms.ChoiceField(
        label=_("Do they have a passport for travel abroad?"),
        choices=YES_NO_UNSURE,
        initial="unsure",
        widget=forms.RadioSelect,
    )
    safe_contact = forms.CharField(
        label=_("When and how is it safe to contact them?"),
        required=False,
        max_length=MAX_CONTACT,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    text = forms.CharField(
        label=_("What the person told you"),
        widget=_text_area(8),
        error_messages={"required": _("Write down what the person told you.")},
    )

    def clean_contact(self) -> str:
        return checked_text(self.cleaned_data["contact"], required=False)

    def clean_safe_contact(self) -> str:
        return checked_text(self.cleaned_data["safe_contact"], required=False)

    def clean_text(self) -> str:
        return checked_text(self.cleaned_data["text"], required=True)

    def triage(self) -> Triage:
        data = self.cleaned_data
        return Triage(
            region=data["region"],
            in_danger_now=data["in_danger_now"],
            threatened_by=list(data["threatened_by"]),
            outed_to_family=data["outed_to_family"],
            has_internal_passport=data["has_internal_passport"],
            has_foreign_passport=data["has_foreign_passport"],
            safe_contact=data["safe_contact"],
        )
