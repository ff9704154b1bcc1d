"""`corridor evidence verify`: check every evidence item's stored file and custody chain, and that every
item the audit log recorded as received still exists, without any key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from corridor.documentation.evidence.verify import verify_all


class Command(BaseCommand):
    help = (
        "Check every evidence item: its stored file against the hash taken at receipt, its custody "
        "chain link by link and against its MAC, each copy against its parent, and every item the "
        "audit log says was received against what exists (an item deleted whole is named by its id). "
        "One line per problem; exit 1 if there is any."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        checked, problems = verify_all()
        for problem in problems:
            self.stderr.write(f"evidence {problem}")
        if problems:
            raise CommandError(f"evidence: {len(problems)} problem(s) in {checked} item(s)")
        self.stdout.write(f"evidence intact: {checked} item(s), every stored file and custody chain checked")
