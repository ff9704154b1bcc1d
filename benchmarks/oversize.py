"""How soon a 200 MB upload is refused: time from the first byte sent to the 413, over HTTP.

A client streams a request form with a 200 MB "photo" to a real `corridor serve` on
loopback and reads the answer as soon as one arrives, as browsers and curl do; the
figure is the time until the status line, and how much of the body had been sent by
then. Loopback only; the server and its data directory are removed at the end.

    .venv/bin/python -m benchmarks.oversize [--megabytes 200]
"""

from __future__ import annotations

import argparse
import json
import secrets
import select
import socket
import sys
import time
from typing import Any

from benchmarks._server import CHEAP_COST, HOST, Browser, installation, running_server
from benchmarks.hotline import TRIAGE_FIELDS

CHUNK = 256 * 1024
MIB = 1024 * 1024


def send_large_upload(port: int, megabytes: int) -> dict[str, Any]:
    browser = Browser(port)
    token = browser.get("/en/request/").csrf_token()
    boundary = "----corridoroversize" + secrets.token_hex(8)
    fields = [("csrfmiddlewaretoken", token), *TRIAGE_FIELDS, ("message", "Typed before the photo.")]
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields
    )
    head += f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="video.jpg"\r\n'
    head += "Content-Type: image/jpeg\r\n\r\n"
    tail = f"\r\n--{boundary}--\r\n".encode()
    photo = megabytes * MIB
    length = len(head.encode()) + photo + len(tail)
    cookies = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    request = (
        f"POST /en/request/ HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: multipart/form-data; "
        f"boundary={boundary}\r\nContent-Length: {length}\r\nCookie: {cookies}\r\nOrigin: null\r\n"
        "Sec-Fetch-Site: same-origin\r\nUser-Agent: corridor-benchmark\r\n\r\n"
    ).encode()
    chunk = b"\xff" * CHUNK
    sent = 0
    answer = b""
    with socket.create_connection((HOST, port), timeout=120) as sock:
        started = time.perf_counter()
        sock.sendall(request + head.encode())
        try:
            while sent < photo:
                readable, writable, _ = select.select([sock], [sock], [], 60)
                if readable:
                    break
                if writable:
                    sent += sock.send(chunk[: min(CHUNK, photo - sent)])
            else:
                sock.sendall(tail)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed its side after answering: read what it said
        while b"\r\n" not in answer:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
        seconds = time.perf_counter() - started
        try:
            while data := sock.recv(65536):
                answer += data
        except OSError:
            pass
    status = answer.split(b"\r\n", 1)[0].decode(errors="replace")
    return {
        "declared_mib": round(length / MIB, 1),
        "status_line": status,
        "seconds_to_answer": round(seconds, 3),
        "photo_mib_sent_before_the_answer": round(sent / MIB, 1),
        "text_kept": b"Typed before the photo." in answer,
    }


def run(megabytes: int = 200) -> dict[str, Any]:
    with installation(CHEAP_COST) as inst, running_server(inst, workers=3) as server:
        return {"upload": [send_large_upload(server.port, megabytes) for _ in range(3)]}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.oversize", description=__doc__)
    parser.add_argument("--megabytes", type=int, default=200)
    args = parser.parse_args()
    json.dump(run(args.megabytes), sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
