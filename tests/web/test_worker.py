"""`corridor worker`: the periodic scheduler's due logic, `--once`, and a clean stop on signals."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from corridor.audit.models import AuditChainHead, AuditEvent
from corridor.audit.services import record_event
from corridor.hotline.alerts import send_staff_alert_digest
from corridor.web.management.commands.worker import (
    PeriodicJob,
    due_jobs,
    enqueue_due_jobs,
    next_last_run,
)
from corridor.web.models import PeriodicRun

REPO = Path(__file__).resolve().parents[2]
DIGEST = "corridor.hotline.alerts.send_staff_alert_digest"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@task
def add(a: int, b: int) -> int:
    """A task of the test's own, to see the queue run something other than the digest."""
    return a + b


HOURLY = PeriodicJob(name="alerts.digest", task=send_staff_alert_digest, interval=timedelta(hours=1))
DAILY = PeriodicJob(name="other.daily", task=add, interval=timedelta(days=1))


def test_a_job_never_run_is_due() -> None:
    assert due_jobs([HOURLY, DAILY], {}, T0) == [HOURLY, DAILY]


def test_a_job_is_not_due_before_its_interval_and_due_from_then_on() -> None:
    last = {"alerts.digest": T0, "other.daily": T0}
    assert due_jobs([HOURLY, DAILY], last, T0) == []
    assert due_jobs([HOURLY, DAILY], last, T0 + timedelta(minutes=59, seconds=59)) == []
    assert due_jobs([HOURLY, DAILY], last, T0 + timedelta(hours=1)) == [HOURLY]
    assert due_jobs([HOURLY, DAILY], last, T0 + timedelta(days=2)) == [HOURLY, DAILY]


def test_a_last_run_in_the_future_does_not_stall_the_job() -> None:
    assert due_jobs([HOURLY], {"alerts.digest": T0 + timedelta(days=30)}, T0) == [HOURLY]


def test_runs_are_recorded_on_the_grid_so_late_ticks_do_not_drift() -> None:
    hour = timedelta(hours=1)
    assert next_last_run(None, hour, T0) == T0
    assert next_last_run(T0, hour, T0 + timedelta(minutes=60, seconds=29)) == T0 + hour
    # After an outage: one catch-up run, and the grid is kept.
    assert next_last_run(T0, hour, T0 + timedelta(hours=5, minutes=10)) == T0 + 5 * hour
    assert next_last_run(T0 + 30 * hour, hour, T0) == T0


# The periodic jobs always scheduled, in their order (the audit anchor only when configured).
EVERY_JOB = [
    "alerts.digest",
    "hotline.orphans",
    "hotline.photo_copies",
    "money.orphans",
    "cases.lost_contact",
    "cases.task_reminders",
]


def queued_digests() -> int:
    return DBTaskResult.objects.filter(task_path=DIGEST).count()


def test_the_scheduler_enqueues_the_digest_once_per_interval(db: None, settings: Any) -> None:
    settings.CORRIDOR_ALERT_INTERVAL_MINUTES = 60
    settings.CORRIDOR_TASK_REMINDER_MINUTES = 60
    with time_machine.travel(T0, tick=False) as clock:
        assert enqueue_due_jobs() == EVERY_JOB
        assert queued_digests() == 1
        assert PeriodicRun.objects.get(name="alerts.digest").last_run_at == T0

        clock.shift(timedelta(minutes=59))
        assert enqueue_due_jobs() == []
        assert queued_digests() == 1

        clock.shift(timedelta(minutes=1, seconds=20))  # the tick that notices comes a little late
        assert enqueue_due_jobs() == EVERY_JOB
        assert queued_digests() == 2
        assert PeriodicRun.objects.get(name="alerts.digest").last_run_at == T0 + timedelta(hours=1)

        clock.shift(timedelta(minutes=59, seconds=40))  # T0 + 2 h, on the grid
        assert enqueue_due_jobs() == EVERY_JOB
        assert queued_digests() == 3


def test_the_interval_comes_from_settings(db: None, settings: Any) -> None:
    settings.CORRIDOR_ALERT_INTERVAL_MINUTES = 15
    settings.CORRIDOR_TASK_REMINDER_MINUTES = 60
    with time_machine.travel(T0, tick=False) as clock:
        enqueue_due_jobs()
        clock.shift(timedelta(minutes=15))
        assert enqueue_due_jobs() == ["alerts.digest"]


def stop_signal_handlers() -> list[Any]:
    return [signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)]


@pytest.mark.django_db(transaction=True)  # the queue's worker commits as it goes
def test_once_runs_the_queue_and_the_due_digest_then_exits(settings: Any) -> None:
    settings.CORRIDOR_ALERT_RECIPIENTS = ["duty@example.org"]
    handlers = stop_signal_handlers()
    result = add.enqueue(2, 3)

    call_command("worker", "--once", stdout=StringIO())

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5
    assert [m.subject for m in mail.outbox] == ["Scheduled check"]
    assert DBTaskResult.objects.get(task_path=DIGEST).status == TaskResultStatus.SUCCESSFUL
    assert AuditEvent.objects.filter(action="alerts.digest_sent").count() == 1
    assert not DBTaskResult.objects.ready().exists()
    # db_worker's own signal handlers are gone once the command returns.
    assert stop_signal_handlers() == handlers

    # Run again at once: nothing is due, nothing is sent.
    call_command("worker", "--once", stdout=StringIO())
    assert len(mail.outbox) == 1


def test_the_anchor_job_is_scheduled_only_with_somewhere_to_ship_to(
    db: None, settings: Any, tmp_path: Path
) -> None:
    settings.CORRIDOR_AUDIT_ANCHOR_INTERVAL_MINUTES = 5
    with time_machine.travel(T0, tick=False) as clock:
        assert enqueue_due_jobs() == EVERY_JOB
        settings.CORRIDOR_AUDIT_ANCHOR_FILE = str(tmp_path / "audit-heads")
        assert enqueue_due_jobs() == ["audit.anchor"]
        clock.shift(timedelta(minutes=5))
        assert enqueue_due_jobs() == ["audit.anchor"]
    assert DBTaskResult.objects.filter(task_path="corridor.audit.tasks.ship_audit_head").count() == 2


@pytest.mark.django_db(transaction=True)  # the queue's worker commits as it goes
def test_once_ships_each_new_head_once_across_restarts(settings: Any, tmp_path: Path) -> None:
    anchor_file = tmp_path / "audit-heads"
    settings.CORRIDOR_AUDIT_ANCHOR_FILE = str(anchor_file)
    settings.CORRIDOR_AUDIT_ANCHOR_RECIPIENTS = ["anchor@example.org"]
    record_event(action="test.event")
    head = AuditChainHead.objects.get()

    call_command("worker", "--once", stdout=StringIO())
    assert [line.split()[:2] for line in anchor_file.read_text().splitlines()] == [
        [str(head.last_seq), head.last_hash]
    ]
    assert [m.body for m in mail.outbox] == [f"{head.last_seq} {head.last_hash}\n"]

    # A later run of a restarted worker, with the head unchanged: nothing shipped again.
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=1)):
        call_command("worker", "--once", stdout=StringIO())
    assert len(anchor_file.read_text().splitlines()) == 1
    assert len(mail.outbox) == 1

    record_event(action="test.event")
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=2)):
        call_command("worker", "--once", stdout=StringIO())
    assert len(anchor_file.read_text().splitlines()) == 2
    assert len(mail.outbox) == 2
    call_command("audit", "verify", "--anchor", str(anchor_file), stdout=StringIO())


def test_the_autoreloader_is_refused(db: None) -> None:
    with pytest.raises(CommandError, match="--reload"):
        call_command("worker", "--once", "--reload", stdout=StringIO())


@pytest.fixture(scope="module")
def migrated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with a migrated SQLite database, made once for the subprocess tests."""
    data_dir = tmp_path_factory.mktemp("worker-data")
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--verbosity", "0"],
        cwd=REPO,
        env=subprocess_env(data_dir),
        check=True,
        timeout=120,
    )
    return data_dir


def subprocess_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CORRIDOR_", "DJANGO_", "DATABASE_URL"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "CORRIDOR_DATA_DIR": str(data_dir),
            "CORRIDOR_ALERT_RECIPIENTS": "duty@example.org",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def read_until(process: subprocess.Popen[str], found: Callable[[str], bool]) -> str:
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if found(line):
            return "".join(seen)
    raise AssertionError("the worker exited early:\n" + "".join(seen))


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_the_worker_sends_the_digest_and_stops_cleanly_on_a_signal(
    stop: signal.Signals, migrated_data_dir: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(migrated_data_dir, data_dir)
    process = subprocess.Popen(
        [sys.executable, "-m", "django", "worker", "--interval", "0.2"],
        cwd=REPO,
        env=subprocess_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    watchdog = threading.Timer(60, process.kill)
    watchdog.start()
    try:
        # Development mail goes to the console: the scheduler enqueued the digest and the queue ran it.
        read_until(process, lambda line: line.startswith("Subject: Scheduled check"))
        process.send_signal(stop)
        assert process.wait(timeout=30) == 0
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
