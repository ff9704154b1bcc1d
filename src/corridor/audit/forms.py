"""The audit log's filters: parsing and validation only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    action = forms.RegexField(
        label=_("Action starts with"),
        regex=r"^[a-z_.]*$",
        max_length=64,
        required=False,
        help_text=_("For example auth. or hotline.status"),
        error_messages={"invalid": _("Use lower-case letters, dots and underscores, as in hotline.status.")},
    )
    user = forms.RegexField(
        label=_("Staff member"),
        regex=r"^[A-Za-z0-9_.-]{1,64}$",
        max_length=64,
        required=False,
        help_text=_("Their username: what they did, and what was done to their account."),
        error_messages={"invalid": _("A username has Latin letters, digits, dots, dashes or underscores.")},
    )
    thread = forms.RegexField(
        label=_("Thread"),
        regex=r"^[A-Za-z]-[A-Za-z0-9]{1,10}$",
        max_length=12,
        required=False,
        help_text=_("Its code, as in H-7KQ2MX."),
        error_messages={"invalid": _("A thread code looks like H-7KQ2MX.")},
    )
