"""Ciphertext with no attachment row, left by a request killed half-way, is removed after an hour."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client

from corridor.hotline.models import Attachment
from corridor.hotline.orphans import remove_orphan_blobs
from tests.hotline.test_public_flow import jpeg, request_data

pytestmark = pytest.mark.django_db


def age(name: str, hours: float) -> None:
    """Set a stored file's modification time `hours` back (what a crash long ago leaves)."""
    then = (datetime.now(UTC) - timedelta(hours=hours)).timestamp()
    os.utime(default_storage.path(name), (then, then))


def test_old_blobs_without_rows_go_and_everything_else_stays(org: dict[str, object]) -> None:
    response = Client().post("/en/request/", request_data(photos=[jpeg()]))
    assert response.status_code == 200
    attachment = Attachment.objects.get()
    kept = [attachment.original_blob, attachment.stripped_blob]
    for name in kept:
        age(name, 5)
    old_orphan = default_storage.save(
        "hotline/11111111-1111-4111-8111-111111111111.orig", ContentFile(b"x" * 64)
    )
    age(old_orphan, 2)
    young_orphan = default_storage.save(
        "hotline/22222222-2222-4222-8222-222222222222.orig", ContentFile(b"y")
    )

    assert remove_orphan_blobs() == 1

    assert not default_storage.exists(old_orphan)
    assert default_storage.exists(young_orphan)  # a request may still be writing its row
    assert all(default_storage.exists(name) for name in kept)
    assert remove_orphan_blobs() == 0  # idempotent


def test_nothing_stored_yet_is_not_an_error(settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    assert remove_orphan_blobs() == 0


@pytest.mark.django_db(transaction=True)  # the queue's worker commits as it goes
def test_the_worker_runs_the_job(org: dict[str, object]) -> None:
    orphan = default_storage.save("hotline/33333333-3333-4333-8333-333333333333.view", ContentFile(b"z"))
    age(orphan, 3)

    call_command("worker", "--once", stdout=StringIO())

    assert not default_storage.exists(orphan)
