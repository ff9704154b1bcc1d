"""Canary: after a real installation and recovery on disk, no password or private key is in the clear."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

from corridor.crypto import keys
from corridor.crypto.kdf import owner_context, unwrap_with_password

CANARY_PASSWORD = "canary-Pw-7Kq2-zebra-lantern"
REPO = Path(__file__).resolve().parents[1]


def run_corridor(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CORRIDOR_", "DJANGO_", "DATABASE_URL"))}
    env.update(
        {
            "CORRIDOR_ARGON2_OPSLIMIT": "1",
            "CORRIDOR_ARGON2_MEMLIMIT": "8192",
            "CORRIDOR_ADMIN_PASSWORD": CANARY_PASSWORD,
            "CORRIDOR_KEYHOLDER_PASSWORD": CANARY_PASSWORD,
            "CORRIDOR_LOG_LEVEL": "DEBUG",
        }
    )
    corridor = Path(sys.executable).parent / "corridor"
    return subprocess.run(
        [str(corridor), "--data-dir", str(data_dir), *args],
        env=env,
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


def test_no_password_or_key_in_the_clear_on_disk(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    result = run_corridor(data_dir, "init", "--admin", "root", "--keyholder", "keeper", "--no-input")
    shares = [
        line.strip()
        for line in result.stdout.splitlines()
        if line.startswith("  ") and len(line.split()) == 33
    ]
    assert len(shares) == 5
    run_corridor(data_dir, "recover", "--user", "keeper", stdin="\n".join(shares[:3]) + "\n\n")

    with sqlite3.connect(data_dir / "corridor.sqlite3") as db:
        rows = db.execute("SELECT id, public_key, wrapped_private_key FROM accounts_user").fetchall()
    # SQLite stores the UUID primary key as 32 hex digits; the wrap binds its canonical text.
    secrets = [
        unwrap_with_password(
            bytes(blob),
            CANARY_PASSWORD,
            context=owner_context(str(uuid.UUID(user_id)).encode(), bytes(public)),
        )
        for user_id, public, blob in rows
    ]
    assert all(keys.public_key_of(s) for s in secrets)

    needles = {
        "password": CANARY_PASSWORD.encode(),
        "password (utf-16)": CANARY_PASSWORD.encode("utf-16-le"),
        **{f"private key {i}": s for i, s in enumerate(secrets)},
        **{f"private key {i} (hex)": s.hex().encode() for i, s in enumerate(secrets)},
        "a recovery share": shares[0].encode(),
    }
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.name.endswith("-wal") for p in files) or any(p.suffix == ".sqlite3" for p in files)
    for path in files:
        content = path.read_bytes()
        for label, needle in needles.items():
            assert needle not in content, f"{label} found in {path.name}"
    output = result.stdout + result.stderr
    assert CANARY_PASSWORD not in output
