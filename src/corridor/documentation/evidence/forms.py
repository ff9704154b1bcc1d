"""Evidence forms: parsing and validation only (the services check everything again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.hotline.uploads import EncryptedUpload

EVENT_ITSELF = "event"


class AttachToMixin(forms.Form):
    attach_to = forms.ChoiceField(label=_("What the file belongs to"))

    def set_targets(self, choices: list[tuple[str, str]]) -> None:
        field = self.fields["attach_to"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class UploadForm(AttachToMixin):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A photo, a document, a recording: kept exactly as received, encrypted, with its SHA-256. "
            "Photos are shown only without their metadata."
        ),
        error_messages={"required": _("Choose a file."), "empty": _("The file is empty.")},
    )
    note = forms.CharField(
        label=_("What the file shows"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if not isinstance(upload, EncryptedUpload):
            raise forms.ValidationError(_("Choose a file."))
        return upload


class ThreadForm(forms.Form):
    thread = forms.CharField(
        label=_("Hotline thread code"), max_length=16, help_text=_("For example H-7KQ2MX.")
    )


class PromoteForm(AttachToMixin):
    thread = forms.CharField(max_length=16, widget=forms.HiddenInput)
    attachment = forms.UUIDField(widget=forms.HiddenInput, error_messages={"invalid": _("Choose a file.")})
    note = forms.CharField(
        label=_("What the file shows"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RedactedForm(forms.Form):
    file = forms.FileField(
        label=_("Redacted file"),
        help_text=_(
            "The same photo or document with faces blurred or names blacked out, made in another "
            "program. It is kept exactly as you send it, linked to this original by hash."
        ),
        error_messages={"required": _("Choose a file."), "empty": _("The file is empty.")},
    )
    note = forms.CharField(
        label=_("What was hidden"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say what was hidden, for example: the faces of the two children.")},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if not isinstance(upload, EncryptedUpload):
            raise forms.ValidationError(_("Choose a file."))
        return upload
