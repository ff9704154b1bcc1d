"""`corridor totp USER`: the current authenticator code of a demo or development user."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from corridor.accounts import second_factor
from corridor.accounts.models import User


class Command(BaseCommand):
    help = "Print a user's current authenticator code (demo and development only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("not available in production: staff use their own authenticator apps")
        user = User.objects.filter(username__iexact=options["username"]).first()
        device = second_factor.confirmed_totp_devices(user).first() if user else None
        if device is None:
            raise CommandError("no such user with an authenticator app")
        self.stdout.write(second_factor.current_totp_code(device))
