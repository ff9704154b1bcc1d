"""`corridor audit verify|head`: check the hash chain, or print its head for anchoring elsewhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from corridor.accounts import keyring
from corridor.audit.anchors import AnchorFileInvalid, read_anchors
from corridor.audit.services import ChainHeadInvalid, check_anchors, current_head, verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain (exit 1 on the first bad entry), or print its head."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "head"])
        parser.add_argument(
            "--anchor",
            metavar="FILE",
            type=Path,
            help="with verify: a file of heads recorded earlier (`SEQ HASH` lines, as `head` prints "
            "them or the worker appends them); every one must still be in the chain",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchor_file: Path | None = options["anchor"]
        if options["action"] == "head":
            if anchor_file is not None:
                raise CommandError("--anchor goes with verify, not head")
            try:
                head = current_head()
            except ChainHeadInvalid as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(str(head) if head else "0 (empty)")
            return
        # Read the anchors first: a bad anchor file is reported before any verdict on the chain.
        anchors = None
        if anchor_file is not None:
            try:
                anchors = read_anchors(anchor_file)
            except AnchorFileInvalid as exc:
                raise CommandError(f"anchor file {anchor_file}: {exc}") from None
        report = verify_chain(organisation_initialised=keyring.organisation_initialised())
        if not report.ok:
            raise CommandError(
                f"audit chain BROKEN at entry #{report.first_bad_seq}: {report.problem} "
                f"({report.checked} entries before it are intact)"
            )
        if anchors is None:
            self.stdout.write(f"audit chain intact: {report.checked} entries")
            return
        anchored = check_anchors(anchors)
        if not anchored.ok:
            raise CommandError(f"audit chain does not match anchor file {anchor_file}: {anchored.problem}")
        self.stdout.write(
            f"audit chain intact: {report.checked} entries; all {anchored.checked} anchored heads "
            f"in {anchor_file} are in it"
        )
