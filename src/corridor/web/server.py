"""Runs Corridor under gunicorn, a production WSGI server, from inside the `corridor` command.

Before gunicorn forks its workers, the master starts the Argon2id pool service
(corridor.limits.service) and builds the sign-in decoy, so every worker inherits both;
the master's loop restarts the pool service if it ever dies, and stops it on exit.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from corridor.limits import pool

logger = logging.getLogger("corridor.server")


class PoolProcess:
    """The pool service as a child of gunicorn's master, in the server's process group."""

    def __init__(self) -> None:
        # A fresh private directory (0700) for the socket; short, so the path fits a Unix socket.
        self.directory = Path(tempfile.mkdtemp(prefix="corridor-argon2-"))
        self.socket = self.directory / "pool.sock"
        self.process: subprocess.Popen[bytes] | None = None
        self.owner = os.getpid()

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "corridor.limits.service",
            "--socket",
            str(self.socket),
            "--capacity",
            str(pool.capacity()),
            "--max-wait",
            str(pool.max_wait()),
            "--parent",
            str(os.getpid()),
        ]
        self.process = subprocess.Popen(  # noqa: S603 - our own module
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE
        )
        assert self.process.stdout is not None
        # Listening before anyone sends it a job.
        ready = self.process.stdout.readline()
        self.process.stdout.close()
        if ready.strip() != b"ready":
            raise RuntimeError("the Argon2id pool service did not start")

    def keep_running(self) -> None:
        """Restart the service if it died (gunicorn's reaping may have taken its exit status)."""
        if self.process is not None and self.process.poll() is not None:
            logger.error("the Argon2id pool service stopped; starting it again")
            self.start()

    def stop(self) -> None:
        # Workers are forked from the master and unwind through the same code when they
        # exit: only the master stops the service.
        if os.getpid() != self.owner:
            return
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired, ChildProcessError):
                self.process.wait(timeout=10)
        with contextlib.suppress(OSError):
            self.socket.unlink()
        with contextlib.suppress(OSError):
            self.directory.rmdir()


class _Arbiter(Arbiter):
    """gunicorn's master, also looking after the pool service on every turn of its loop (about 1 s)."""

    pool_process: PoolProcess

    def manage_workers(self) -> None:
        self.pool_process.keep_running()
        super().manage_workers()


class CorridorServer(BaseApplication):
    """gunicorn with its configuration given in code; no access log (it would record addresses)."""

    def __init__(self, options: dict[str, Any], pool_process: PoolProcess) -> None:
        self.options = options
        self.pool_process = pool_process
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from corridor.wsgi import application

        return application

    def run(self) -> None:
        arbiter = _Arbiter(self)
        arbiter.pool_process = self.pool_process
        arbiter.run()


def prepare_workers(pool_process: PoolProcess) -> None:
    """What every worker inherits from the master: the pool's address and a ready sign-in decoy."""
    from corridor.accounts.services import prepare_decoy

    prepare_decoy()
    pool_process.start()
    pool.use_service(pool_process.socket)


def gunicorn_options(*, bind: str, workers: int, threads: int | None = None) -> dict[str, Any]:
    """gunicorn's configuration: no access log (it would record addresses), keep-alive from settings."""
    return {
        "bind": bind,
        "workers": workers,
        "threads": threads or settings.CORRIDOR_WEB_THREADS,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "timeout": 60,
        "graceful_timeout": 10,
        # Idle connections stay open longer than the proxy keeps them, so the proxy
        # closes first and never reuses a connection gunicorn is dropping.
        "keepalive": settings.CORRIDOR_KEEPALIVE_SECONDS,
        "limit_request_line": 8190,
        "proc_name": "corridor",
    }


def serve(*, bind: str, workers: int, threads: int | None = None) -> None:
    pool_process = PoolProcess()
    try:
        prepare_workers(pool_process)
        CorridorServer(gunicorn_options(bind=bind, workers=workers, threads=threads), pool_process).run()
    finally:
        pool.use_service(None)
        pool_process.stop()
