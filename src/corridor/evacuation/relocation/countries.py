"""Destination and partner countries: ISO 3166-1 alpha-2 codes with reviewed names.

The places people of this mandate have been resettled to or passed through; a country
outside the list is a code Corridor does not know how to name, so it is refused.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

COUNTRIES: dict[str, Promise] = {
    "AR": _("Argentina"),
    "AM": _("Armenia"),
    "AU": _("Australia"),
    "AT": _("Austria"),
    "BE": _("Belgium"),
    "BR": _("Brazil"),
    "CA": _("Canada"),
    "CZ": _("Czechia"),
    "DK": _("Denmark"),
    "EE": _("Estonia"),
    "FI": _("Finland"),
    "FR": _("France"),
    "GE": _("Georgia"),
    "DE": _("Germany"),
    "IS": _("Iceland"),
    "IE": _("Ireland"),
    "IL": _("Israel"),
    "IT": _("Italy"),
    "KZ": _("Kazakhstan"),
    "KG": _("Kyrgyzstan"),
    "LV": _("Latvia"),
    "LT": _("Lithuania"),
    "ME": _("Montenegro"),
    "NL": _("Netherlands"),
    "NZ": _("New Zealand"),
    "NO": _("Norway"),
    "PL": _("Poland"),
    "PT": _("Portugal"),
    "RS": _("Serbia"),
    "ES": _("Spain"),
    "SE": _("Sweden"),
    "CH": _("Switzerland"),
    "TR": _("Turkey"),
    "UA": _("Ukraine"),
    "GB": _("United Kingdom"),
    "US": _("United States"),
    "UY": _("Uruguay"),
}


def country_choices() -> list[tuple[str, str]]:
    """(code, name) sorted by the name in the current language."""
    return sorted(((code, str(name)) for code, name in COUNTRIES.items()), key=lambda pair: pair[1])


def country_name(code: str) -> str:
    name = COUNTRIES.get(code)
    return str(name) if name is not None else code
