"""Settings come from the environment; production refuses to start when unsafe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from corridor import settings as corridor_settings

REPO = Path(__file__).resolve().parents[2]


def run_check(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CORRIDOR_", "DJANGO_", "DATABASE_URL"))}
    base.update({"DJANGO_SETTINGS_MODULE": "corridor.settings", "CORRIDOR_DATA_DIR": str(tmp_path)})
    base.update(env)
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--fail-level", "ERROR"],
        env=base,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


GOOD = {
    "CORRIDOR_ENV": "production",
    "CORRIDOR_SECRET_KEY": "k" * 10 + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ",
    "CORRIDOR_ALLOWED_HOSTS": "corridor.example.org",
}


def test_safe_production_settings_pass(tmp_path: Path) -> None:
    result = run_check(GOOD, tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"CORRIDOR_DEBUG": "true"}, "corridor.E001"),
        ({"CORRIDOR_SECRET_KEY": "short"}, "corridor.E002"),
        ({"CORRIDOR_SECRET_KEY": ""}, "SECRET_KEY setting must not be empty"),
        ({"CORRIDOR_HTTPS": "false"}, "corridor.E003"),
        ({"CORRIDOR_ALLOWED_HOSTS": ""}, "corridor.E004"),
        ({"CORRIDOR_ARGON2_OPSLIMIT": "1"}, "corridor.E005"),
        ({"CORRIDOR_ARGON2_MEMLIMIT": str(4 * 1024**3)}, "corridor.E007"),
        ({"CORRIDOR_LOOKUP_WINDOW_SECONDS": "0"}, "corridor.E008"),
        ({"CORRIDOR_CODENAME_OPSLIMIT": "1"}, "corridor.E009"),
        ({"CORRIDOR_INDEX_PEPPER": "too short"}, "corridor.E013"),
        ({"CORRIDOR_EVIDENCE_ROLES": "admin"}, "corridor.E014"),
    ],
)
def test_unsafe_production_settings_refuse_to_start(
    tmp_path: Path, change: dict[str, str], code: str
) -> None:
    result = run_check({**GOOD, **change}, tmp_path)
    assert result.returncode != 0
    assert code in result.stderr


def test_secret_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(GOOD["CORRIDOR_SECRET_KEY"] + "\n")
    env = {**GOOD, "CORRIDOR_SECRET_KEY": "", "CORRIDOR_SECRET_KEY_FILE": str(secret)}
    env.pop("CORRIDOR_SECRET_KEY")
    assert run_check(env, tmp_path).returncode == 0


def test_odd_values_fail_loudly(tmp_path: Path) -> None:
    result = run_check({**GOOD, "CORRIDOR_HTTPS": "perhaps"}, tmp_path)
    assert result.returncode != 0
    assert "CORRIDOR_HTTPS must be true or false" in result.stderr


def test_env_helpers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("X_INT", "12")
    assert corridor_settings.env_int("X_INT", 1) == 12
    monkeypatch.setenv("X_INT", "twelve")
    with pytest.raises(ImproperlyConfigured):
        corridor_settings.env_int("X_INT", 1)
    monkeypatch.setenv("X_SECRET", "a")
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "nope"))
    with pytest.raises(ImproperlyConfigured, match="not both"):
        corridor_settings.env_secret("X_SECRET")
    monkeypatch.delenv("X_SECRET")
    with pytest.raises(ImproperlyConfigured, match="cannot read"):
        corridor_settings.env_secret("X_SECRET")


def test_non_postgres_database_url_is_refused(tmp_path: Path) -> None:
    result = run_check({"DATABASE_URL": "mysql://root@127.0.0.1/x"}, tmp_path)
    assert result.returncode != 0
    assert "must point to PostgreSQL" in result.stderr


def test_sqlite_runs_in_wal_mode(db: None) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1
