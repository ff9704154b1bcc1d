"""Fills Russian translations into the catalogue from a JSON file of msgid → msgstr.

A plural entry takes a list of the three Russian forms, keyed by its singular msgid. Filled
entries lose any fuzzy mark (the translation given here is the reviewed one). Run
scripts/update-translations.sh before (to extract the new strings) and after (to compile).

    .venv/bin/python scripts/fill-translations.py translations.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parent.parent / "src/corridor/locale/ru/LC_MESSAGES/django.po"


def fill(po: polib.POFile, translations: dict[str, str | list[str]]) -> list[str]:
    """Sets each translation; returns the msgids the catalogue does not hold."""
    missing = []
    by_id = {entry.msgid: entry for entry in po if not entry.obsolete}
    for msgid, text in translations.items():
        entry = by_id.get(msgid)
        if entry is None:
            missing.append(msgid)
            continue
        if entry.msgid_plural:
            forms = text if isinstance(text, list) else [text]
            entry.msgstr_plural = dict(enumerate(forms))
        else:
            entry.msgstr = text if isinstance(text, str) else text[0]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
        entry.previous_msgid_plural = None
    return missing


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write(__doc__ or "")
        return 2
    translations = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    po = polib.pofile(str(CATALOGUE), wrapwidth=79)
    missing = fill(po, translations)
    po.save()
    for msgid in missing:
        sys.stderr.write(f"fill-translations: not in the catalogue: {msgid!r}\n")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
