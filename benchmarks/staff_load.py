"""Staff pages while people submit: a load test against a real `corridor serve` at production cost.

Operators (threads sharing one signed-in session) browse the inbox and thread pages
with a think time between pages; meanwhile new requests and codename look-ups arrive
at fixed rates (open loop: each is sent on schedule whether or not the earlier ones
have been answered, so a slow server cannot slow the arrivals down and hide its own
queue). With several rates (`--rates 2,3,4`) each runs for `--seconds`, one after the
other, to find the highest submission rate the Argon2id pool sustains (every request
answered 200, none busy). Loopback only; it stops by itself and removes its server,
data directory and, on PostgreSQL, its throwaway database.

    .venv/bin/python -m benchmarks.staff_load [--db sqlite|postgres] [--seconds 120] [--rates 2]
        [--lookups 0.5] [--operators 50] [--think 2-8]

The load generator is a stdlib-threaded client rather than a load tool such as locust:
locust's users are closed loops (a user waits for its answer before the next task), so
fixed arrival rates need many users and still slow down with the server, and the tool
brings gevent and a web UI into the development dependencies for one benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks._server import (
    ADMIN,
    KEYHOLDER,
    PASSWORD,
    PRODUCTION_COST,
    Browser,
    Installation,
    run_corridor,
    running_server,
    server_env,
)
from benchmarks.flood import open_thread
from benchmarks.hotline import (
    _CODENAME,
    MESSAGE,
    NO_PHOTO,
    TRIAGE_FIELDS,
    _summary_ms,
    argon2_in_process,
    sign_in_operator,
)
from benchmarks.hotline import seed as hotline_seed

STAFF_P95_TARGET_MS = 300
_THREAD_LINK = re.compile(r'href="(/staff/hotline/[0-9a-f-]{36}/)"')
POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


@contextmanager
def database(kind: str) -> Iterator[str]:
    """Nothing for SQLite; a throwaway PostgreSQL database, dropped afterwards."""
    if kind == "sqlite":
        yield ""
        return
    import psycopg

    name = "corridor_bench_" + secrets.token_hex(4)
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")  # a name we generated, not input
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def installation_on(database_url: str) -> Iterator[Installation]:
    with tempfile.TemporaryDirectory(prefix="corridor-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        env = server_env(data_dir, PRODUCTION_COST)
        if database_url:
            env["DATABASE_URL"] = database_url
        init_env = {**env, "CORRIDOR_ADMIN_PASSWORD": PASSWORD, "CORRIDOR_KEYHOLDER_PASSWORD": PASSWORD}
        run_corridor(init_env, "init", "--admin", ADMIN, "--keyholder", KEYHOLDER, "--no-input")
        yield Installation(data_dir=data_dir, env=env)


class Recorder:
    """Latencies and statuses by kind of request, from many threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seconds: dict[str, list[float]] = {}
        self.statuses: dict[str, Counter[str]] = {}

    def add(self, kind: str, status: str, seconds: float) -> None:
        with self.lock:
            self.seconds.setdefault(kind, []).append(seconds)
            self.statuses.setdefault(kind, Counter())[status] += 1


def _submit(port: int, recorder: Recorder) -> None:
    browser = Browser(port)
    started = time.perf_counter()
    try:
        token = browser.get("/en/request/").csrf_token()
        fields = [("csrfmiddlewaretoken", token), *TRIAGE_FIELDS, ("message", MESSAGE)]
        response = browser.post_multipart("/en/request/", fields, [NO_PHOTO])
    except (OSError, RuntimeError) as exc:
        recorder.add("submission", type(exc).__name__, time.perf_counter() - started)
        return
    ok = response.status == 200 and _CODENAME.search(response.text) is not None
    recorder.add("submission", "ok" if ok else str(response.status), response.seconds)


def _look_up(port: int, codename: str, recorder: Recorder) -> None:
    browser = Browser(port)
    try:
        token = browser.get("/en/thread/").csrf_token()
        response = browser.post("/en/thread/", [("csrfmiddlewaretoken", token), ("codename", codename)])
    except (OSError, RuntimeError) as exc:
        recorder.add("look_up", type(exc).__name__, 0.0)
        return
    ok = response.status == 302 and "/thread/messages/" in (response.headers.get("Location") or "")
    recorder.add("look_up", "ok" if ok else str(response.status), response.seconds)


def _operator(
    port: int,
    cookies: dict[str, str],
    stop: threading.Event,
    think: tuple[float, float],
    seed: int,
    rec: Recorder,
) -> None:
    rng = random.Random(seed)
    browser = Browser(port, dict(cookies))
    stop.wait(rng.uniform(0, think[1]))  # operators do not all start on the same second
    while not stop.is_set():
        try:
            inbox = browser.get("/staff/hotline/")
            rec.add("staff_inbox", str(inbox.status), inbox.seconds)
            links = _THREAD_LINK.findall(inbox.text)
            if links and not stop.wait(rng.uniform(*think)):
                page = browser.get(rng.choice(links))
                rec.add("staff_thread", str(page.status), page.seconds)
        except OSError as exc:
            rec.add("staff_inbox", type(exc).__name__, 0.0)
        stop.wait(rng.uniform(*think))


def _open_loop(rate: float, seconds: float, job: Any, pool: ThreadPoolExecutor, stop: threading.Event) -> int:
    """Start `job` every 1/rate seconds on the pool, on schedule; returns how many were started."""
    if rate <= 0:
        return 0
    interval, start, sent = 1.0 / rate, time.perf_counter(), 0
    while not stop.is_set():
        due = start + sent * interval
        if due - start >= seconds:
            break
        if stop.wait(max(0.0, due - time.perf_counter())):
            break
        pool.submit(job)
        sent += 1
    return sent


def _figures(rec: Recorder, kind: str) -> dict[str, Any]:
    return {**_summary_ms(rec.seconds.get(kind, [])), "answers": dict(rec.statuses.get(kind, Counter()))}


def run_step(
    port: int, cookies: dict[str, str], codenames: list[str], *, rate: float, lookups: float, seconds: float,
    operators: int, think: tuple[float, float],
) -> dict[str, Any]:  # fmt: skip
    rec, stop = Recorder(), threading.Event()
    staff = [
        threading.Thread(target=_operator, args=(port, cookies, stop, think, n, rec), daemon=True)
        for n in range(operators)
    ]
    for thread in staff:
        thread.start()
    rng = random.Random(11)
    with ThreadPoolExecutor(max_workers=256) as pool:
        started = time.perf_counter()
        arrivals = [
            threading.Thread(
                target=_open_loop, args=(rate, seconds, lambda: _submit(port, rec), pool, stop), daemon=True
            ),
            threading.Thread(
                target=_open_loop,
                args=(lookups, seconds, lambda: _look_up(port, rng.choice(codenames), rec), pool, stop),
                daemon=True,
            ),
        ]
        for thread in arrivals:
            thread.start()
        for thread in arrivals:
            thread.join()
        stop.set()
    # Leaving the executor waited for every request in flight: the wall time includes the backlog.
    wall = time.perf_counter() - started
    for thread in staff:
        thread.join(timeout=30)
    staff_all = rec.seconds.get("staff_inbox", []) + rec.seconds.get("staff_thread", [])
    submissions = rec.statuses.get("submission", Counter())
    p95 = _summary_ms(staff_all).get("p95", 0.0)
    return {
        # Other work on the machine takes processor from the server: the figures mean little without it.
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        "submissions_per_second_offered": rate,
        "look_ups_per_second_offered": lookups,
        "seconds": round(wall, 1),
        "submissions_answered_per_second": round(submissions["ok"] / wall, 2),
        "submission": _figures(rec, "submission"),
        "look_up": _figures(rec, "look_up"),
        "staff_inbox": _figures(rec, "staff_inbox"),
        "staff_thread": _figures(rec, "staff_thread"),
        "staff_all": {
            **_summary_ms(staff_all), "target_p95_ms": STAFF_P95_TARGET_MS, "met": p95 < STAFF_P95_TARGET_MS
        },
        "sustained": sum(submissions.values()) == submissions["ok"] and submissions["ok"] > 0,
    }  # fmt: skip


def run(
    *, db: str, seconds: float, rates: list[float], lookups: float, operators: int, think: tuple[float, float]
) -> dict[str, Any]:
    with database(db) as url, installation_on(url) as inst, running_server(inst, workers=3) as server:
        # Inbox rows to browse; their codenames are never used, so they are derived cheaply.
        cheap_codenames = {"CORRIDOR_CODENAME_OPSLIMIT": "1", "CORRIDOR_CODENAME_MEMLIMIT": "8192"}
        seed_inbox(Installation(inst.data_dir, {**inst.env, **cheap_codenames}), 200)
        operator = sign_in_operator(inst, server.port)
        codenames = [open_thread(server.port) for _ in range(3)]
        steps = [
            run_step(
                server.port, operator.cookies, codenames, rate=rate, lookups=lookups, seconds=seconds,
                operators=operators, think=think,
            )
            for rate in rates
        ]  # fmt: skip
    sustained = [step["submissions_per_second_offered"] for step in steps if step["sustained"]]
    return {
        "database": db,
        "argon2": {"opslimit": 3, "memlimit_mib": 256},
        "web_workers": 3,
        # One derivation timed in this process at the same cost, after the run: how fast this
        # machine was at the time (the design expects about 450 ms on a quiet two-core server).
        "argon2_in_process_ms": _summary_ms(argon2_in_process(PRODUCTION_COST, repeat=3)),
        "operators": operators,
        "think_seconds": list(think),
        "steps": steps,
        "highest_sustained_submissions_per_second": max(sustained) if sustained else None,
    }


def seed(count: int) -> None:
    """Open `count` threads and give the key holder an authenticator, recorded as Corridor records one."""
    hotline_seed(count)
    from corridor.accounts import integrity
    from corridor.accounts.models import User

    integrity.seal_factors(User.objects.get(username=KEYHOLDER))


def seed_inbox(inst: Installation, count: int) -> None:
    """Run `seed` in a subprocess with the installation's settings."""
    result = subprocess.run(  # noqa: S603 - this very module, fixed arguments
        [sys.executable, "-m", "benchmarks.staff_load", "seed", str(count)],
        env=inst.env,
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"seeding failed:\n{result.stdout}\n{result.stderr[-3000:]}")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "seed":
        seed(int(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(prog="python -m benchmarks.staff_load", description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--rates", default="2", help="submissions per second, comma-separated steps")
    parser.add_argument("--lookups", type=float, default=0.5)
    parser.add_argument("--operators", type=int, default=50)
    parser.add_argument("--think", default="2-8", help="seconds between an operator's pages, MIN-MAX")
    args = parser.parse_args()
    low, high = (float(x) for x in args.think.split("-"))
    figures = run(
        db=args.db,
        seconds=args.seconds,
        rates=[float(r) for r in args.rates.split(",")],
        lookups=args.lookups,
        operators=args.operators,
        think=(low, high),
    )
    json.dump(figures, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
