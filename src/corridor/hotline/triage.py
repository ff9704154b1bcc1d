"""Triage: the structured questions of the request form and the urgency they imply."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from corridor.hotline.models import Urgency

# Coarse regions (ISO 3166-2 where one exists); the list the form offers.
REGIONS = [
    ("RU-CE", _("Chechnya")),
    ("RU-IN", _("Ingushetia")),
    ("RU-DA", _("Dagestan")),
    ("RU-KB", _("Kabardino-Balkaria")),
    ("RU-SE", _("North Ossetia")),
    ("RU-MOW", _("Moscow")),
    ("RU-SPE", _("Saint Petersburg")),
    ("RU", _("Elsewhere in Russia")),
    ("XX", _("Outside Russia")),
    ("", _("I would rather not say")),
]
THREATS = [
    ("police", _("Police or security services")),
    ("relatives", _("Relatives")),
    ("others", _("Others")),
]
YES_NO_UNSURE = [("yes", _("Yes")), ("no", _("No")), ("unsure", _("Not sure"))]


@dataclass(frozen=True)
class Triage:
    """The answers; all of it is stored encrypted, only the urgency and region are not."""

    region: str = ""
    in_danger_now: bool = False
    threatened_by: list[str] = field(default_factory=list)
    outed_to_family: str = "unsure"
    has_internal_passport: str = "unsure"
    has_foreign_passport: str = "unsure"
    safe_contact: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Triage:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def urgency_for(triage: Triage) -> Urgency:
    """Detained or in danger now is critical; hunted by police or family, or outed, is high."""
    if triage.in_danger_now:
        return Urgency.CRITICAL
    if {"police", "relatives"} & set(triage.threatened_by) or triage.outed_to_family == "yes":
        return Urgency.HIGH
    if triage.threatened_by:
        return Urgency.NORMAL
    return Urgency.LOW


def first_response_window(urgency: int) -> timedelta:
    """How soon an operator must first answer, per urgency (settings, in minutes)."""
    minutes = settings.CORRIDOR_FIRST_RESPONSE_MINUTES[int(urgency)]
    return timedelta(minutes=minutes)
