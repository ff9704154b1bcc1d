"""`corridor audit verify|head`: check the hash chain, or print its head for anchoring elsewhere."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from corridor.audit.models import AuditChainHead
from corridor.audit.services import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain (exit 1 on the first bad entry), or print its head."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "head"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "head":
            head = AuditChainHead.objects.filter(id=1).first()
            self.stdout.write(f"{head.last_seq} {head.last_hash}" if head else "0 (empty)")
            return
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"audit chain BROKEN at entry #{report.first_bad_seq}: {report.problem} "
                f"({report.checked} entries before it are intact)"
            )
        self.stdout.write(f"audit chain intact: {report.checked} entries")
