"""Anchors: heads of the chain recorded where the database cannot reach them.

The format is one head per line, `SEQ HASH` as `corridor audit head` prints it, with
an optional third field the worker adds (the time it shipped the head). Blank lines
and lines starting with `#` are skipped, so an operator can annotate an anchor file.
"""

from __future__ import annotations

import fcntl
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

_HASH = re.compile(r"[0-9a-f]{64}")
# Longer than any line the worker writes, so the last complete line is always in it.
_TAIL_BYTES = 4096


@dataclass(frozen=True)
class Head:
    """The newest entry's sequence number and hash."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq} {self.hash}"


@dataclass(frozen=True)
class Anchor:
    """A head read from an anchor file, with the line it came from."""

    line: int
    seq: int
    hash: str


class AnchorFileInvalid(ValueError):
    """The anchor file cannot be read, or one of its lines is not `SEQ HASH`."""


def parse_head(text: str) -> Head | None:
    """One `SEQ HASH [...]` line as a head; None for `0 …`, the empty chain, which anchors nothing."""
    fields = text.split()
    if len(fields) < 2 or not fields[0].isascii() or not fields[0].isdigit():
        raise ValueError("not `SEQ HASH`")
    seq = int(fields[0])
    if seq == 0:
        return None
    digest = fields[1].lower()
    if not _HASH.fullmatch(digest):
        raise ValueError("not `SEQ HASH`")
    return Head(seq, digest)


def parse_anchors(text: str) -> list[Anchor]:
    """Every anchor of an anchor file's text; refuses a malformed line or a file without a head."""
    anchors = []
    seen = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        seen = True
        try:
            head = parse_head(line)
        except ValueError:
            raise AnchorFileInvalid(f"line {number} is not `SEQ HASH`") from None
        if head is not None:
            anchors.append(Anchor(number, head.seq, head.hash))
    if not seen:
        # An emptied anchor file must not read as "nothing to check".
        raise AnchorFileInvalid("it holds no head")
    return anchors


def read_anchors(path: Path) -> list[Anchor]:
    """Every anchor in the file at `path`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not readable text"
        raise AnchorFileInvalid(f"cannot read it ({reason})") from None
    return parse_anchors(text)


def format_anchor(head: Head, at: datetime) -> str:
    """The line the worker appends for a head: `SEQ HASH ISO-TIME`."""
    return f"{head.seq} {head.hash} {at.isoformat(timespec='seconds')}\n"


def _last_head(file: BinaryIO) -> Head | None:
    """The head on the last complete line of an open file, if that line is one."""
    size = file.seek(0, os.SEEK_END)
    file.seek(max(0, size - _TAIL_BYTES))
    tail = file.read()
    if not tail.endswith(b"\n"):
        return None  # a torn last write: the head is not (fully) there
    lines = tail.decode("ascii", errors="replace").splitlines()
    try:
        return parse_head(lines[-1]) if lines else None
    except ValueError:
        return None


def append_anchor(path: Path, head: Head, *, at: datetime) -> bool:
    """Append `head` to the anchor file unless it is already its last line; True if written."""
    # Opened for appending only, so the file may carry the append-only attribute
    # (`chattr +a`) or live on storage that refuses anything else. The line, and the
    # directory entry of a new file, are on disk before this returns.
    created = not path.exists()
    with path.open("a+b") as file:
        # Two shippers at once would otherwise both see the old last line and both append.
        fcntl.flock(file.fileno(), fcntl.LOCK_EX)
        if _last_head(file) == head:
            return False
        size = file.seek(0, os.SEEK_END)
        prefix = b""
        if size:
            file.seek(size - 1)
            if file.read(1) != b"\n":
                # End a torn earlier write, so this head gets a line of its own.
                prefix = b"\n"
        file.write(prefix + format_anchor(head, at).encode("ascii"))
        file.flush()
        os.fsync(file.fileno())
    if created:
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    return True
