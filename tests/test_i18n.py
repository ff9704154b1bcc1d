"""The Russian catalogue is complete, compiled, in step with the sources, and actually served."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

import corridor

PACKAGE = Path(corridor.__file__).parent
CATALOGUE = PACKAGE / "locale" / "ru" / "LC_MESSAGES"
PO = CATALOGUE / "django.po"
MO = CATALOGUE / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
REFRESH = "run scripts/update-translations.sh, translate, and commit django.po and django.mo"

# Staff-facing strings and the agreed terms; a change here is a change of the glossary.
EXPECTED = {
    "Staff sign-in": "Вход для сотрудников",
    "Confirm it is you": "Подтвердите, что это вы",
    "Audit log": "Журнал аудита",
    "My account": "Моя учётная запись",
    "Sign in": "Войти",
    "Sign out": "Выйти",
    "Second factor": "Второй фактор",
    "Authenticator app": "Приложение-аутентификатор",
    "Security key": "Ключ безопасности",
    "Key grants": "Выдача ключей",
    "Hotline operator": "Оператор горячей линии",
    "Caseworker": "Куратор случаев",
    "Coordinator": "Координатор",
    "Documenter": "Документатор",
    "Administrator": "Администратор",
    "Auditor": "Аудитор",
    "Recovery key": "Ключ восстановления",
    "Signing key": "Ключ подписи",
    "Index key": "Индексный ключ",
    "Hotline key": "Ключ горячей линии",
}


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO))


def pairs(entries: list[polib.POEntry] | polib.MOFile) -> set[tuple[str, str]]:
    """(msgid, msgstr) pairs, plural forms folded in, the header left out."""
    out = set()
    for e in entries:
        if not e.msgid:
            continue
        if e.msgid_plural:
            out |= {(f"{e.msgid}\x00{e.msgid_plural}[{n}]", s) for n, s in e.msgstr_plural.items()}
        else:
            out.add((e.msgid, e.msgstr))
    return out


def test_no_entry_is_untranslated(po: polib.POFile) -> None:
    assert [e.msgid for e in po.untranslated_entries()] == []


def test_no_entry_is_fuzzy(po: polib.POFile) -> None:
    assert not po.metadata_is_fuzzy
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_russian_plural_rule_has_three_forms(po: polib.POFile) -> None:
    assert po.metadata["Language"] == "ru"
    assert po.metadata["Plural-Forms"].startswith("nplurals=3;")
    for e in po:
        if e.msgid_plural:
            assert sorted(e.msgstr_plural) == [0, 1, 2], e.msgid


def test_placeholders_survive_translation(po: polib.POFile) -> None:
    for e in po.translated_entries():
        wanted = sorted(PLACEHOLDER.findall(e.msgid))
        translations = e.msgstr_plural.values() if e.msgid_plural else [e.msgstr]
        for text in translations:
            assert sorted(PLACEHOLDER.findall(text)) == wanted, e.msgid


@pytest.mark.parametrize(("msgid", "msgstr"), EXPECTED.items())
def test_key_strings_use_the_glossary(po: polib.POFile, msgid: str, msgstr: str) -> None:
    entry = po.find(msgid)
    assert entry is not None, f"{msgid!r} is not in the catalogue"
    assert entry.msgstr == msgstr


def test_committed_mo_matches_the_po(po: polib.POFile) -> None:
    compiled = pairs(polib.mofile(str(MO)))
    assert compiled == pairs(po.translated_entries()), f"django.mo is stale: {REFRESH}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="makemessages needs GNU gettext")
def test_catalogue_holds_every_source_string(
    po: polib.POFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Extract from a copy, so the committed catalogue is never touched by the check.
    copy = tmp_path / "corridor"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("locale", "static", "__pycache__"))
    (copy / "locale").mkdir()
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command("makemessages", locale=["ru"], no_obsolete=True, add_location="file", verbosity=0)
    extracted = {
        e.msgid for e in polib.pofile(str(copy / "locale" / "ru" / "LC_MESSAGES" / "django.po")) if e.msgid
    }
    committed = {e.msgid for e in po if e.msgid and not e.obsolete}
    assert sorted(extracted - committed) == [], f"new strings are missing from the catalogue: {REFRESH}"
    assert sorted(committed - extracted) == [], f"the catalogue holds strings the sources dropped: {REFRESH}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading", "label"),
    [("ru", "Вход для сотрудников", "Имя пользователя"), ("en", "Staff sign-in", "Username")],
)
def test_sign_in_page_speaks_the_chosen_language(language: str, heading: str, label: str) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert heading in page
    assert label in page  # a form label, so Python strings are served too, not only templates
    other = "Staff sign-in" if language == "ru" else "Вход для сотрудников"
    assert other not in page
