"""The hotline's at-rest canary: a real installation on disk, a person and an operator.

Unique strings go into every free-text field, the file name and the photo's EXIF (with
GPS coordinates); afterwards none of them may be found in the database, its WAL, the
media or temporary directories, new files in /tmp, or anything printed or logged. The
run itself is tests/hotline/canary_script.py, in a subprocess, because this needs the
real settings module and an SQLite database in a file.
"""

from __future__ import annotations

import base64
import io
import json
import os
import secrets
import sqlite3
import struct
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.hotline.canary_script import RESULT_PREFIX

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("canary_script.py")
KEYHOLDER = "keeper"
KEYHOLDER_PASSWORD = "keeper-Pw-" + secrets.token_hex(8)
LATITUDE = (55.0, 45.0, 30.0)
LONGITUDE = (37.0, 36.0, 0.0)
MAX_SCAN_BYTES = 512 * 1024 * 1024
PHOTO_FIELDS = {"exif_make", "exif_model"}


def make_canaries() -> dict[str, str]:
    def mark(kind: str) -> str:
        return f"Canary{kind}{secrets.token_hex(6)}"

    return {
        "message": mark("Message") + " меня ищут родственники",
        "safe_contact": mark("Contact") + " только вечером",
        "file_name": mark("File") + ".jpg",
        "exif_make": mark("Make"),
        "exif_model": mark("Model"),
        "reply": mark("Reply") + " мы вас слышим",
        "note": mark("Note") + " проверить через Грозный",
        "second_message": mark("Second") + " я в безопасности",
    }


def photo_with_exif(canaries: dict[str, str]) -> tuple[bytes, dict[str, bytes]]:
    """A JPEG whose EXIF names a camera and a place; returns it with the raw bytes to look for."""
    exif = Image.Exif()
    exif[0x010F] = canaries["exif_make"]
    exif[0x0110] = canaries["exif_model"]
    exif[0x8825] = {1: "N", 2: LATITUDE, 3: "E", 4: LONGITUDE}
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 200, 30)).save(buffer, "JPEG", exif=exif)
    photo = buffer.getvalue()
    raw = {
        "EXIF block": exif.tobytes(),
        "GPS latitude": struct.pack(">6L", *(int(v) for p in LATITUDE for v in (p, 1))),
        "GPS longitude": struct.pack(">6L", *(int(v) for p in LONGITUDE for v in (p, 1))),
    }
    for label, needle in raw.items():
        assert needle in photo, f"the test photo does not carry its {label}"
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)
    return photo, raw


def needles_for(canaries: dict[str, str], raw: dict[str, bytes], codename: str) -> dict[str, bytes]:
    needles: dict[str, bytes] = {}
    for field, text in canaries.items():
        core = text.split()[0].removesuffix(".jpg")  # the ASCII part, in case the rest is escaped
        for encoding in ("utf-8", "utf-16-le"):
            needles[f"{field} ({encoding})"] = text.encode(encoding)
            needles[f"{field}, ASCII part ({encoding})"] = core.encode(encoding)
    if codename:
        digits = codename.replace(" ", "")
        for label, value in {"codename": codename, "codename digits": digits}.items():
            needles[label] = value.encode()
            needles[f"{label} (utf-16-le)"] = value.encode("utf-16-le")
    needles.update(raw)
    return needles


def clean_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CORRIDOR_", "DJANGO_", "DATABASE_URL"))}
    env.update(
        {
            "CORRIDOR_ARGON2_OPSLIMIT": "1",
            "CORRIDOR_ARGON2_MEMLIMIT": "8192",
            "CORRIDOR_LOG_LEVEL": "DEBUG",
            "CORRIDOR_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "corridor.settings",
        }
    )
    return env


def temp_roots() -> list[Path]:
    roots = {Path("/tmp").resolve(), Path(tempfile.gettempdir()).resolve()}  # noqa: S108 - scanned, not used
    return sorted(roots)


def temp_listing() -> dict[Path, tuple[int, int]]:
    """Every regular file under the temporary directories, with its size and modification time."""
    listing: dict[Path, tuple[int, int]] = {}
    for root in temp_roots():
        for dirpath, _dirs, files in os.walk(root, onerror=lambda _e: None):
            for name in files:
                path = Path(dirpath) / name
                try:
                    stat = path.lstat()
                except OSError:
                    continue
                if path.is_file() and not path.is_symlink():
                    listing[path] = (stat.st_size, stat.st_mtime_ns)
    return listing


def readable(paths: list[Path]) -> Iterator[tuple[Path, bytes]]:
    for path in paths:
        try:
            if path.stat().st_size > MAX_SCAN_BYTES:
                continue
            yield path, path.read_bytes()
        except OSError:
            continue


def find(needles: dict[str, bytes], haystacks: Iterator[tuple[Any, bytes]]) -> list[str]:
    return [
        f"{label} in {where}"
        for where, content in haystacks
        for label, needle in needles.items()
        if needle in content
    ]


@dataclass(frozen=True)
class CanaryRun:
    """One run of the scenario, and everything it may have left behind, read while the WAL still exists."""

    result: dict[str, Any]
    photo: bytes
    report: bytes
    text_needles: dict[str, bytes]
    photo_needles: dict[str, bytes]
    data_files: dict[str, bytes]
    new_temp_files: dict[str, bytes]
    outputs: dict[str, bytes]

    @property
    def needles(self) -> dict[str, bytes]:
        return {**self.text_needles, **self.photo_needles}


@pytest.fixture(scope="module")
def canary_run(tmp_path_factory: pytest.TempPathFactory) -> CanaryRun:
    tmp_path = tmp_path_factory.mktemp("hotline-canary")
    texts = make_canaries()
    photo, raw_exif = photo_with_exif(texts)
    data_dir = tmp_path / "data"
    log_file = tmp_path / "corridor.log"
    temp_before = temp_listing()
    env = clean_env(data_dir)

    init = subprocess.run(
        [
            str(Path(sys.executable).parent / "corridor"),
            "--data-dir",
            str(data_dir),
            "init",
            "--admin",
            "root",
            "--keyholder",
            KEYHOLDER,
            "--no-input",
        ],
        env={
            **env,
            "CORRIDOR_ADMIN_PASSWORD": KEYHOLDER_PASSWORD,
            "CORRIDOR_KEYHOLDER_PASSWORD": KEYHOLDER_PASSWORD,
        },
        cwd=REPO,
        capture_output=True,
        timeout=300,
        check=True,
    )
    # Held open so that the run's last close does not checkpoint and delete the WAL: it is scanned too.
    with closing(sqlite3.connect(data_dir / "corridor.sqlite3")) as observer:
        observer.execute("SELECT count(*) FROM hotline_thread").fetchone()
        run = subprocess.run(
            [sys.executable, str(SCRIPT), str(data_dir), str(log_file)],
            env={
                **env,
                "CANARIES": json.dumps(texts),
                "CANARY_KEYHOLDER": KEYHOLDER,
                "CANARY_KEYHOLDER_PASSWORD": KEYHOLDER_PASSWORD,
            },
            input=photo,
            cwd=REPO,
            capture_output=True,
            timeout=300,
            check=False,
        )
        assert run.returncode == 0, run.stderr.decode(errors="replace")[-5000:]
        data_files = dict(readable(sorted(p for p in data_dir.rglob("*") if p.is_file())))

    stdout_lines = run.stdout.decode().splitlines()
    assert stdout_lines
    assert stdout_lines[-1].startswith(RESULT_PREFIX), stdout_lines[-1][:200]
    result = json.loads(stdout_lines[-1].removeprefix(RESULT_PREFIX))
    temp_after = temp_listing()
    new_temp = sorted(
        p
        for p, stat in temp_after.items()
        if temp_before.get(p) != stat and data_dir not in p.parents and p != log_file
    )
    text_canaries = {k: v for k, v in texts.items() if k not in PHOTO_FIELDS}
    photo_canaries = {k: v for k, v in texts.items() if k in PHOTO_FIELDS}
    return CanaryRun(
        result=result,
        photo=photo,
        report=stdout_lines[-1].encode(),
        text_needles=needles_for(text_canaries, {}, result["codename"]),
        photo_needles=needles_for(photo_canaries, raw_exif, ""),
        data_files={str(p.relative_to(data_dir)): content for p, content in data_files.items()},
        new_temp_files={str(p): content for p, content in readable(new_temp)},
        outputs={
            "init stdout": init.stdout,
            "init stderr": init.stderr,
            # The last line is the script's report to this test, not the application's output.
            "run stdout": "\n".join(stdout_lines[:-1]).encode(),
            "run stderr": run.stderr,
            "log file": log_file.read_bytes(),
        },
    )


def test_the_run_carried_every_canary_through_the_application(canary_run: CanaryRun) -> None:
    result = canary_run.result
    assert result["landing_status"] == 200
    assert result["request_status"] == 200
    assert len(result["codename"]) == 24
    assert result["staff_saw_message"]
    assert result["staff_saw_safe_contact"]
    assert result["staff_saw_file_name"]
    assert result["original_hash_matches"]
    assert result["enter_status"] == 302
    assert result["applicant_saw_reply"]
    assert not result["applicant_saw_note"]
    assert result["write_status"] == 302
    assert result["applicant_saw_second_message"]
    assert result["leave_status"] == 302
    names = set(canary_run.data_files)
    assert {"corridor.sqlite3", "corridor.sqlite3-wal", "corridor.sqlite3-shm"} <= names
    assert len([n for n in names if n.startswith("media/hotline/")]) == 2  # sealed original + copy
    assert any("log file" in label for label in canary_run.outputs)


def test_the_scan_finds_what_it_looks_for(canary_run: CanaryRun) -> None:
    """Controls: the needles are found where they are known to be in the clear."""
    in_photo = {k: v for k, v in canary_run.photo_needles.items() if "utf-16" not in k}
    assert len(find(in_photo, iter([("photo", canary_run.photo)]))) == len(in_photo) == 7
    assert any(
        f.startswith("codename ")
        for f in find(canary_run.text_needles, iter([("report", canary_run.report)]))
    )
    assert len(canary_run.data_files["corridor.sqlite3-wal"]) > 0


def test_no_canary_in_the_database_wal_media_or_upload_directory(canary_run: CanaryRun) -> None:
    assert not find(canary_run.needles, iter(canary_run.data_files.items()))


def test_no_canary_in_new_temporary_files(canary_run: CanaryRun) -> None:
    assert not find(canary_run.needles, iter(canary_run.new_temp_files.items()))


def test_no_typed_text_or_codename_in_output_or_logs(canary_run: CanaryRun) -> None:
    assert not find(canary_run.text_needles, iter(canary_run.outputs.items()))


def test_no_photo_metadata_in_output_or_logs(canary_run: CanaryRun) -> None:
    assert not find(canary_run.photo_needles, iter(canary_run.outputs.items()))


def test_the_operators_copy_of_the_photo_has_no_metadata(canary_run: CanaryRun) -> None:
    assert canary_run.result["view_copy_type"] == "image/jpeg"
    copy = base64.b64decode(canary_run.result["view_copy"])
    image = Image.open(io.BytesIO(copy))
    assert image.size == (64, 48)
    assert not image.getexif()
    assert not image.getexif().get_ifd(0x8825)
    assert "exif" not in image.info
    assert b"Exif" not in copy
    assert not find(canary_run.needles, iter([("the operator's copy", copy)]))
