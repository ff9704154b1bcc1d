"""The anchor settings: a missing anchor directory stops Corridor, odd values fail loudly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.test_settings import run_check


def test_an_anchor_file_in_an_existing_directory_passes(tmp_path: Path) -> None:
    result = run_check({"CORRIDOR_AUDIT_ANCHOR_FILE": str(tmp_path / "audit-heads")}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_missing_anchor_directory_refuses_to_start(tmp_path: Path) -> None:
    result = run_check({"CORRIDOR_AUDIT_ANCHOR_FILE": str(tmp_path / "unmounted" / "audit-heads")}, tmp_path)
    assert result.returncode != 0
    assert "corridor.E012" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"CORRIDOR_AUDIT_ANCHOR_FILE": "audit-heads"},
            "CORRIDOR_AUDIT_ANCHOR_FILE must be an absolute path",
        ),
        ({"CORRIDOR_AUDIT_ANCHOR_INTERVAL_MINUTES": "0"}, "must be at least 1"),
    ],
)
def test_odd_anchor_settings_fail_loudly(tmp_path: Path, env: dict[str, str], message: str) -> None:
    result = run_check(env, tmp_path)
    assert result.returncode != 0
    assert message in result.stderr
