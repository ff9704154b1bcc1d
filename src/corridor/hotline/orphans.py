"""Encrypted files with no attachment row: what a request killed half-way leaves in storage.

A request stores its photos' ciphertext before the transaction that writes their rows;
if the process dies in between, the blobs stay. They cannot be read (their keys died
with the request), but their sizes and times still show that someone tried to write.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.core.files.storage import default_storage
from django.tasks import task

from corridor.hotline.models import Attachment

logger = logging.getLogger("corridor.hotline")

PREFIX = "hotline"
# A request in flight stores its files seconds before their rows commit: an hour is far
# beyond any request, so a file being written is never taken for an orphan.
MIN_AGE = timedelta(hours=1)


def remove_orphan_blobs(*, now: datetime | None = None) -> int:
    """Delete blobs under the hotline prefix that no attachment names and are older than MIN_AGE."""
    now = now or datetime.now(UTC)
    try:
        _dirs, names = default_storage.listdir(PREFIX)
    except FileNotFoundError:
        return 0
    referenced = set(Attachment.objects.values_list("original_blob", flat=True))
    referenced |= set(Attachment.objects.values_list("stripped_blob", flat=True))
    removed = 0
    for name in names:
        path = f"{PREFIX}/{name}"
        if path in referenced:
            continue
        try:
            if now - default_storage.get_modified_time(path) < MIN_AGE:
                continue
            default_storage.delete(path)
        except FileNotFoundError:
            continue  # removed meanwhile (another worker): nothing to do
        removed += 1
    if removed:
        # A count only: the names are random, but even they are nobody's business in a log.
        logger.info("removed %d orphan hotline file(s)", removed)
    return removed


@task
def remove_orphan_files() -> None:
    """The periodic job: remove orphan hotline blobs (idempotent)."""
    remove_orphan_blobs()
