"""Evacuation forms: parsing and validation only (the services check the rules)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.cases.forms_tasks import DUE_FORMATS, StaffDateTimeField
from corridor.evacuation.houses import HOUSE_REGIONS, MAX_CAPACITY, MAX_DETAIL, HouseDetails
from corridor.evacuation.models import AssetKind, MovementStatus, TravelMode
from corridor.evacuation.services import MOVEMENT_REGIONS, LegDetails

if TYPE_CHECKING:  # a development dependency, for the types only
    from django_stubs_ext import StrOrPromise

_WHEN = {
    "invalid": _("Give the date as year-month-day and the time as hours:minutes."),
}


def _when(label: StrOrPromise, *, required: bool = True) -> StaffDateTimeField:
    return StaffDateTimeField(
        label=label,
        required=required,
        input_formats=DUE_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={**_WHEN, "required": _("Give the date and time.")},
    )


def _text(label: StrOrPromise, *, rows: int = 3, help_text: StrOrPromise = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        max_length=MAX_DETAIL,
        strip=False,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": _("The text is too long (at most %(limit_value)d characters).")},
    )


def _line(label: StrOrPromise, *, limit: int = 300, help_text: StrOrPromise = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        max_length=limit,
        error_messages={"max_length": _("The text is too long (at most %(limit_value)d characters).")},
    )


class _ChoicesForm(forms.Form):
    def _set_choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class HouseForm(forms.Form):
    code_name = forms.CharField(
        label=_("Code name"),
        max_length=40,
        help_text=_("Never the street or the town: this name is stored in the clear."),
        error_messages={"required": _("Give the house a code name.")},
    )
    region = forms.ChoiceField(
        label=_("Region"),
        choices=HOUSE_REGIONS,
        error_messages={"invalid_choice": _("Choose the region from the list.")},
    )
    capacity = forms.IntegerField(
        label=_("Capacity (people)"),
        min_value=1,
        max_value=MAX_CAPACITY,
        error_messages={"required": _("Say how many people the house takes.")},
    )
    address = _text(_("Address"), rows=2)
    contacts = _text(_("Contacts"), rows=2, help_text=_("Who to call there, and how."))
    notes = _text(_("Notes"))

    def details(self) -> HouseDetails:
        data = self.cleaned_data
        return HouseDetails(address=data["address"], contacts=data["contacts"], notes=data["notes"])


class HouseEditForm(HouseForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The code name and region are the house's identity: they do not change.
        del self.fields["code_name"]
        del self.fields["region"]


class UsernameForm(forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=150, error_messages={"required": _("Give a username.")}
    )


class PlaceForm(_ChoicesForm):
    house = forms.ChoiceField(
        label=_("Safe house"), error_messages={"invalid_choice": _("Choose a house from the list.")}
    )
    starts_at = _when(_("From"))
    ends_at = _when(_("Until (optional)"), required=False)
    note = _text(_("Note"), rows=2)

    def __init__(self, *args: Any, houses: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("house", houses)


class EndPlacementForm(forms.Form):
    ends_at = _when(_("Left on (empty: now)"), required=False)


class MovementForm(forms.Form):
    origin_region = forms.ChoiceField(
        label=_("From region"),
        choices=MOVEMENT_REGIONS,
        error_messages={"invalid_choice": _("Choose the regions from the list.")},
    )
    origin_place = _line(_("Exact place of departure"))
    destination_region = forms.ChoiceField(
        label=_("To region"),
        choices=MOVEMENT_REGIONS,
        error_messages={"invalid_choice": _("Choose the regions from the list.")},
    )
    destination_place = _line(_("Exact place of arrival"))
    mode = forms.ChoiceField(
        label=_("Travel by"),
        choices=TravelMode.choices,
        error_messages={"invalid_choice": _("Choose how the person travels.")},
    )
    planned_departure_at = _when(_("Leaves"))
    planned_arrival_at = _when(_("Arrives"))
    escort = forms.CharField(label=_("Staff escort (username)"), required=False, max_length=150)
    escort_name = _line(
        _("External escort (code name)"), limit=80, help_text=_("Leave empty when a staff member escorts.")
    )
    route = _text(_("Route and travel details"), rows=3)

    def details(self) -> LegDetails:
        data = self.cleaned_data
        return LegDetails(
            origin_place=data["origin_place"],
            destination_place=data["destination_place"],
            route=data["route"],
            escort_name=data["escort_name"],
        )


class MovementStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s, label) for s, label in MovementStatus.choices if s != MovementStatus.PLANNED],
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )


class ExposureForm(_ChoicesForm):
    kind = forms.ChoiceField(
        label=_("What was disclosed"),
        choices=[(k, label) for k, label in AssetKind.choices if k != AssetKind.MOVEMENT],
        error_messages={"invalid_choice": _("Choose what was disclosed.")},
    )
    house = forms.ChoiceField(
        label=_("Safe house"),
        required=False,
        error_messages={"invalid_choice": _("Choose a house from the list.")},
    )
    username = forms.CharField(label=_("Staff member (username)"), required=False, max_length=150)
    case_code = forms.CharField(label=_("Other person (case code)"), required=False, max_length=12)
    disclosed_at = _when(_("When"))
    note = _text(_("How, and what exactly"), rows=2)

    def __init__(self, *args: Any, houses: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("house", [("", "—"), *houses])


class PhoneSeizedForm(forms.Form):
    note = _text(_("What happened, what the phone held"), rows=2)
