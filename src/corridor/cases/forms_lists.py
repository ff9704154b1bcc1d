"""Forms of the case lists, search, access requests and opening a case: parsing and validation only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import Role, User
from corridor.cases.models import AccessReason, Origin, Stage
from corridor.cases.profile import MAX_ITEM, MAX_ITEMS, Profile
from corridor.crypto.blind import IndexKind
from corridor.hotline.models import Urgency
from corridor.hotline.triage import REGIONS

MAX_CODE = 12
MAX_USERNAME = 150


class MyCasesFilterForm(forms.Form):
    closed = forms.BooleanField(label=_("Show closed cases"), required=False)


class BoardForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("Stage"),
        choices=[("", "—"), *Stage.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose one of the stages in the list.")},
    )


SEARCH_KINDS = [
    (IndexKind.PHONE.value, _("Phone number")),
    (IndexKind.EMAIL.value, _("E-mail address")),
    (IndexKind.HANDLE.value, _("Messenger handle")),
    (IndexKind.DOCUMENT.value, _("Document number")),
    (IndexKind.NAME.value, _("Name")),
]


class SearchForm(forms.Form):
    """A case code, or one exact identifier of a kind: never a partial match."""

    code = forms.CharField(
        label=_("Case code"),
        required=False,
        max_length=MAX_CODE,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"max_length": _("A case code is at most %(limit_value)d characters.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind of identifier"),
        choices=[("", "—"), *SEARCH_KINDS],
        required=False,
        error_messages={"invalid_choice": _("Choose one of the kinds in the list.")},
    )
    value = forms.CharField(
        label=_("Exact value"),
        required=False,
        max_length=MAX_ITEM,
        help_text=_("The whole phone number, address, handle, document number or name: only exact matches."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"max_length": _("The value is at most %(limit_value)d characters.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        code, kind, value = data.get("code", ""), data.get("kind", ""), data.get("value", "")
        if code and (kind or value):
            raise forms.ValidationError(_("Search by a case code or by an identifier, not both."))
        if not code and not (kind and value):
            raise forms.ValidationError(_("Give a case code, or choose a kind and give the exact value."))
        return data


class AccessRequestForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why you need the case"),
        choices=AccessReason.choices,
        error_messages={
            "required": _("Choose why you need the case."),
            "invalid_choice": _("Choose a reason from the list."),
        },
    )


class DecideAccessForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("grant", _("Grant")), ("refuse", _("Refuse"))],
        error_messages={
            "required": _("Choose grant or refuse."),
            "invalid_choice": _("Choose grant or refuse."),
        },
    )


def _caseworker(username: str) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or not user.has_role(Role.CASEWORKER):
        raise forms.ValidationError(_("There is no active caseworker with this user name."))
    return user


class CaseworkerField(forms.CharField):
    """A caseworker's user name, cleaned to the User (or None when left empty)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Caseworker (user name)"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", MAX_USERNAME)
        kwargs.setdefault("help_text", _("Leave empty to assign the case later."))
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> User | None:
        return _caseworker(super().clean(value))


class OpenFromThreadForm(forms.Form):
    caseworker = CaseworkerField()


def _lines(text: str) -> list[str]:
    items = [line.strip() for line in (text or "").splitlines()]
    items = [item for item in items if item]
    if len(items) > MAX_ITEMS:
        raise forms.ValidationError(_("At most %(count)d, one a line.") % {"count": MAX_ITEMS})
    if any(len(item) > MAX_ITEM for item in items):
        raise forms.ValidationError(_("Each line is at most %(count)d characters.") % {"count": MAX_ITEM})
    return items


def _list_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=_("One a line."),
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
    )


class NewCaseForm(forms.Form):
    """A person referred by a partner or met in person; the hidden token makes a reload harmless."""

    submission = forms.CharField(widget=forms.HiddenInput, max_length=64)
    origin = forms.ChoiceField(
        label=_("How the person reached us"),
        choices=[
            (Origin.PARTNER.value, Origin.PARTNER.label),
            (Origin.IN_PERSON.value, Origin.IN_PERSON.label),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how the person reached us."),
            "invalid_choice": _("Choose how the person reached us."),
        },
    )
    region = forms.ChoiceField(
        label=_("Where is the person now?"),
        choices=REGIONS,
        error_messages={"invalid_choice": _("Choose one of the regions in the list.")},
    )
    urgency = forms.TypedChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        coerce=int,
        error_messages={"invalid_choice": _("Choose one of the urgencies in the list.")},
    )
    names = _list_field(_("Names"))
    phones = _list_field(_("Phone numbers"))
    emails = _list_field(_("E-mail addresses"))
    handles = _list_field(_("Messenger handles"))
    documents = _list_field(_("Document numbers"))
    caseworker = CaseworkerField()

    def clean_names(self) -> list[str]:
        return _lines(self.cleaned_data["names"])

    def clean_phones(self) -> list[str]:
        return _lines(self.cleaned_data["phones"])

    def clean_emails(self) -> list[str]:
        return _lines(self.cleaned_data["emails"])

    def clean_handles(self) -> list[str]:
        return _lines(self.cleaned_data["handles"])

    def clean_documents(self) -> list[str]:
        return _lines(self.cleaned_data["documents"])

    def profile(self) -> Profile:
        data = self.cleaned_data
        return Profile(
            names=data["names"],
            phones=data["phones"],
            emails=data["emails"],
            handles=data["handles"],
            documents=data["documents"],
        )
