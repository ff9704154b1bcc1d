"""`corridor pin-keys`: pin the keys of an installation made before pinning (trust on first use)."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from corridor.accounts import keyring, pins, services
from corridor.accounts.integrity import IntegrityFailure, check_user
from corridor.accounts.models import OrgKeyKind, User
from corridor.crypto.errors import WrongPassword
from corridor.crypto.words import fingerprint_words


class Command(BaseCommand):
    help = (
        "Write the key pins of an installation initialised before pinning, from the keys in the "
        "database now; a holder of the index key (--user) types their password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="a user who holds the index key")
        parser.add_argument(
            "--no-input", action="store_true", help="read the password from CORRIDOR_PIN_PASSWORD"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not keyring.organisation_initialised():
            raise CommandError("This installation has no keys yet: run `corridor init`, which pins them.")
        if pins.configured() is not None:
            raise CommandError("This installation already has key pins.")
        user = User.objects.filter(username__iexact=options["user"], is_active=True).first()
        if user is None:
            raise CommandError("no active user with that username")
        password = os.environ.get("CORRIDOR_PIN_PASSWORD", "")
        if not password:
            if options["no_input"]:
                raise CommandError("no password: set CORRIDOR_PIN_PASSWORD or run interactively")
            password = getpass.getpass(f"Password for {user.username}: ")
        try:
            check_user(user)
            private = services.unwrap_user_key(user, password)
            index_key = keyring.index_key_before_pinning(user=user, user_private_key=private)
            with transaction.atomic():
                new_pins = keyring.pin_existing_keys(index_key=index_key)
                written = pins.write(new_pins)
        except WrongPassword:
            raise CommandError("that password does not open this user's key") from None
        except (keyring.KeyUnavailable, IntegrityFailure, RuntimeError, OSError) as exc:
            raise CommandError(str(exc)) from None
        where = written or "CORRIDOR_KEY_PINS (set it to the line below)"
        self.stdout.write(f"Key pins written to {where}:")
        self.stdout.write("  " + new_pins.text())
        self.stdout.write(
            "Compare the signing key fingerprint with the one the organisation published; if they differ, "
            "the database was changed: remove the pins and investigate."
        )
        self.stdout.write("  " + fingerprint_words(keyring.pinned_public_key(OrgKeyKind.SIGNING)))
