"""`corridor worker`: the durable task queue and the periodic scheduler, in one process.

The queue is django-tasks-db's worker, so this command takes every `db_worker` option
(`--queue-name`, `--interval`, `--max-tasks`, `--worker-id`, …). Next to it a thread
enqueues each periodic job when it is due. The time of each job's last run is kept in
`PeriodicRun`, so a restart neither repeats nor skips a run; the audit anchor job ships
the chain's head only when it changed, so an extra run of it is harmless. `--once`
enqueues what is due, runs the queue until it is empty and exits (for tests and cron).
SIGTERM and SIGINT stop the worker after the task in hand; a second signal stops it at once.
"""

from __future__ import annotations

import logging
import signal
import threading
from argparse import ArgumentParser
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import close_old_connections, connection, transaction
from django.tasks import Task
from django_tasks_db.management.commands import db_worker

from corridor.audit.tasks import ship_audit_head
from corridor.cases.jobs import propose_lost_contact, send_task_reminders
from corridor.evacuation.checkins.jobs import sweep_check_ins, sweep_needed
from corridor.evacuation.money.orphans import remove_orphan_receipt_files
from corridor.hotline.alerts import send_staff_alert_digest
from corridor.hotline.orphans import remove_orphan_files
from corridor.hotline.photos import mark_abandoned_copies
from corridor.web.models import PeriodicRun

logger = logging.getLogger("corridor.worker")

# How often the scheduler looks for due jobs; the jobs' own intervals are minutes or more.
TICK_SECONDS = 30.0
_STOP_SIGNALS = [signal.SIGINT, signal.SIGTERM, *([signal.SIGQUIT] if hasattr(signal, "SIGQUIT") else [])]


@dataclass(frozen=True)
class PeriodicJob:
    """A task (taking no arguments) to enqueue once every `interval`."""

    name: str
    task: Task
    interval: timedelta


def periodic_jobs() -> list[PeriodicJob]:
    """Every periodic job, with its interval as currently configured."""
    jobs = [
        PeriodicJob(
            name="alerts.digest",
            task=send_staff_alert_digest,
            interval=timedelta(minutes=settings.CORRIDOR_ALERT_INTERVAL_MINUTES),
        ),
        # Ciphertext left by requests killed between storing a photo and writing its row.
        PeriodicJob(name="hotline.orphans", task=remove_orphan_files, interval=timedelta(hours=1)),
        # Photo copies whose web process died before making them: marked (and audited); staff
        # pages already show them as not made once ABANDONED_AFTER has passed.
        PeriodicJob(name="hotline.photo_copies", task=mark_abandoned_copies, interval=timedelta(hours=1)),
        # The same for expense receipts stored by a request killed before the expense's row.
        PeriodicJob(name="money.orphans", task=remove_orphan_receipt_files, interval=timedelta(hours=1)),
        # Silent cases get one task to decide on the lost-contact flag; overdue tasks, the fixed alert.
        PeriodicJob(name="cases.lost_contact", task=propose_lost_contact, interval=timedelta(hours=1)),
        PeriodicJob(
            name="cases.task_reminders",
            task=send_task_reminders,
            interval=timedelta(minutes=settings.CORRIDOR_TASK_REMINDER_MINUTES),
        ),
    ]
    # Missed check-ins escalate (the dead man's switch); only while a schedule runs, for the
    # same reason as the anchor below.
    if sweep_needed():
        jobs.append(
            PeriodicJob(
                name="checkins.sweep",
                task=sweep_check_ins,
                interval=timedelta(minutes=settings.CORRIDOR_CHECKIN_SWEEP_MINUTES),
            )
        )
    # Only with somewhere to ship to: a job that does nothing would still fill the queue's table.
    if settings.CORRIDOR_AUDIT_ANCHOR_FILE or settings.CORRIDOR_AUDIT_ANCHOR_RECIPIENTS:
        jobs.append(
            PeriodicJob(
                name="audit.anchor",
                task=ship_audit_head,
                interval=timedelta(minutes=settings.CORRIDOR_AUDIT_ANCHOR_INTERVAL_MINUTES),
            )
        )
    return jobs


def due_jobs(
    jobs: Sequence[PeriodicJob], last_runs: Mapping[str, datetime], now: datetime
) -> list[PeriodicJob]:
    """The jobs due at `now`: never run, or last run at least one interval ago."""
    due = []
    for job in jobs:
        last = last_runs.get(job.name)
        # A last run in the future means the clock was set back: run rather than stall.
        if last is None or last > now or now - last >= job.interval:
            due.append(job)
    return due


def next_last_run(last: datetime | None, interval: timedelta, now: datetime) -> datetime:
    """The run time to record for a job run at `now`: on its grid, so ticks do not make it drift."""
    if last is None or last > now:
        return now
    return last + interval * ((now - last) // interval)


@transaction.atomic
def enqueue_due_jobs(*, now: datetime | None = None) -> list[str]:
    """Enqueue the due jobs and record the time, atomically; returns their names.

    The rows are locked and the queue lives in the same database, so two workers
    never enqueue the same run twice (a race on a job's first row fails the whole tick).
    """
    now = now or datetime.now(UTC)
    jobs = periodic_jobs()
    runs = {
        run.name: run
        for run in PeriodicRun.objects.select_for_update().filter(name__in=[job.name for job in jobs])
    }
    due = due_jobs(jobs, {name: run.last_run_at for name, run in runs.items()}, now)
    for job in due:
        job.task.enqueue()
        if job.name in runs:
            run = runs[job.name]
            run.last_run_at = next_last_run(run.last_run_at, job.interval, now)
            run.save(update_fields=["last_run_at"])
        else:
            PeriodicRun.objects.create(name=job.name, last_run_at=now)
    return [job.name for job in due]


class Scheduler(threading.Thread):
    """Enqueues the due periodic jobs every `tick` seconds until stopped."""

    def __init__(self, tick: float = TICK_SECONDS) -> None:
        super().__init__(name="corridor-scheduler", daemon=True)
        self.tick = tick
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                self.run_once()
                self.stopping.wait(self.tick)
        finally:
            connection.close()  # this thread's own connection

    def run_once(self) -> None:
        close_old_connections()
        try:
            names = enqueue_due_jobs()
        except Exception:
            # A locked or unreachable database must not end the worker: the next tick retries.
            logger.exception("could not enqueue the periodic jobs; retrying in %s s", self.tick)
        else:
            for name in names:
                logger.info("enqueued periodic job %s", name)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=60)


class Command(db_worker.Command):
    help = "Run the background task queue and enqueue the periodic jobs when they are due."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--once",
            action="store_true",
            help="Enqueue the periodic jobs that are due, run the queue until it is empty, then exit "
            "(--batch does the same).",
        )
        # The autoreloader would restart the process under the scheduler thread.
        parser.set_defaults(reload=False)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reload"]:
            raise CommandError("corridor worker does not support --reload")
        once = options.pop("once") or options["batch"]
        # db_worker installs its own handlers; put the caller's back afterwards.
        saved = {sig: signal.getsignal(sig) for sig in _STOP_SIGNALS}
        scheduler = None
        try:
            if once:
                enqueue_due_jobs()
                options.update(batch=True, startup_delay=False)
            else:
                scheduler = Scheduler()
                scheduler.start()
            super().handle(*args, **options)
        finally:
            if scheduler is not None:
                scheduler.stop()
            for sig, handler in saved.items():
                if handler is not None:
                    signal.signal(sig, handler)
