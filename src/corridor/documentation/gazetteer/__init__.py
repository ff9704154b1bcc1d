"""The gazetteer: country → federal subject → city or district (from places.csv), and named sites.

Places are plain codes (ISO 3166 for countries and subjects, then `parent:name`); their
names come in English and Russian from the data file. Sites from sites.csv are loaded into
the database by a migration (`load_sites`, idempotent); documenters add more through
corridor.documentation.services.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import get_language

FOLDER = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Place:
    code: str
    parent: str
    kind: str
    name_en: str
    name_ru: str

    @property
    def name(self) -> str:
        return self.name_ru if (get_language() or "").startswith("ru") else self.name_en


@cache
def places() -> dict[str, Place]:
    with (FOLDER / "places.csv").open(encoding="utf-8", newline="") as handle:
        return {row["code"]: Place(**row) for row in csv.DictReader(handle)}


def is_place(code: str) -> bool:
    return code in places()


def place_name(code: str) -> str:
    place = places().get(code)
    return place.name if place else code


def path(code: str) -> list[Place]:
    """The place and its ancestors, country first."""
    found: list[Place] = []
    while code and (place := places().get(code)):
        found.insert(0, place)
        code = place.parent
    return found


def full_name(code: str) -> str:
    return ", ".join(place.name for place in reversed(path(code))) or code


@cache
def descendants(code: str) -> frozenset[str]:
    """The place and every place inside it."""
    children: dict[str, list[str]] = {}
    for place in places().values():
        children.setdefault(place.parent, []).append(place.code)
    found, todo = {code}, [code]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return frozenset(found)


def choices() -> list[tuple[str, str]]:
    """Every place, indented by depth, in the order of the file."""
    return [(code, "\u2003" * (len(path(code)) - 1) + place_name(code)) for code in places()]


def site_name(site: Any) -> str:
    """A site's name in the active language (sites added by documenters have one name)."""
    if site is None:
        return ""
    return site.name_ru if site.name_ru and (get_language() or "").startswith("ru") else site.name


def site_rows() -> list[dict[str, str]]:
    with (FOLDER / "sites.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_sites(site_model: Any) -> int:
    """Create or update the sites of the data file (by code); returns how many rows it wrote."""
    now = datetime.now(UTC)
    for row in site_rows():
        site_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "place": row["place"],
                "site_type": row["site_type"],
                "precision": row["precision"],
                "name": row["name_en"],
                "name_ru": row["name_ru"],
            },
            create_defaults={
                "place": row["place"],
                "site_type": row["site_type"],
                "precision": row["precision"],
                "name": row["name_en"],
                "name_ru": row["name_ru"],
                "created_at": now,
            },
        )
    return len(site_rows())
