"""Fault test: `corridor worker` killed with SIGKILL in the middle of an escalation sweep, then started
again. Every step of every missed check-in happened exactly once, with its tasks, its audit event and
its alert, and the audit chain still verifies."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.web.test_worker import REPO, subprocess_env

SCHEDULES = 400
STEPS = 3 * SCHEDULES


def run(data_dir: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=REPO,
        env=subprocess_env(data_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return int(conn.execute(sql).fetchone()[0])


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="reads the SQLite file")
def test_a_worker_killed_mid_sweep_and_restarted_takes_each_step_exactly_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    for args in (
        ("django", "migrate", "--verbosity", "0"),
        ("tests.evacuation.checkins.switch_seed", str(SCHEDULES)),
    ):
        done = run(data_dir, *args)
        assert done.returncode == 0, done.stderr
    [db] = list(data_dir.rglob("*.sqlite3"))
    steps_sql = "SELECT COUNT(*) FROM checkins_escalation"

    worker = subprocess.Popen(
        [sys.executable, "-m", "django", "worker", "--interval", "0.1"],
        cwd=REPO,
        env=subprocess_env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while count(db, steps_sql) < STEPS // 10:
            assert worker.poll() is None, "the worker exited early"
            assert time.monotonic() < deadline, "the sweep never started"
            time.sleep(0.01)
        worker.send_signal(signal.SIGKILL)  # no handler, no cleanup: as a power cut
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    taken = count(db, steps_sql)
    assert 0 < taken < STEPS, f"the kill came outside the sweep ({taken} of {STEPS} steps)"

    # The killed run's job stays "running" in the queue; the sweep comes again at its next
    # period. Let that period pass (the schedule's clock only, not the check-ins').
    with sqlite3.connect(db, timeout=30) as conn:
        conn.execute(
            "UPDATE web_periodicrun SET last_run_at = datetime(last_run_at, '-1 hour') "
            "WHERE name = 'checkins.sweep'"
        )
    restarted = run(data_dir, "django", "worker", "--once")
    assert restarted.returncode == 0, restarted.stderr

    assert count(db, steps_sql) == STEPS
    for step in ("caseworker", "coordinators", "lost_contact"):
        assert count(db, f"SELECT COUNT(*) FROM checkins_escalation WHERE step = '{step}'") == SCHEDULES  # noqa: S608
    assert count(db, "SELECT COUNT(*) FROM checkins_escalation WHERE alerted_at IS NULL") == 0
    # Each step's effects exactly once: one audit event, and its tasks (nobody holds these
    # cases: one unassigned task for the caseworker step, one lost-contact proposal).
    assert count(db, "SELECT COUNT(*) FROM audit_auditevent WHERE action = 'checkins.escalated'") == STEPS
    assert count(db, "SELECT COUNT(*) FROM cases_task WHERE kind = 'missed_check_in'") == SCHEDULES
    assert count(db, "SELECT COUNT(*) FROM cases_task WHERE kind = 'propose_lost_contact'") == SCHEDULES
    # Every step alerted once: the steps counted by the alert events add up to all of them.
    alerted = count(
        db,
        "SELECT COALESCE(SUM(json_extract(data, '$.steps')), 0) FROM audit_auditevent "
        "WHERE action = 'checkins.alert_queued'",
    )
    assert alerted == STEPS
    alerts = count(db, "SELECT COUNT(*) FROM audit_auditevent WHERE action = 'checkins.alert_queued'")
    queued = count(
        db,
        "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "
        "WHERE task_path = 'corridor.hotline.alerts.send_staff_alert_digest'",
    )
    assert queued >= alerts  # each alert event queued its digest in the same transaction
    schedules = (
        "SELECT COUNT(*) FROM checkins_checkinschedule WHERE escalated_steps = 3 AND next_step_at IS NULL"
    )
    assert count(db, schedules) == SCHEDULES

    verified = run(data_dir, "django", "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
