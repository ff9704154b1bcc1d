"""Every Argon2id call of the web application goes through here: a bounded, fair pool.

Each new request, codename look-up and password check holds one Argon2id call's memory
(256 MiB in production). The pool hands out at most CORRIDOR_ARGON2_MEMORY_CAP_BYTES at
once, first come first served, and a call that cannot start within
CORRIDOR_ARGON2_MAX_WAIT_SECONDS raises Busy, which the web layer answers with a calm
"busy, try again" page (503) instead of a lockout or an out-of-memory kill.

Under `corridor serve` the calls run in the pool service (corridor.limits.service),
one process for all gunicorn workers; elsewhere (management commands, tests, the
development server) the same budget runs in-process and the calling thread derives.

All but one of a process's web threads may be in the pool at once (waiting or
deriving); a call beyond that is busy at once. A waiting thread uses no processor, but
it holds its place: without this bound a flood would occupy every thread, and staff
pages, which need no Argon2id at all, would queue behind it. (Half the threads was
tried first: requests spread unevenly over the workers, so one worker ran out of
places while the pool had room, and people were told "busy" for nothing.)
"""

from __future__ import annotations

import logging
import socket
import threading
from pathlib import Path
from typing import Any

from django.conf import settings

from corridor.crypto import codename
from corridor.crypto.errors import UnknownFormat, WrongPassword
from corridor.crypto.kdf import Argon2Cost
from corridor.crypto.keys import KeyPair
from corridor.limits import jobs
from corridor.limits.budget import MemoryBudget
from corridor.limits.service import recv_message, send_message

logger = logging.getLogger("corridor.limits")

# A granted call at production cost takes about a second even on a loaded machine; a
# service that has not answered long after that is stuck, and the caller answers busy.
_COMPUTE_ALLOWANCE_SECONDS = 60.0


class Busy(Exception):
    """No Argon2id memory came free within the wait: nothing was derived, try again later."""


_service_socket: Path | None = None
_local: MemoryBudget | None = None
_local_lock = threading.Lock()
_places: tuple[int, threading.BoundedSemaphore] | None = None


def use_service(path: Path | None) -> None:
    """Send every call to the pool service at `path` (set in gunicorn's master, inherited by its workers)."""
    global _service_socket
    _service_socket = path


def capacity() -> int:
    return int(settings.CORRIDOR_ARGON2_MEMORY_CAP_BYTES)


def max_wait() -> float:
    return float(settings.CORRIDOR_ARGON2_MAX_WAIT_SECONDS)


def _local_budget() -> MemoryBudget:
    global _local
    with _local_lock:
        if _local is None or _local.capacity != capacity():
            _local = MemoryBudget(capacity())
        return _local


def _run_locally(op: str, args: dict[str, Any]) -> dict[str, Any]:
    budget = _local_budget()
    amount = jobs.memory_needed(op, args)
    if not budget.acquire(amount, max_wait()):
        raise Busy
    try:
        return jobs.execute(op, args)
    finally:
        budget.release(amount)


def _run_in_service(path: Path, op: str, args: dict[str, Any]) -> dict[str, Any]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(max_wait() + _COMPUTE_ALLOWANCE_SECONDS)
        try:
            sock.connect(str(path))
            send_message(sock, {"op": op, "args": args})
            reply = recv_message(sock)
        except (OSError, ValueError) as exc:
            # Only the kind of failure: never the job, which holds a codename or a password.
            logger.error("the Argon2id pool service did not answer (%s)", type(exc).__name__)
            raise Busy from None
    if "result" in reply and isinstance(reply["result"], dict):
        return reply["result"]
    if "failed" in reply:
        raise jobs.JobFailed(str(reply["failed"]))
    if not reply.get("busy"):
        logger.error("the Argon2id pool service refused a job as malformed")
    raise Busy


def _thread_places() -> threading.BoundedSemaphore:
    """This process's places in the pool: all its web threads but one (at least one)."""
    global _places
    count = max(1, int(settings.CORRIDOR_WEB_THREADS) - 1)
    with _local_lock:
        if _places is None or _places[0] != count:
            _places = (count, threading.BoundedSemaphore(count))
        return _places[1]


def _run(op: str, args: dict[str, Any]) -> dict[str, Any]:
    places = _thread_places()
    if not places.acquire(blocking=False):
        raise Busy
    try:
        if _service_socket is not None:
            return _run_in_service(_service_socket, op, args)
        return _run_locally(op, args)
    except jobs.JobFailed as failed:
        if failed.code == "wrong_password":
            raise WrongPassword("password does not unwrap this key") from None
        if failed.code == "invalid_codename":
            raise codename.InvalidCodename("not a codename") from None
        raise UnknownFormat("the wrap cannot be read") from None
    finally:
        places.release()


def derive_codename(text: str, *, salt: bytes, cost: Argon2Cost) -> codename.CodenameKeys:
    """codename.derive, in the pool; raises Busy."""
    result = _run(
        jobs.DERIVE_CODENAME,
        {"text": text, "salt": jobs.b64(salt), "opslimit": cost.opslimit, "memlimit": cost.memlimit},
    )
    keypair = KeyPair(public=jobs.unb64(result["public"]), private=jobs.unb64(result["private"]))
    return codename.CodenameKeys(lookup_id=str(result["lookup_id"]), keypair=keypair)


def wrap_password(secret: bytes, password: str, cost: Argon2Cost, *, context: bytes) -> bytes:
    """kdf.wrap_with_password, in the pool; raises Busy."""
    args = {
        "secret": jobs.b64(secret),
        "password": password,
        "opslimit": cost.opslimit,
        "memlimit": cost.memlimit,
        "context": jobs.b64(context),
    }
    return jobs.unb64(_run(jobs.WRAP, args)["blob"])


def unwrap_password(blob: bytes, password: str, *, context: bytes) -> bytes:
    """kdf.unwrap_with_password, in the pool; raises WrongPassword, UnknownFormat or Busy."""
    args = {"blob": jobs.b64(blob), "password": password, "context": jobs.b64(context)}
    return jobs.unb64(_run(jobs.UNWRAP, args)["secret"])
