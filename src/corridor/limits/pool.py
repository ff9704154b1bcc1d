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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from corridor.crypto import codename
from corridor.crypto.errors import UnknownFormat, WrongPassword
from corridor.crypto.kdf import Argon2Cost
from corridor.crypto.keys import KeyPair
from corridor.limits import jobs
from corridor.limits.budget import LaneTokens, MemoryBudget
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
_places: tuple[int, threading.BoundedSemaphore, threading.BoundedSemaphore] | None = None
_tokens: LaneTokens | None = None
# How long a codename that had the fast lane takes the slow one when sent again.
LANE_TOKEN_PERIOD_SECONDS = 60.0


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


def _local_tokens() -> LaneTokens:
    global _tokens
    with _local_lock:
        if _tokens is None:
            _tokens = LaneTokens(LANE_TOKEN_PERIOD_SECONDS)
        return _tokens


def _run_locally(op: str, args: dict[str, Any], *, slow: bool) -> dict[str, Any]:
    budget = _local_budget()
    amount = jobs.memory_needed(op, args)
    if not budget.acquire(amount, max_wait(), slow=slow):
        raise Busy
    try:
        return jobs.execute(op, args)
    finally:
        budget.release(amount, slow=slow)


def _run_in_service(path: Path, op: str, args: dict[str, Any], *, slow: bool) -> dict[str, Any]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(max_wait() + _COMPUTE_ALLOWANCE_SECONDS)
        try:
            sock.connect(str(path))
            send_message(sock, {"op": op, "args": args, "slow": slow})
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


def _thread_places() -> tuple[threading.BoundedSemaphore, threading.BoundedSemaphore]:
    """This process's places in the pool: all its web threads but one (at least one), and of
    those, the places a call in the slow lane may hold: all but one again (at least one)."""
    global _places
    count = max(1, int(settings.CORRIDOR_WEB_THREADS) - 1)
    with _local_lock:
        if _places is None or _places[0] != count:
            _places = (
                count,
                threading.BoundedSemaphore(count),
                threading.BoundedSemaphore(max(1, count - 1)),
            )
        return _places[1], _places[2]


@dataclass(frozen=True)
class Lane:
    """Which lane a call asks for; a fast call with a token has it once per period (LaneTokens)."""

    slow: bool
    token: str | None = None


FAST = Lane(slow=False)
SLOW = Lane(slow=True)


def _run(op: str, args: dict[str, Any], lane: Lane = FAST) -> dict[str, Any]:
    tokens = _local_tokens()
    slow = lane.slow or (lane.token is not None and tokens.recent(lane.token))
    places, slow_places = _thread_places()
    if not places.acquire(blocking=False):
        raise Busy
    # A guess may not take this process's last place: a real codename could not get in.
    if slow and not slow_places.acquire(blocking=False):
        places.release()
        raise Busy
    try:
        if _service_socket is not None:
            result = _run_in_service(_service_socket, op, args, slow=slow)
        else:
            result = _run_locally(op, args, slow=slow)
        if lane.token is not None and not slow:
            tokens.mark(lane.token)
        return result
    except jobs.JobFailed as failed:
        if failed.code == "wrong_password":
            raise WrongPassword("password does not unwrap this key") from None
        if failed.code == "invalid_codename":
            raise codename.InvalidCodename("not a codename") from None
        raise UnknownFormat("the wrap cannot be read") from None
    finally:
        if slow:
            slow_places.release()
        places.release()


def derive_codename(text: str, *, salt: bytes, cost: Argon2Cost, lane: Lane = FAST) -> codename.CodenameKeys:
    """codename.derive, in the pool, in the given lane; raises Busy."""
    result = _run(
        jobs.DERIVE_CODENAME,
        {"text": text, "salt": jobs.b64(salt), "opslimit": cost.opslimit, "memlimit": cost.memlimit},
        lane,
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
