"""`corridor recover`: k trustees' shares re-wrap the organisation keys for a named user."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from corridor.accounts import keyring
from corridor.accounts.models import User
from corridor.crypto.errors import CryptoError


def read_shares_from_terminal() -> list[str]:
    """Ask for one share after another with echo off; an empty entry ends."""
    shares: list[str] = []
    while True:
        try:
            # Echo off: a share on the screen can be read over a shoulder, filmed, or
            # left in a terminal's scrollback after the trustees have gone.
            text = getpass.getpass(f"Share {len(shares) + 1}: ")
        except EOFError:
            break
        if not text.strip():
            break
        shares.append(text.strip())
    return shares


def read_shares_from_lines(lines: Iterable[str]) -> list[str]:
    """One share per line, as piped in; an empty line or the end of input ends."""
    shares: list[str] = []
    for line in lines:
        if not line.strip():
            break
        shares.append(line.strip())
    return shares


class Command(BaseCommand):
    help = (
        "Read recovery shares (asked for one by one with echo off on a terminal, otherwise one per "
        "line on standard input) and re-wrap the organisation keys for a user."
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
            self.stderr.write("Type each share when asked; nothing is shown. An empty entry ends.")
            shares = read_shares_from_terminal()
        else:
            shares = read_shares_from_lines(sys.stdin)
        try:
            kinds = keyring.recover_org_keys_for_user(share_texts=shares, user=user)
        except (CryptoError, PermissionError) as exc:
            # The messages name shares and words by number only, never by their text.
            raise CommandError(f"recovery failed: {exc}") from None
        self.stdout.write(f"Re-wrapped for {user.username}: {', '.join(kinds)}")
