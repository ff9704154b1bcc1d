"""Receipt files with no expense row: what a process killed half-way through recording one leaves.

An expense's receipt is stored (as ciphertext) before the transaction that writes the
expense's row. A refusal or a double tap deletes the file at once; a process that dies in
between, or a transaction rolled back after the service returned, leaves it. It cannot be
read (its key was in the envelope that was never written), but its size and time still
show that money was spent on someone: the worker removes it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.core.files.storage import default_storage
from django.tasks import task

from corridor.evacuation.money.models import Expense

logger = logging.getLogger("corridor.money")

PREFIX = "money"
# A request stores the file seconds before its row commits: an hour is far beyond any
# request, so a receipt being recorded is never taken for an orphan.
MIN_AGE = timedelta(hours=1)
# Names looked up per query (a parameter each).
CHUNK = 500


def remove_orphan_receipts(*, now: datetime | None = None) -> int:
    """Delete receipt files under the money prefix, older than MIN_AGE, that no expense names."""
    now = now or datetime.now(UTC)
    try:
        _dirs, names = default_storage.listdir(PREFIX)
    except FileNotFoundError:
        return 0
    old = []
    for name in names:
        path = f"{PREFIX}/{name}"
        try:
            if now - default_storage.get_modified_time(path) >= MIN_AGE:
                old.append(path)
        except FileNotFoundError:
            continue  # removed meanwhile
    removed = 0
    for start in range(0, len(old), CHUNK):
        chunk = old[start : start + CHUNK]
        named = Expense.objects.filter(receipt_blob__in=chunk).values_list("receipt_blob", flat=True)
        referenced = set(named)
        for path in chunk:
            if path in referenced:
                continue
            try:
                default_storage.delete(path)
            except FileNotFoundError:
                continue
            removed += 1
    if removed:
        # A count only: even the names (expense ids that never were) stay out of the log.
        logger.info("removed %d orphan receipt file(s)", removed)
    return removed


@task
def remove_orphan_receipt_files() -> None:
    """The periodic job: remove orphan receipt files (idempotent)."""
    remove_orphan_receipts()
