"""A throwaway Corridor installation served by `corridor serve` on loopback, and a tiny browser for it.

Everything here talks to 127.0.0.1 only. The server runs in its own process group, so
stopping it also stops its gunicorn workers.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

HOST = "127.0.0.1"
ADMIN = "benchadmin"
KEYHOLDER = "benchkeys"
# A fixed password for a throwaway installation that lives a few minutes on loopback.
PASSWORD = "bench-only-password-7f3a"  # noqa: S105
CHEAP_COST = {"CORRIDOR_ARGON2_OPSLIMIT": "1", "CORRIDOR_ARGON2_MEMLIMIT": "8192"}
PRODUCTION_COST = {"CORRIDOR_ARGON2_OPSLIMIT": "3", "CORRIDOR_ARGON2_MEMLIMIT": str(256 * 1024 * 1024)}
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_SERVER_START_SECONDS = 90
_SERVER_STOP_SECONDS = 15


def corridor_command() -> str:
    """The `corridor` script next to this Python (the project's virtualenv)."""
    script = Path(sys.executable).with_name("corridor")
    if not script.exists():
        raise RuntimeError(f"no corridor command next to {sys.executable}: run with .venv/bin/python")
    return str(script)


def server_env(data_dir: Path, cost: dict[str, str]) -> dict[str, str]:
    """A development-mode environment (DEBUG off) for one data directory and one Argon2id cost."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CORRIDOR_", "DJANGO_", "DATABASE_URL"))}
    env.update(cost)
    env.update(
        {
            "CORRIDOR_DATA_DIR": str(data_dir),
            "CORRIDOR_ENV": "development",
            "DJANGO_SETTINGS_MODULE": "corridor.settings",
            "CORRIDOR_LOG_LEVEL": "WARNING",
        }
    )
    return env


def run_corridor(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    """Run one `corridor` command to completion and return its output."""
    result = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [corridor_command(), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"corridor {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@dataclass
class Installation:
    """A data directory with organisation keys, an administrator and a key-holding operator."""

    data_dir: Path
    env: dict[str, str]


@contextmanager
def installation(cost: dict[str, str]) -> Iterator[Installation]:
    """A fresh installation in a temporary directory, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="corridor-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        env = server_env(data_dir, cost)
        init_env = {**env, "CORRIDOR_ADMIN_PASSWORD": PASSWORD, "CORRIDOR_KEYHOLDER_PASSWORD": PASSWORD}
        run_corridor(init_env, "init", "--admin", ADMIN, "--keyholder", KEYHOLDER, "--no-input")
        yield Installation(data_dir=data_dir, env=env)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn and its workers: the whole process group we created for it."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=_SERVER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=_SERVER_STOP_SECONDS)
    except ProcessLookupError:
        process.wait(timeout=_SERVER_STOP_SECONDS)


@contextmanager
def running_server(inst: Installation, *, workers: int = 2) -> Iterator[Server]:
    """`corridor serve` with gunicorn on a free loopback port; always stopped on the way out."""
    port = free_port()
    log = inst.data_dir.parent / f"serve-{port}.log"
    with log.open("wb") as log_handle:
        process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [corridor_command(), "serve", "--bind", f"{HOST}:{port}", "--workers", str(workers)],
            env=inst.env,
            stdout=log_handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(port=port, process=process, log=log)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        _stop(process)


def _wait_until_ready(server: Server) -> None:
    deadline = time.monotonic() + _SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"corridor serve exited early:\n{server.log_tail()}")
        try:
            if Browser(server.port).get("/en/request/").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"corridor serve did not answer in {_SERVER_START_SECONDS} s:\n{server.log_tail()}")


# --- the browser ----------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def csrf_token(self) -> str:
        match = _CSRF_INPUT.search(self.text)
        if match is None:
            raise RuntimeError(f"no CSRF token in the page (status {self.status})")
        return match.group(1)


@dataclass(frozen=True)
class Upload:
    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class Browser:
    """Keeps cookies and sends the CSRF headers of a browser under no-referrer; one connection each."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def _request(self, method: str, path: str, body: bytes | None = None, content_type: str = "") -> Response:
        headers = {"Host": f"{HOST}:{self.port}", "User-Agent": "corridor-benchmark"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers.update({"Origin": "null", "Sec-Fetch-Site": "same-origin", "Content-Type": content_type})
        conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
        try:
            start = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            seconds = time.perf_counter() - start
        finally:
            conn.close()
        self._keep_cookies(response.headers)
        return Response(response.status, response.headers, data, seconds)

    def _keep_cookies(self, headers: http.client.HTTPMessage) -> None:
        for header in headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, path: str) -> Response:
        return self._request("GET", path)

    def post(self, path: str, fields: list[tuple[str, str]]) -> Response:
        return self._request("POST", path, urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def post_multipart(self, path: str, fields: list[tuple[str, str]], files: list[Upload]) -> Response:
        body, content_type = multipart(fields, files)
        return self._request("POST", path, body, content_type)


def multipart(fields: list[tuple[str, str]], files: list[Upload]) -> tuple[bytes, str]:
    """A multipart/form-data body as a browser sends it."""
    boundary = "----corridorbench" + secrets.token_hex(12)
    parts: list[bytes] = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for upload in files:
        head = (
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{upload.field}"; filename="{upload.filename}"\r\n'
            f"Content-Type: {upload.content_type}\r\n\r\n"
        )
        parts.append(head.encode() + upload.data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
