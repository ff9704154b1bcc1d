"""Parallel wrong passwords, on real threads and a real database: no more than the limit get tried."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from corridor.accounts.services import _login_key
from corridor.limits.models import Throttle

REPO = Path(__file__).resolve().parents[2]


def child_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CORRIDOR_", "DJANGO_", "DATABASE_URL"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "CORRIDOR_DATA_DIR": str(data_dir),
            "CORRIDOR_SECRET_KEY": os.environ.get("CORRIDOR_SECRET_KEY", ""),
            # Each Argon2id call takes a few milliseconds, as a real one takes longer: the
            # window between checking the count and recording a failure is real.
            "CORRIDOR_ARGON2_OPSLIMIT": "1",
            "CORRIDOR_ARGON2_MEMLIMIT": str(16 * 1024 * 1024),
            "CORRIDOR_ARGON2_MEMORY_CAP_BYTES": str(1024 * 1024 * 1024),
            "CORRIDOR_LOGIN_FAILURE_LIMIT": "5",
            # Room in the pool for all 16 threads at once: the throttle, not the pool, is under test.
            "CORRIDOR_WEB_THREADS": "32",
        }
    )
    if connection.vendor == "postgresql":
        # The test's own database, committed (transaction=True), seen from another process.
        settings_dict = connection.settings_dict
        host = settings_dict["HOST"] or "localhost"
        port = settings_dict["PORT"] or "5432"
        env["DATABASE_URL"] = f"postgres://{settings_dict['USER']}@{host}:{port}/{settings_dict['NAME']}"
    return env


@pytest.mark.django_db(transaction=True)
def test_16_parallel_wrong_passwords_try_no_more_than_the_limit(tmp_path: Path) -> None:
    env = child_env(tmp_path)
    if connection.vendor == "sqlite":
        subprocess.run(
            [sys.executable, "-m", "django", "migrate", "--verbosity", "0"],
            cwd=REPO,
            env=env,
            check=True,
            timeout=120,
        )
    result = subprocess.run(
        [sys.executable, "-m", "tests.accounts.parallel_sign_in"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    outcomes = json.loads(result.stdout)
    assert outcomes == {"tried": 5, "blocked": 11, "signed in": 0}
    if connection.vendor == "postgresql":
        assert Throttle.objects.get(key=_login_key("target")).failures == 5
