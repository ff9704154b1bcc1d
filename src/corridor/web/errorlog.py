"""A 500 leaves a trace in the log without anything the request carried.

`django.request` logs "Internal Server Error: <path>" with the request attached, and
exception messages often quote input (a value that failed to parse, a database
DETAIL line with a key's value). This formatter writes the exception's type and its
traceback frames (files, lines, functions, source lines: code, never data), for the
exception and each one it was raised from, and nothing else: no message, no path,
no query, no headers, no form data, no address.
"""

from __future__ import annotations

import logging
import traceback


def _frames_and_types(error: BaseException) -> list[str]:
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    chain: list[BaseException] = []
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    for position, exc in enumerate(reversed(chain)):
        if position:
            lines.append("The above led to:")
        lines.append("Traceback (most recent call last):")
        lines.extend(
            line.rstrip("\n") for line in traceback.format_list(traceback.extract_tb(exc.__traceback__))
        )
        lines.append(f"{type(exc).__module__}.{type(exc).__qualname__}")
    return lines


class TracebackOnlyFormatter(logging.Formatter):
    """Time, level, logger, the exception's type and frames; never the record's message or arguments."""

    def format(self, record: logging.LogRecord) -> str:
        status = getattr(record, "status_code", None)
        answer = f" (HTTP {status})" if isinstance(status, int) else ""
        head = f"{self.formatTime(record)} {record.levelname} {record.name}"
        if record.exc_info and record.exc_info[1] is not None:
            return "\n".join([f"{head} unhandled exception{answer}", *_frames_and_types(record.exc_info[1])])
        return f"{head} server error{answer}"
