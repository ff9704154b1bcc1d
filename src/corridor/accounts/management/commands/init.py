"""`corridor init`: create the organisation's keys, the recovery shares and the first administrator."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from corridor.accounts import keyring, pins, services
from corridor.accounts.models import OrgKeyKind, Role
from corridor.crypto.words import fingerprint_digits, fingerprint_words


def _password(env_name: str, prompt: str, interactive: bool) -> str:
    value = os.environ.get(env_name, "")
    if value:
        return value
    if not interactive:
        raise CommandError(f"no password: set {env_name} or run interactively")
    first = getpass.getpass(prompt)
    if first != getpass.getpass("Again: "):
        raise CommandError("the two passwords differ")
    return first


class Command(BaseCommand):
    help = "Create the organisation keys, print the recovery shares once, and create the first administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--threshold", "-k", type=int, default=3, help="shares needed to recover (k)")
        parser.add_argument("--shares", "-n", type=int, default=5, help="shares to print (n)")
        parser.add_argument(
            "--admin",
            default=os.environ.get("CORRIDOR_ADMIN_USERNAME", ""),
            help="username of the first administrator (password from CORRIDOR_ADMIN_PASSWORD or a prompt)",
        )
        parser.add_argument(
            "--keyholder",
            default=os.environ.get("CORRIDOR_KEYHOLDER_USERNAME", ""),
            help="optional first coordinator and operator, who receives the hotline and signing "
            "keys (password from CORRIDOR_KEYHOLDER_PASSWORD or a prompt)",
        )
        parser.add_argument("--no-input", action="store_true", help="never prompt")

    def handle(self, *args: Any, **options: Any) -> None:
        interactive = not options["no_input"]
        call_command("migrate", interactive=False, verbosity=0)
        if keyring.organisation_initialised():
            raise CommandError("This organisation already has its keys; `corridor recover` re-wraps them.")
        admin_name = options["admin"] or (input("Administrator username: ").strip() if interactive else "")
        if not admin_name:
            raise CommandError("no administrator username: pass --admin")
        admin_password = _password("CORRIDOR_ADMIN_PASSWORD", f"Password for {admin_name}: ", interactive)
        keyholder = options["keyholder"]
        keyholder_password = (
            _password("CORRIDOR_KEYHOLDER_PASSWORD", f"Password for {keyholder}: ", interactive)
            if keyholder
            else ""
        )
        if pins.configured() is not None:
            raise CommandError(
                f"Key pins already exist ({pins.pins_path()} or CORRIDOR_KEY_PINS) but the database "
                "has no keys: remove the old pins deliberately before making a new organisation."
            )
        pinned_at = None
        try:
            with transaction.atomic():
                created = keyring.create_organisation_keys(
                    threshold=options["threshold"], share_count=options["shares"]
                )
                words, secrets = created.shares, created.secrets
                # The pins are written before any key is used, and before the commit: if
                # they cannot be written, nothing is created.
                pinned_at = pins.write(created.pins)
                services.create_user(
                    actor=None,
                    actor_private_key=None,
                    username=admin_name,
                    password=admin_password,
                    roles={Role.ADMIN},
                    must_change_password=False,
                    index_key=secrets[OrgKeyKind.INDEX],
                )
                if keyholder:
                    holder = services.create_user(
                        actor=None,
                        actor_private_key=None,
                        username=keyholder,
                        password=keyholder_password,
                        roles={Role.COORDINATOR, Role.OPERATOR},
                        must_change_password=False,
                    )
                    entitled = {k: v for k, v in secrets.items() if k in keyring.entitled_kinds(holder)}
                    keyring.wrap_secrets_for_user(actor=None, user=holder, secrets=entitled)
        except (ValidationError, ValueError, OSError) as exc:
            # Nothing was committed, so pins of keys that do not exist must not stay behind.
            if pinned_at is not None:
                pinned_at.unlink(missing_ok=True)
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("; ".join(messages)) from None
        self._print_shares(words, options["threshold"])
        if pinned_at is None:
            self.stdout.write(
                "\nKey pins: CORRIDOR_KEY_PINS is set, so nothing was written. It must be exactly:"
            )
        else:
            self.stdout.write(
                f"\nKey pins written to {pinned_at} (keep it with the configuration; it is public):"
            )
        self.stdout.write("  " + created.pins.text())
        self.stdout.write("\nSigning key fingerprint (publish it on the organisation's own channels):")
        signing = keyring.pinned_public_key(OrgKeyKind.SIGNING)
        self.stdout.write("  " + fingerprint_words(signing))
        self.stdout.write(
            "  " + fingerprint_digits(signing) + "   (the same, as digits, for pages not in English)"
        )
        self.stdout.write(
            f"\nAdministrator '{admin_name}' created; a second factor is set up at first sign-in."
        )
        if keyholder:
            self.stdout.write(
                f"Key holder '{keyholder}' (coordinator, operator) holds the hotline and signing keys."
            )

    def _print_shares(self, words: list[str], threshold: int) -> None:
        self.stdout.write(
            self.style.WARNING(
                f"\nRECOVERY SHARES: any {threshold} of these {len(words)} recover every key. "
                "They are shown only now.\nWrite each on paper, give each to a different trustee, "
                "and never store them on this server.\n"
            )
        )
        for i, share in enumerate(words, 1):
            self.stdout.write(f"Share {i}:\n  {share}\n")
