"""The `corridor` command: Django's management commands behind a few global options.

`corridor --data-dir DIR <command>` (or CORRIDOR_DATA_DIR) chooses where the database,
files and, outside production, the generated secret key live. `corridor demo` defaults
to its own data directory, `var/demo`, so it never touches a real installation.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

DEMO_DATA_DIR = "var/demo"
# Commands that act on an existing installation. On a data directory that holds none they
# refuse with one line before anything connects: connecting to SQLite creates the file.
NEEDS_INSTALLATION = frozenset({"totp", "pin_keys", "recover", "audit", "evidence", "worker", "serve"})


def _pop_option(argv: list[str], name: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            value = argv[i + 1]
            del argv[i : i + 2]
            return value
        if arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
            del argv[i]
            return value
    return None


def _ensure_local_secret(data_dir: Path) -> None:
    """Outside production, generate and keep a secret key in the data directory."""
    if os.environ.get("CORRIDOR_ENV", "development") == "production":
        return
    if os.environ.get("CORRIDOR_SECRET_KEY") or os.environ.get("CORRIDOR_SECRET_KEY_FILE"):
        return
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret_file = data_dir / "secret_key"
    if not secret_file.exists():
        fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))


def installation_problem() -> str:
    """Why the configured data directory or database holds no initialised installation, or ""."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    sqlite = database["ENGINE"] == "django.db.backends.sqlite3"
    where = f"in {settings.DATA_DIR}" if sqlite else "in the configured database"
    if sqlite and not Path(database["NAME"]).is_file():
        return f"no Corridor installation {where}: run `corridor init` first, or choose one with --data-dir"
    import django

    django.setup()
    from django.db import DatabaseError, OperationalError, connections

    from corridor.accounts.keyring import organisation_initialised

    try:
        ready = organisation_initialised()
    except OperationalError as exc:
        if not sqlite or "no such table" not in str(exc):
            raise  # a database out of reach or locked is not a missing installation
        ready = False
    except DatabaseError:  # PostgreSQL without the tables
        ready = False
    finally:
        connections.close_all()
    if not ready:
        return f"the installation {where} has no organisation yet: run `corridor init` first"
    return ""


def _command_position(argv: list[str]) -> int:
    """Where the subcommand is: the first argument that is neither an option nor the data directory."""
    skip = False
    for i, arg in enumerate(argv[1:], 1):
        if skip:
            skip = False
        elif arg == "--data-dir":
            skip = True
        elif not arg.startswith("-"):
            return i
    return 0


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    position = _command_position(argv)
    command = argv[position] if position else ""
    if "-" in command:
        # Commands are spelt with dashes (`corridor pin-keys`); Django names them with underscores.
        argv[position] = command = command.replace("-", "_")
    if command == "referral":
        # The partner's side of a referral: no installation, no database, no data directory.
        from corridor.evacuation.relocation.partner_cli import main as referral_main

        sys.exit(referral_main(argv[position + 1 :]))
    is_demo = command == "demo"
    data_dir = _pop_option(argv, "--data-dir")
    if data_dir and is_demo:
        # `corridor demo` takes the option itself, wherever it was written.
        argv += ["--data-dir", data_dir]
    if data_dir:
        os.environ["CORRIDOR_DATA_DIR"] = data_dir
    elif is_demo:
        os.environ.setdefault("CORRIDOR_DATA_DIR", DEMO_DATA_DIR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")
    if command in NEEDS_INSTALLATION:
        # The installation made its secret key when it was created: nothing to make here.
        if not {"-h", "--help"} & set(argv) and (problem := installation_problem()):
            sys.exit(f"corridor {command.replace('_', '-')}: {problem}")
    else:
        _ensure_local_secret(Path(os.environ.get("CORRIDOR_DATA_DIR", "var")).resolve())
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
