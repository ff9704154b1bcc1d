"""The Argon2id pool service: one small process, apart from the web workers, that runs every derivation.

`corridor serve` starts it before gunicorn forks its workers and keeps it running
(corridor.web.server). Web threads send it a job over a Unix socket and wait; the
service grants memory first come, first served (corridor.limits.budget), answers
"busy" to a job that waited longer than the configured wait, and runs granted jobs on
its own threads (libsodium releases the GIL). At most `capacity // memlimit` calls
run at once (two at the production cost and default cap), so derivations take at most
that many cores and staff pages share the rest. The service runs at the web workers'
CPU priority on purpose: at a lower one, a flood of cheap requests could take the
processor from it and stop every sign-in and look-up.

Why a process of its own rather than a semaphore shared by the workers: one queue for
the whole server is what makes the order fair and the memory cap exact across
gunicorn's processes, a web worker's thread only waits on a socket (it never computes),
and it needs nothing from the database, so it behaves the same on SQLite and PostgreSQL.

No Django here: the process imports only the crypto core. The socket lives in a
directory only the service's user can open, and connections from another user are
refused as well.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import signal
import socket
import struct
import sys
import threading
from pathlib import Path
from typing import Any

from corridor.limits import jobs
from corridor.limits.budget import MemoryBudget

_LENGTH = struct.Struct(">I")
MAX_MESSAGE = 1024 * 1024
# Each waiting job is one thread here and one web thread there; more than this is a flood.
MAX_CLIENTS = 512
_READ_TIMEOUT = 10.0


def send_message(sock: socket.socket, message: dict[str, Any]) -> None:
    data = json.dumps(message, separators=(",", ":")).encode()
    sock.sendall(_LENGTH.pack(len(data)) + data)


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = sock.recv(min(size, 65536))
        if not chunk:
            raise ConnectionError("connection closed mid-message")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def recv_message(sock: socket.socket) -> dict[str, Any]:
    (size,) = _LENGTH.unpack(_recv_exactly(sock, _LENGTH.size))
    if size > MAX_MESSAGE:
        raise ValueError("message too large")
    message = json.loads(_recv_exactly(sock, size))
    if not isinstance(message, dict):
        raise ValueError("malformed message")
    return message


def _peer_gone(sock: socket.socket) -> bool:
    """Whether the client hung up while its job waited (then the derivation is not worth running)."""
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


class PoolService:
    """Accepts jobs, queues them on the memory budget and answers each on its own connection."""

    def __init__(self, *, capacity: int, max_wait: float) -> None:
        self.budget = MemoryBudget(capacity)
        self.max_wait = max_wait
        self._clients = threading.BoundedSemaphore(MAX_CLIENTS)

    def handle(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(_READ_TIMEOUT)
            request = recv_message(conn)
            op, args = str(request.get("op")), request.get("args")
            slow = request.get("slow", False)
            if not isinstance(args, dict) or not isinstance(slow, bool):
                raise ValueError("malformed job")
            amount = jobs.memory_needed(op, args)
            conn.settimeout(None)
            if not self.budget.acquire(amount, self.max_wait, slow=slow):
                send_message(conn, {"busy": True})
                return
            try:
                if _peer_gone(conn):
                    return
                reply = self._run(op, args)
            finally:
                self.budget.release(amount, slow=slow)
            send_message(conn, reply)
        except (OSError, ValueError, KeyError, ConnectionError):
            with contextlib.suppress(OSError):
                send_message(conn, {"error": "malformed"})
        finally:
            conn.close()
            self._clients.release()

    @staticmethod
    def _run(op: str, args: dict[str, Any]) -> dict[str, Any]:
        try:
            return {"result": jobs.execute(op, args)}
        except jobs.JobFailed as failed:
            return {"failed": failed.code}

    def accept(self, conn: socket.socket) -> None:
        """Hand a connection to its own thread, or answer busy at once when too many are waiting."""
        if not _same_user(conn):
            conn.close()
            return
        if not self._clients.acquire(blocking=False):
            with contextlib.suppress(OSError):
                send_message(conn, {"busy": True})
            conn.close()
            return
        threading.Thread(target=self.handle, args=(conn,), daemon=True).start()


def _same_user(conn: socket.socket) -> bool:
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid == os.getuid()


def listen(path: Path) -> socket.socket:
    """A Unix socket only this user can connect to, in a directory only this user can open."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        listener.bind(str(path))
    finally:
        os.umask(old)
    listener.listen(128)
    return listener


def serve_forever(listener: socket.socket, service: PoolService, *, parent: int | None) -> None:
    """Accept jobs until the parent (gunicorn's master) is gone or a stop signal arrives."""
    listener.settimeout(1.0)
    while parent is None or os.getppid() == parent:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            continue
        service.accept(conn)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m corridor.limits.service", description=__doc__)
    parser.add_argument("--socket", required=True, type=Path)
    parser.add_argument("--capacity", required=True, type=int, help="bytes of Argon2id memory at once")
    parser.add_argument("--max-wait", required=True, type=float, help="seconds a job may wait for memory")
    parser.add_argument("--parent", type=int, default=None, help="exit when this process is gone")
    args = parser.parse_args(argv)
    # SIGTERM from the master (or the process group) ends the service at once: a job
    # cut short is answered by nothing, and its web thread answers "busy".
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    listener = listen(args.socket)
    # The starter waits for this line: jobs sent before it would find no socket.
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    try:
        serve_forever(
            listener, PoolService(capacity=args.capacity, max_wait=args.max_wait), parent=args.parent
        )
    finally:
        listener.close()
        with contextlib.suppress(FileNotFoundError):
            args.socket.unlink()


if __name__ == "__main__":
    main()
