"""`corridor demo`: Russian synthetic threads, a worker beside the server, alert e-mails as files."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from corridor.accounts.models import User
from corridor.accounts.services import unwrap_user_key
from corridor.hotline import reading
from corridor.hotline.models import MessageKind, Thread
from corridor.web.management.commands import demo

LATIN = re.compile(r"[A-Za-z]")


def private_key_of(user: User) -> bytes:
    return unwrap_user_key(user, demo.DEMO_PASSWORD)


def test_the_demo_texts_are_russian_and_marked_as_invented() -> None:
    texts = [text for _, text in demo._demo_threads()] + [demo.DEMO_REPLY, demo.DEMO_NOTE]
    contacts = [triage.safe_contact for triage, _ in demo._demo_threads() if triage.safe_contact]
    for text in texts + contacts:
        assert not LATIN.search(text), text
    for text in texts:
        assert "Демо" in text, text


@pytest.mark.django_db
def test_the_demo_threads_read_in_russian_on_the_russian_side(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    call_command("demo", "--no-serve", stdout=StringIO())
    codename = (tmp_path / "demo-codename.txt").read_text().strip()

    client = Client()
    assert client.post("/ru/thread/", {"codename": codename}).status_code == 302
    page = client.get("/ru/thread/messages/").content.decode()
    assert demo.SYNTHETIC in page
    assert "Synthetic" not in page

    # Staff read the reply and the note in Russian too.
    olga = User.objects.get(username="olga")
    answered = next(t for t in Thread.objects.all() if t.first_response_at is not None)
    seen = reading.thread_for_staff(user=olga, user_private_key=private_key_of(olga), thread=answered)
    by_kind = {m.kind: m.text for m in seen.messages}
    assert by_kind[MessageKind.REPLY] == demo.DEMO_REPLY
    assert by_kind[MessageKind.NOTE] == demo.DEMO_NOTE


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition, what: str, process: subprocess.Popen[str], seconds: float = 90) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, "the demo exited"
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        time.sleep(0.2)


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # Exited but not yet reaped by its new parent: a zombie runs nothing.
    return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] == "Z"


def test_the_demo_serves_its_printed_address_runs_the_worker_and_writes_alerts(
    tmp_path: Path,
) -> None:
    """One demo started as a person starts it: every check of the running demo shares its one build."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CORRIDOR_", "DJANGO_", "DATABASE_URL"))}
    env.update({"CORRIDOR_ARGON2_OPSLIMIT": "1", "CORRIDOR_ARGON2_MEMLIMIT": "8192", "PYTHONUNBUFFERED": "1"})
    data_dir = tmp_path / "demo"
    port = free_port()
    corridor = Path(sys.executable).parent / "corridor"
    process = subprocess.Popen(
        [str(corridor), "demo", "--port", str(port), "--data-dir", str(data_dir)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        printed = []
        for line in process.stdout:
            printed.append(line)
            if line.startswith("Alert e-mails:"):
                break
        text = "".join(printed)
        address = next(line.split()[1] for line in printed if line.startswith("Open:"))
        assert address == f"http://127.0.0.1:{port}/staff/login/"
        for name in ("olga", "alice", "carol", "erin", "dave", "judy"):
            assert f"  {name} " in text
        assert "totp alice" in text
        match = re.search(r"Worker: +running beside the server \(process (\d+)\)", text)
        assert match, text
        worker = int(match.group(1))
        assert f"written as files to {data_dir / 'mail'}" in text

        def answers() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ru/", timeout=5) as response:
                    return bool(response.status == 200)
            except (urllib.error.URLError, ConnectionError):
                return False

        wait_for(answers, "the server answering", process)
        with urllib.request.urlopen(address, timeout=5) as response:  # noqa: S310 - loopback only
            assert response.status == 200
            assert 'name="password"' in response.read().decode()
        mail = data_dir / "mail"
        wait_for(lambda: mail.is_dir() and any(mail.iterdir()), "an alert file", process)
        alert = next(mail.iterdir()).read_text()
        assert "Subject: Scheduled check" in alert
        assert "corridor-demo.invalid" in alert
        assert not gone(worker)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    deadline = time.monotonic() + 30
    while not gone(worker):
        assert time.monotonic() < deadline, "the worker outlived the demo"
        time.sleep(0.2)
