"""No template or static file makes a browser contact another host."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import corridor

ROOT = Path(corridor.__file__).parent
URL = re.compile(r"""(?:src|href|action|url\()\s*=?\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
FILES = sorted(
    p
    for p in ROOT.rglob("*")
    if p.suffix in {".html", ".css", ".js", ".txt", ".svg"} and "locale" not in p.parts
)


def test_there_are_files_to_check() -> None:
    assert any(p.suffix == ".html" for p in FILES)
    assert any(p.suffix == ".css" for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_file_refers_to_no_other_host(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not URL.search(text), f"{path} refers to another host"
    assert "@import" not in text
    assert "fonts.googleapis" not in text
