"""`corridor recover`: k trustees' shares re-wrap the organisation keys for a named user."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from corridor.accounts import keyring
from corridor.accounts.models import User
from corridor.crypto.errors import CryptoError


class Command(BaseCommand):
    help = (
        "Read recovery shares (one per line on standard input) and re-wrap the organisation keys for a user."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="username to receive the organisation keys")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username__iexact=options["user"], is_active=True).first()
        if user is None:
            raise CommandError("no active user with that username")
        if not keyring.can_receive_recovery(user):
            # Said before the trustees type their shares, not after.
            raise CommandError("recovery gives keys to an operator or coordinator, not to this user's roles")
        if sys.stdin.isatty():
            self.stderr.write("Type or paste one share per line; an empty line ends.")
        shares = []
        for line in sys.stdin:
            if not line.strip():
                break
            shares.append(line.strip())
        try:
            kinds = keyring.recover_org_keys_for_user(share_texts=shares, user=user)
        except (CryptoError, PermissionError) as exc:
            raise CommandError(f"recovery failed: {exc}") from None
        self.stdout.write(f"Re-wrapped for {user.username}: {', '.join(kinds)}")
