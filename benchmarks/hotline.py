"""Figures for the hotline over HTTP: request submissions, a photo's added cost, the operators' inbox.

Each figure comes from a real `corridor serve` (gunicorn, 2 workers) on a loopback port,
in a throwaway data directory. `python -m benchmarks.hotline seed COUNT` is the seeding
step, run as a subprocess inside a server's environment; it is not meant to be run by hand.
"""

from __future__ import annotations

import io
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks._server import (
    CHEAP_COST,
    KEYHOLDER,
    PASSWORD,
    PRODUCTION_COST,
    Browser,
    Installation,
    Server,
    Upload,
    installation,
    multipart,
    run_corridor,
    running_server,
)

NON_ARGON2_TARGET_MS = 30
PHOTO_TARGET_MS = 25
INBOX_P95_TARGET_MS = 150
INBOX_THREADS = 10_000
INBOX_PAGE_SIZE = 50  # corridor.hotline.views_staff.PAGE_SIZE
PHOTO_BYTES = 1024 * 1024
# A pause after each request of the photo comparison, far beyond the copy's own work.
COPY_SETTLE_SECONDS = 0.25
_CODENAME = re.compile(r'class="codename[^"]*"[^>]*>\s*([0-9 ]{24})\s*<')
_THREAD_CODE = re.compile(r"\bH-[A-Z2-9]{6}\b")
_PARAGRAPH = (
    "My brother found messages on my phone last week and told our father. Since then I am not "
    "allowed to leave the house alone, they took my passport and my bank card, and my uncle said "
    "that the family will decide what to do with me after the holidays. Yesterday two men from "
    "the district police came and talked with my father in the yard for an hour; I heard my name. "
    "I can use my sister's phone in the evenings for a short time when she is at work. I have some "
    "money hidden, about fifteen thousand roubles, and a friend in Nalchik who could let me stay "
    "for a few days, but I do not know if it is safe to go there, or how to leave without being "
    "seen at the bus station, where everyone knows our family.\r\n"
)
MESSAGE = (_PARAGRAPH * (5000 // len(_PARAGRAPH) + 1))[:5000]
# Realistic answers to the triage questions: high urgency, not in danger at this minute.
TRIAGE_FIELDS = [
    ("in_danger_now", "no"),
    ("region", "RU-KB"),
    ("threatened_by", "relatives"),
    ("threatened_by", "police"),
    ("outed_to_family", "yes"),
    ("has_internal_passport", "no"),
    ("has_foreign_passport", "no"),
    ("safe_contact", "Only here, in the evenings after nine. Never call."),
    ("website", ""),
]
# A browser sends the empty file input as an empty part.
NO_PHOTO = Upload("photos", "", "application/octet-stream", b"")


# --- statistics -------------------------------------------------------------------------


def _percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _summary_ms(seconds: list[float]) -> dict[str, Any]:
    if not seconds:
        return {"unit": "ms", "samples": 0}
    ordered = sorted(seconds)
    return {
        "unit": "ms",
        "median": round(statistics.median(ordered) * 1000, 1),
        "p95": round(_percentile(ordered, 0.95) * 1000, 1),
        "min": round(ordered[0] * 1000, 1),
        "max": round(ordered[-1] * 1000, 1),
        "samples": len(ordered),
    }


def _target(value_ms: float, target_ms: float) -> dict[str, Any]:
    return {"target_ms": target_ms, "met": value_ms <= target_ms}


# --- submissions ------------------------------------------------------------------------


class Applicant:
    """One person's browser on the request form: it fetches the form once, then sends requests."""

    def __init__(self, port: int) -> None:
        self.browser = Browser(port)
        page = self.browser.get("/en/request/")
        if page.status != 200:
            raise RuntimeError(f"GET /en/request/ answered {page.status}")
        self.token = page.csrf_token()

    def submit(self, photo: Upload | None = None) -> float:
        """Send one request; return its latency in seconds (the POST alone)."""
        fields = [("csrfmiddlewaretoken", self.token), *TRIAGE_FIELDS, ("message", MESSAGE)]
        response = self.browser.post_multipart("/en/request/", fields, [photo or NO_PHOTO])
        if response.status != 200 or not _CODENAME.search(response.text):
            raise RuntimeError(f"submission answered {response.status}: {response.text[:500]}")
        return response.seconds


def request_bytes() -> int:
    fields = [("csrfmiddlewaretoken", "x" * 64), *TRIAGE_FIELDS, ("message", MESSAGE)]
    return len(multipart(fields, [NO_PHOTO])[0])


def sequential(port: int, count: int, *, warmup: int = 2) -> list[float]:
    applicant = Applicant(port)
    for _ in range(warmup):
        applicant.submit()
    return [applicant.submit() for _ in range(count)]


@dataclass(frozen=True)
class Watch:
    """A page someone reloads every 100 ms while the applicants submit."""

    name: str
    browser: Browser
    path: str


def concurrent(
    port: int, *, clients: int = 2, total: int = 40, max_seconds: float = 20, watches: tuple[Watch, ...] = ()
) -> dict[str, Any]:
    """`clients` applicants sending back to back until `total` requests or `max_seconds` have passed."""
    applicants = [Applicant(port) for _ in range(clients)]
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[str] = []
    watched: dict[str, list[float]] = {w.name: [] for w in watches}
    watch_failures: dict[str, list[int]] = {w.name: [] for w in watches}
    issued = 0
    finished = threading.Event()
    started = time.perf_counter()
    deadline = started + max_seconds

    def submit_until_done(applicant: Applicant) -> None:
        nonlocal issued
        while True:
            with lock:
                if issued >= total or time.perf_counter() > deadline:
                    return
                issued += 1
            try:
                seconds = applicant.submit()
            except (RuntimeError, OSError) as exc:
                # Counted, not fatal: a request the server gave up on is itself a figure.
                with lock:
                    failures.append(str(exc)[:200])
                continue
            with lock:
                latencies.append(seconds)

    def reload_until_done(watch: Watch) -> None:
        while not finished.is_set():
            response = watch.browser.get(watch.path)
            if response.status == 200:
                watched[watch.name].append(response.seconds)
            else:
                watch_failures[watch.name].append(response.status)
            time.sleep(0.1)

    submitters = [threading.Thread(target=submit_until_done, args=(a,)) for a in applicants]
    watchers = [threading.Thread(target=reload_until_done, args=(w,)) for w in watches]
    for thread in submitters + watchers:
        thread.start()
    for thread in submitters:
        thread.join()
    wall = time.perf_counter() - started
    finished.set()
    for thread in watchers:
        thread.join()
    figures: dict[str, Any] = {
        "clients": clients,
        "submissions": len(latencies),
        "failed": len(failures),
        "first_failure": failures[0] if failures else None,
        "seconds": round(wall, 2),
        "per_second": round(len(latencies) / wall, 2),
        "latency": _summary_ms(latencies),
    }
    for watch in watches:
        figures[watch.name] = {
            "path": watch.path,
            **_summary_ms(watched[watch.name]),
            "failed_statuses": watch_failures[watch.name],
        }
    return figures


def argon2_in_process(cost_env: dict[str, str], repeat: int) -> list[float]:
    """The codename derivation the server runs, timed here at the same cost."""
    from corridor.crypto import codename
    from corridor.crypto.kdf import Argon2Cost

    cost = Argon2Cost(int(cost_env["CORRIDOR_ARGON2_OPSLIMIT"]), int(cost_env["CORRIDOR_ARGON2_MEMLIMIT"]))
    salt, tag_key = os.urandom(16), os.urandom(32)
    codename.derive(
        codename.generate_digits(tag_key), salt=salt, cost=cost
    )  # first call pays for page faults
    samples = []
    for _ in range(repeat):
        text = codename.generate_digits(tag_key)
        start = time.perf_counter()
        codename.derive(text, salt=salt, cost=cost)
        samples.append(time.perf_counter() - start)
    return samples


def noise_jpeg(target: int = PHOTO_BYTES) -> tuple[bytes, tuple[int, int]]:
    """A JPEG of random pixels (it barely compresses) close to `target` bytes."""
    from PIL import Image

    rng = random.Random(20240601)
    width, height = 1200, 900
    data = b""
    for _ in range(4):
        image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        data = out.getvalue()
        if abs(len(data) - target) < target * 0.02:
            break
        scale = math.sqrt(target / len(data))
        width, height = round(width * scale), round(height * scale)
    return data, (width, height)


def photo_cost(port: int, pairs: int = 20) -> dict[str, Any]:
    """The same request with and without a 1 MB photo, alternating so drift hits both alike."""
    jpeg, (width, height) = noise_jpeg()
    photo = Upload("photos", "IMG_20240601_214512.jpg", "image/jpeg", jpeg)
    applicant = Applicant(port)
    for _ in range(2):
        applicant.submit(photo)
    with_photo, without = [], []
    back_to_back_with, back_to_back_without = [], []
    for _ in range(pairs):
        # Each request timed alone: the server has made the previous photo's copy (about
        # 40 ms of work after the answer) before the next request arrives.
        with_photo.append(applicant.submit(photo))
        time.sleep(COPY_SETTLE_SECONDS)
        without.append(applicant.submit())
        time.sleep(COPY_SETTLE_SECONDS)
    for _ in range(pairs):
        # The same, back to back: the next request meets the copy still being made.
        back_to_back_with.append(applicant.submit(photo))
        back_to_back_without.append(applicant.submit())
    added = (statistics.median(with_photo) - statistics.median(without)) * 1000
    back_to_back = (statistics.median(back_to_back_with) - statistics.median(back_to_back_without)) * 1000
    return {
        "jpeg_bytes": len(jpeg),
        "jpeg_pixels": f"{width}x{height}",
        "with_photo": _summary_ms(with_photo),
        "without_photo": _summary_ms(without),
        "added_ms": round(added, 1),
        "back_to_back": {
            "with_photo": _summary_ms(back_to_back_with),
            "without_photo": _summary_ms(back_to_back_without),
            "added_ms": round(back_to_back, 1),
        },
        **_target(added, PHOTO_TARGET_MS),
    }


# --- the inbox --------------------------------------------------------------------------


def seed(count: int) -> None:
    """Open `count` threads through the service, in batches; give the key holder an authenticator."""
    import django

    django.setup()
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from corridor.accounts.models import User
    from corridor.hotline import services
    from corridor.hotline.models import OPEN_STATUSES, Channel, Thread
    from corridor.hotline.triage import REGIONS, THREATS, Triage

    keyholder = User.objects.get(username=KEYHOLDER)
    TOTPDevice.objects.get_or_create(user=keyholder, name="benchmark", defaults={"confirmed": True})
    from corridor.accounts import integrity

    integrity.seal_factors(keyholder)  # a device added outside the services must be vouched for
    rng = random.Random(7)
    regions = [code for code, _ in REGIONS]
    threats = [code for code, _ in THREATS]
    answers = ["yes", "no", "unsure"]
    batch = 500
    for first in range(0, count, batch):
        with transaction.atomic():
            for _ in range(min(batch, count - first)):
                triage = Triage(
                    region=rng.choice(regions),
                    in_danger_now=rng.random() < 0.1,
                    threatened_by=sorted(rng.sample(threats, rng.randint(0, 2))),
                    outed_to_family=rng.choice(answers),
                    has_internal_passport=rng.choice(answers),
                    has_foreign_passport=rng.choice(answers),
                    safe_contact="Evenings only." if rng.random() < 0.5 else "",
                )
                start = rng.randrange(len(_PARAGRAPH))
                text = (_PARAGRAPH * 3)[start : start + rng.randint(200, 1500)]
                channel = Channel.WEB if rng.random() < 0.9 else Channel.PHONE
                services.open_thread(triage=triage, text=text, files=[], channel=channel)
    print(Thread.objects.filter(status__in=OPEN_STATUSES).count())


def seed_threads(inst: Installation, count: int) -> tuple[float, int]:
    """Run `seed` in a subprocess with the installation's settings; return its seconds and open threads."""
    start = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - this very module, fixed arguments
        [sys.executable, "-m", "benchmarks.hotline", "seed", str(count)],
        env=inst.env,
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"seeding failed:\n{result.stdout}\n{result.stderr[-3000:]}")
    return time.perf_counter() - start, int(result.stdout.split()[-1])


def sign_in_operator(inst: Installation, port: int) -> Browser:
    """Password, then the authenticator code, as the key-holding operator."""
    browser = Browser(port)
    token = browser.get("/staff/login/").csrf_token()
    fields = [("csrfmiddlewaretoken", token), ("username", KEYHOLDER), ("password", PASSWORD)]
    response = browser.post("/staff/login/", fields)
    if response.status != 302 or "/staff/login/verify/" not in (response.headers.get("Location") or ""):
        raise RuntimeError(f"password step answered {response.status} {response.headers.get('Location')}")
    token = browser.get("/staff/login/verify/").csrf_token()
    code = run_corridor(inst.env, "totp", KEYHOLDER).strip()
    response = browser.post("/staff/login/verify/", [("csrfmiddlewaretoken", token), ("code", code)])
    if response.status != 302 or "/staff/login/" in (response.headers.get("Location") or ""):
        location = response.headers.get("Location")
        raise RuntimeError(f"second-factor step answered {response.status} {location}")
    return browser


def _inbox_series(browser: Browser, path: str, count: int) -> dict[str, Any]:
    samples = []
    for _ in range(count):
        response = browser.get(path)
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}")
        samples.append(response.seconds)
    rows = len(set(_THREAD_CODE.findall(response.text)))
    summary = _summary_ms(samples)
    return {"path": path, "rows_shown": rows, **summary, **_target(summary["p95"], INBOX_P95_TARGET_MS)}


def inbox_figures(inst: Installation, server: Server, threads: int = INBOX_THREADS) -> dict[str, Any]:
    seconds, open_threads = seed_threads(inst, threads)
    browser = sign_in_operator(inst, server.port)
    probe = browser.get("/staff/hotline/")
    if probe.status == 404:
        return {"skipped": "inbox view not built yet"}
    if probe.status != 200:
        raise RuntimeError(f"GET /staff/hotline/ answered {probe.status}")
    last_page = math.ceil(open_threads / INBOX_PAGE_SIZE)
    figures: dict[str, Any] = {
        "threads_seeded": threads,
        "open_threads": open_threads,
        "seed_seconds": round(seconds, 1),
    }
    for _ in range(3):
        browser.get("/staff/hotline/")  # warm both workers' caches and connections
    figures["first_page"] = _inbox_series(browser, "/staff/hotline/", 100)
    figures["page_50"] = _inbox_series(browser, "/staff/hotline/?page=50", 30)
    figures["last_page"] = _inbox_series(browser, f"/staff/hotline/?page={last_page}", 30)
    return figures


# --- everything -------------------------------------------------------------------------


def production_cost_figures() -> dict[str, Any]:
    with installation(PRODUCTION_COST) as inst, running_server(inst) as server:
        samples = sequential(server.port, 30)
        throughput = concurrent(server.port, clients=2, total=40, max_seconds=20)
        # What an operator meets meanwhile: every staff request saves its session, a database
        # write; the public request form, which writes nothing, is the control.
        seed_threads(inst, 0)
        operator = sign_in_operator(inst, server.port)
        for _ in range(3):
            operator.get("/staff/hotline/")  # both workers load the inbox's code and templates
        quiet = _summary_ms([operator.get("/staff/hotline/").seconds for _ in range(20)])
        watches = (
            Watch("operator_inbox", operator, "/staff/hotline/"),
            Watch("public_form", Browser(server.port), "/en/request/"),
        )
        busy = concurrent(server.port, clients=2, total=40, max_seconds=20, watches=watches)
        return {
            "argon2": {
                "opslimit": int(PRODUCTION_COST["CORRIDOR_ARGON2_OPSLIMIT"]),
                "memlimit_mib": int(PRODUCTION_COST["CORRIDOR_ARGON2_MEMLIMIT"]) // (1024 * 1024),
            },
            "sequential": _summary_ms(samples),
            "concurrent": throughput,
            "operator_inbox_quiet": quiet,
            "while_2_clients_submit": {
                "seconds": busy["seconds"],
                "submissions": busy["submissions"],
                "operator_inbox": busy["operator_inbox"],
                "public_form": busy["public_form"],
            },
        }


def run() -> dict[str, Any]:
    argon2 = _summary_ms(argon2_in_process(PRODUCTION_COST, repeat=15))
    argon2_cheap = _summary_ms(argon2_in_process(CHEAP_COST, repeat=50))
    production = production_cost_figures()
    by_subtraction = production["sequential"]["median"] - argon2["median"]
    with installation(CHEAP_COST) as inst, running_server(inst) as server:
        cheap = _summary_ms(sequential(server.port, 30, warmup=4))
        photo = photo_cost(server.port)
        inbox = inbox_figures(inst, server)
    return {
        "request": {"message_chars": len(MESSAGE), "body_bytes": request_bytes()},
        "submission_at_production_cost": production,
        "non_argon2_part": {
            "argon2_codename_in_process": argon2,
            "by_subtraction_ms": round(by_subtraction, 1),
            "by_subtraction": _target(by_subtraction, NON_ARGON2_TARGET_MS),
            "cheap_cost_server": {
                "argon2": {k: int(v) for k, v in CHEAP_COST.items()},
                "argon2_in_process_median_ms": argon2_cheap["median"],
                "sequential": cheap,
                **_target(cheap["median"], NON_ARGON2_TARGET_MS),
            },
        },
        "photo_1mb_added_cost": photo,
        "inbox": inbox,
    }


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "seed":
        seed(int(sys.argv[2]))
    elif sys.argv[1:] == ["photo"]:
        from benchmarks.integrity import load_average

        # The photo's added cost on its own, as in the full run (which `python -m benchmarks` does).
        with installation(CHEAP_COST) as photo_inst, running_server(photo_inst) as photo_server:
            print(
                json.dumps(
                    {"photo_1mb_added_cost": photo_cost(photo_server.port), "load": load_average()}, indent=2
                )
            )
    else:
        sys.exit(
            "usage: python -m benchmarks.hotline seed COUNT | photo (benchmarks run via python -m benchmarks)"
        )
