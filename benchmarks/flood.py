"""A flood of wrong codenames against a real `corridor serve` at production cost.

50 clients (a parameter) send wrong codenames back to back, each on its own connection
per request, for the whole run; meanwhile a person with the right codename comes back
every few seconds, and the server's memory (the summed resident set of its process
group: master, web workers, Argon2id pool service) is sampled every 50 ms. Loopback
only; the server and its data directory are removed at the end, also on errors.

    .venv/bin/python -m benchmarks.flood [--clients 50] [--seconds 60] [--workers 3] [--threads 4]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from typing import Any

from benchmarks._memory import PeakSampler, group_rss_bytes
from benchmarks._server import PRODUCTION_COST, Browser, Installation, installation, running_server
from benchmarks.hotline import _CODENAME, MESSAGE, NO_PHOTO, TRIAGE_FIELDS, _summary_ms, argon2_in_process

GET_IN_TARGET_SECONDS = 10.0
MIB = 1024 * 1024
# What `corridor serve` uses unless CORRIDOR_ARGON2_MEMORY_CAP_BYTES says otherwise.
DEFAULT_CAP = 512 * MIB
# What docs/deployment.md plans for the rest of the server (gunicorn master, web workers
# serving requests, the pool's own process): its memory must stay under the cap plus this.
SERVER_REST_BUDGET = 400 * MIB


def open_thread(port: int) -> str:
    """Send one request as a person would and return the codename the page shows."""
    browser = Browser(port)
    token = browser.get("/en/request/").csrf_token()
    fields = [("csrfmiddlewaretoken", token), *TRIAGE_FIELDS, ("message", MESSAGE)]
    response = browser.post_multipart("/en/request/", fields, [NO_PHOTO])
    match = _CODENAME.search(response.text)
    if response.status != 200 or match is None:
        raise RuntimeError(f"the request answered {response.status}")
    return match.group(1)


def wrong_codename(rng: random.Random) -> str:
    # The shape of a real codename (20 digits); without the server's key, its tag is a guess.
    digits = "".join(rng.choice("0123456789") for _ in range(20))
    return " ".join(digits[i : i + 4] for i in range(0, 20, 4))


def person_gets_in(port: int, codename: str, *, give_up_after: float) -> dict[str, Any]:
    """A person at the codename page: send, and on "busy" press again a second later."""
    browser = Browser(port)
    started = time.perf_counter()
    token = browser.get("/en/thread/").csrf_token()
    attempts, statuses = 0, []
    while time.perf_counter() - started < give_up_after:
        attempts += 1
        response = browser.post("/en/thread/", [("csrfmiddlewaretoken", token), ("codename", codename)])
        statuses.append(response.status)
        if response.status == 302 and "/thread/messages/" in (response.headers.get("Location") or ""):
            seconds = time.perf_counter() - started
            return {"got_in": True, "seconds": round(seconds, 2), "attempts": attempts, "statuses": statuses}
        if response.status != 503:
            raise RuntimeError(f"the right codename answered {response.status}")
        if response.headers.get("Retry-After") is None:
            raise RuntimeError("a busy answer without Retry-After")
        time.sleep(1.0)
    return {"got_in": False, "seconds": round(time.perf_counter() - started, 2), "attempts": attempts}


def run_flood(
    *, clients: int = 50, seconds: float = 60, workers: int = 3, threads: int = 4, person_every: float = 8
) -> dict[str, Any]:
    with installation(PRODUCTION_COST) as inst:
        inst.env["CORRIDOR_WEB_THREADS"] = str(threads)
        return _flood(inst, clients=clients, seconds=seconds, workers=workers, person_every=person_every)


def _flood(
    inst: Installation, *, clients: int, seconds: float, workers: int, person_every: float
) -> dict[str, Any]:
    with running_server(inst, workers=workers) as server:
        # One person per visit: a codename that had the fast lane takes the slow one for a minute
        # (corridor.limits.budget.LaneTokens), and the person coming back is a different one each time.
        visits = int(seconds // (person_every + 1)) + 2
        codenames = [open_thread(server.port) for _ in range(visits)]
        time.sleep(2)  # let the request's memory go back before measuring the baseline
        baseline = group_rss_bytes(server.process.pid)
        sampler = PeakSampler(server.process.pid)
        sampler.start()
        stop = threading.Event()
        lock = threading.Lock()
        statuses: Counter[int] = Counter()
        latencies: list[float] = []
        errors: Counter[str] = Counter()

        def flood(seed: int) -> None:
            rng = random.Random(seed)
            browser = Browser(server.port)
            token = browser.get("/en/thread/").csrf_token()
            while not stop.is_set():
                try:
                    response = browser.post(
                        "/en/thread/", [("csrfmiddlewaretoken", token), ("codename", wrong_codename(rng))]
                    )
                except OSError as exc:
                    with lock:
                        errors[type(exc).__name__] += 1
                    continue
                with lock:
                    statuses[response.status] += 1
                    latencies.append(response.seconds)

        threads = [threading.Thread(target=flood, args=(n,), daemon=True) for n in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        people = []
        time.sleep(min(5.0, seconds / 4))  # the flood fills every queue first
        while time.perf_counter() - started < seconds and codenames:
            people.append(person_gets_in(server.port, codenames.pop(), give_up_after=30))
            time.sleep(person_every)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        wall = time.perf_counter() - started
        peak = sampler.stop()
    got_in = [p["seconds"] for p in people if p["got_in"]]
    cap = int(inst.env.get("CORRIDOR_ARGON2_MEMORY_CAP_BYTES", DEFAULT_CAP))
    return {
        "argon2": {"opslimit": 3, "memlimit_mib": 256, "memory_cap_mib": cap // MIB},
        "web_workers": workers,
        "threads_per_worker": int(inst.env["CORRIDOR_WEB_THREADS"]),
        # One derivation timed in this process at the same cost, after the run: how fast this
        # machine was at the time (the design expects about 450 ms on a quiet two-core server).
        "argon2_in_process_ms": _summary_ms(argon2_in_process(PRODUCTION_COST, repeat=3)),
        "flood_clients": clients,
        # Other work on the machine takes processor from the server: the figures mean little without it.
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        "seconds": round(wall, 1),
        "flood_answers": {str(k): v for k, v in sorted(statuses.items())},
        "flood_connection_errors": dict(errors),
        "wrong_look_ups_checked_per_second": round(statuses[400] / wall, 2),
        "flood_latency": _summary_ms(latencies),
        "person": {
            "tries": people,
            "got_in": len(got_in),
            "of": len(people),
            "worst_seconds": max(got_in) if got_in else None,
            "target_seconds": GET_IN_TARGET_SECONDS,
            "met": bool(people) and len(got_in) == len(people) and max(got_in) <= GET_IN_TARGET_SECONDS,
        },
        "memory": {
            "baseline_mib": round(baseline / MIB, 1),
            "peak_mib": round(peak / MIB, 1),
            "cap_plus_baseline_mib": round((cap + baseline) / MIB, 1),
            "under_cap_plus_baseline": peak <= cap + baseline,
            # The idle baseline leaves out what the web workers hold while they answer 50 clients.
            "server_budget_mib": round((cap + SERVER_REST_BUDGET) / MIB, 1),
            "under_server_budget": peak <= cap + SERVER_REST_BUDGET,
            "samples": sampler.samples,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.flood", description=__doc__)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    figures = run_flood(
        clients=args.clients, seconds=args.seconds, workers=args.workers, threads=args.threads
    )
    json.dump(figures, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
