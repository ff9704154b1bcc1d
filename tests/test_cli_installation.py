"""Commands that need an installation refuse in one line where there is none, and create nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CORRIDOR = str(Path(sys.executable).parent / "corridor")

# Every command that acts on an existing installation, with arguments it would accept.
COMMANDS = [
    ["totp", "alice"],
    ["pin-keys", "--user", "alice", "--no-input"],
    ["recover", "--user", "alice"],
    ["audit", "verify"],
    ["audit", "head"],
    ["worker", "--once"],
    ["serve", "--bind", "127.0.0.1:9"],
]


def environment() -> dict[str, str]:
    """A development environment with nothing of the test run's configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CORRIDOR_", "DJANGO_", "DATABASE_URL"))}
    env.update({"CORRIDOR_ARGON2_OPSLIMIT": "1", "CORRIDOR_ARGON2_MEMLIMIT": "8192"})
    return env


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CORRIDOR, "--data-dir", str(data_dir), *args],
        env=environment(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def listing(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*"))


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_an_empty_data_directory_is_refused_and_left_empty(tmp_path: Path, command: list[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()

    result = run(empty, *command)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"no Corridor installation in {empty}" in result.stderr
    assert "corridor init" in result.stderr
    assert listing(empty) == []


def test_a_missing_data_directory_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "missing"

    result = run(missing, "totp", "alice")

    assert result.returncode == 1
    assert "no Corridor installation" in result.stderr
    assert not missing.exists()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the tables but no organisation: `corridor migrate` and no init."""
    data_dir = tmp_path_factory.mktemp("migrated") / "data"
    assert run(data_dir, "migrate", "--verbosity", "0").returncode == 0
    return data_dir


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_database_without_an_organisation_is_refused(
    tmp_path: Path, migrated: Path, command: list[str]
) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(migrated, data_dir)
    before = listing(data_dir)

    result = run(data_dir, *command)

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert "has no organisation yet: run `corridor init` first" in result.stderr
    assert listing(data_dir) == before


def test_an_empty_database_file_is_refused_too(tmp_path: Path) -> None:
    data_dir = tmp_path / "blank"
    data_dir.mkdir()
    (data_dir / "corridor.sqlite3").touch()

    result = run(data_dir, "audit", "head")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "has no organisation yet" in result.stderr


def test_help_is_shown_without_an_installation_and_creates_nothing(tmp_path: Path) -> None:
    result = run(tmp_path / "nothing", "totp", "--help")
    assert result.returncode == 0
    assert "authenticator code" in result.stdout
    assert not (tmp_path / "nothing").exists()
