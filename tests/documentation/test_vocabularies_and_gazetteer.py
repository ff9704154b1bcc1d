"""Vocabularies (codes in data files, labels in the catalogues) and the gazetteer."""

from __future__ import annotations

import csv

import pytest
from django.utils import translation

from corridor.documentation import gazetteer, vocabularies
from corridor.documentation.models import Site
from corridor.documentation.vocabularies.labels import LABELS


def test_labels_module_repeats_every_label_of_the_data_files() -> None:
    assert set(LABELS) == set(vocabularies.NAMES)
    for name in vocabularies.NAMES:
        assert LABELS[name] == [term.label for term in vocabularies.terms(name)], name


@pytest.mark.parametrize("name", vocabularies.NAMES)
def test_codes_are_unique_and_well_formed(name: str) -> None:
    terms = vocabularies.terms(name)
    codes = [term.code for term in terms]
    assert len(codes) == len(set(codes))
    for term in terms:
        if term.origin == "local":
            # Local extensions never take a HURIDOCS number.
            assert term.code.startswith("X")
            assert term.code[1:].isdigit()
        else:
            assert term.origin.startswith("huridocs-mt-")
            assert len(term.code) == 12
            assert term.code.isdigit()


@pytest.mark.parametrize("name", vocabularies.NAMES)
def test_every_label_has_a_russian_translation(name: str) -> None:
    with translation.override("ru"):
        for term in vocabularies.terms(name):
            assert vocabularies.label(name, term.code) != term.label, term.label


def test_the_local_extensions_the_work_needs_exist() -> None:
    labels = {term.label for term in vocabularies.terms("act_types")}
    assert {"Forced outing to family", "Extortion by police", "Coerced naming of others"} <= labels
    assert "Evacuation" in {term.label for term in vocabularies.terms("intervention_types")}
    assert vocabularies.label("act_types", "nope") == "nope"


def test_no_site_type_locates_a_victim() -> None:
    labels = {term.label.lower() for term in vocabularies.terms("site_types")}
    assert not [label for label in labels if "home" in label or "victim" in label]


def test_every_place_has_a_known_parent_and_a_russian_name() -> None:
    places = gazetteer.places()
    for place in places.values():
        assert not place.parent or place.parent in places, place.code
        assert place.name_ru
        assert place.name_en
    assert [p.code for p in gazetteer.path("RU-CE:grozny:oktyabrsky")] == [
        "RU",
        "RU-CE",
        "RU-CE:grozny",
        "RU-CE:grozny:oktyabrsky",
    ]
    assert "RU-CE:grozny:leninsky" in gazetteer.descendants("RU-CE")
    assert "RU-IN:nazran" not in gazetteer.descendants("RU-CE")
    with translation.override("ru"):
        assert gazetteer.full_name("RU-CE:argun") == "Аргун, Чеченская Республика, Россия"


@pytest.mark.django_db
def test_the_data_file_sites_are_loaded_and_reloading_changes_nothing() -> None:
    with (gazetteer.FOLDER / "sites.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert set(Site.objects.values_list("code", flat=True)) == {row["code"] for row in rows}
    for row in rows:
        assert gazetteer.is_place(row["place"])
        assert vocabularies.is_code("site_types", row["site_type"])
    gazetteer.load_sites(Site)
    assert Site.objects.count() == len(rows)
    argun = Site.objects.get(code="argun-commandant")
    with translation.override("ru"):
        assert gazetteer.site_name(argun) == "Здание бывшей военной комендатуры"
