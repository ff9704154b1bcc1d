"""Figures for the key-integrity checks: each check in-process, the envelope padding, sign-in and
the thread page over HTTP.

The in-process figures come from `python -m benchmarks.integrity in-process`, run as a subprocess
inside a throwaway installation's environment (it needs the database, the pins file and the keys);
`python -m benchmarks.integrity seed` prepares the HTTP part the same way. Neither is meant to be
run by hand. `python -m benchmarks.integrity http` prints the HTTP part alone: it relies on nothing
the key-integrity change added, so it also runs against a checkout from before it (README.md).
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import importlib
import json
import math
import os
import random
import re
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks._server import (
    CHEAP_COST,
    KEYHOLDER,
    PASSWORD,
    Browser,
    Installation,
    installation,
    run_corridor,
    running_server,
)

ADDED_TARGET_MS = 2.0
# The thread page: the person's first message, then replies and internal notes in turn.
THREAD_MESSAGES = 20
PAGE_WARMUP = 5
PAGE_REQUESTS = 50
SIGN_IN_WARMUP = 3
SIGN_IN_SAMPLES = 20
SIGN_IN_USER = "benchsignin{:02d}"
# Message sizes in bytes of UTF-8 text; 40,000 is the 20,000-character maximum in Cyrillic.
PAD_SIZES = (1, 10, 100, 300, 1_000, 5_000, 20_000, 40_000)
SPREAD_COUNT = 200
SPREAD_BYTES = (20, 5_000)
SPREAD_SEED = 20261125
# Where the envelope figures' body belongs (bound into each envelope's associated data).
MODEL, ROW, FIELD = "hotline.Message", "0b7e4c1a-5f7d-4a3e-9d26-1c8f0e6b2a47", "body"
_MARKER = re.compile(r"\[m\d\d\]")
_WORDS = (
    "I can write only in the evenings when my sister lends me her phone. They took my passport and "
    "say the family will decide after the holidays. Is there a safe way to leave the city without "
    "being seen at the bus station? Мне страшно, но я хочу уехать как можно скорее. "
)


def _text(marker: int, length: int) -> str:
    """A message of `length` characters that starts with a marker the page check counts."""
    body = f"[m{marker:02d}] " + _WORDS * (length // len(_WORDS) + 1)
    return body[:length].rstrip()


def load_average() -> float:
    """The machine's one-minute load: on 2 cores, anything near 2 means the figures were shared."""
    return round(os.getloadavg()[0], 2)


# --- statistics -------------------------------------------------------------------------


def _percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _summary(seconds: list[float], unit: str) -> dict[str, Any]:
    scale, digits = (1e6, 2) if unit == "µs" else (1e3, 1)
    ordered = sorted(seconds)
    return {
        "unit": unit,
        "median": round(statistics.median(ordered) * scale, digits),
        "p95": round(_percentile(ordered, 0.95) * scale, digits),
        "min": round(ordered[0] * scale, digits),
        "max": round(ordered[-1] * scale, digits),
        "samples": len(ordered),
    }


def _time_calls(
    fn: Callable[[], object], repeat: int, before: Callable[[], object] | None = None
) -> list[float]:
    """Time `repeat` calls one by one (garbage collection paused); `before` runs untimed before each."""
    for _ in range(min(200, max(10, repeat // 20))):
        if before is not None:
            before()
        fn()
    samples = []
    collecting = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            if before is not None:
                before()
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
    finally:
        if collecting:
            gc.enable()
    return samples


def _time_pairs(
    first: Callable[[], object], second: Callable[[], object], repeat: int
) -> tuple[list[float], list[float]]:
    """Time two calls in turn, `repeat` times each: their difference is measured under the same load."""
    for _ in range(min(200, max(10, repeat // 20))):
        first()
        second()
    a, b = [], []
    collecting = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            first()
            middle = time.perf_counter()
            second()
            a.append(middle - start)
            b.append(time.perf_counter() - middle)
    finally:
        if collecting:
            gc.enable()
    return a, b


def _micro(
    fn: Callable[[], object], repeat: int, before: Callable[[], object] | None = None
) -> dict[str, Any]:
    return _summary(_time_calls(fn, repeat, before), "µs")


# --- 1. each check, in-process ------------------------------------------------------------


def _legacy_envelope(key: bytes, plaintext: bytes) -> bytes:
    """A version-1 envelope (unpadded, no context), as every field was written before the change."""
    from nacl import bindings

    from corridor.crypto.envelope import LEGACY_VERSION, NONCE_BYTES, associated_data

    header = struct.pack(">BI", LEGACY_VERSION, 1)
    nonce = os.urandom(NONCE_BYTES)
    ad = associated_data(model=MODEL, row=ROW, field=FIELD, key_version=1, version=LEGACY_VERSION)
    return (
        header
        + nonce
        + bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, header + ad, nonce, key)
    )


def _envelope_figures(size: int, repeat: int) -> dict[str, Any]:
    """One message body of `size` bytes: sealed and opened today, and opened as before (unpadded)."""
    from corridor.crypto.envelope import generate_key, open_field, seal_field

    key = generate_key()
    value = _text(1, size).encode()[:size].ljust(size, b".")
    context = {"thread": "6a1d2e3f-4b5c-4d7e-8f90-a1b2c3d4e5f6", "kind": "reply", "author": "7"}
    sealed = seal_field(key, value, model=MODEL, row=ROW, field=FIELD, context=context)
    legacy = _legacy_envelope(key, value)
    padded, unpadded = _time_pairs(
        lambda: open_field(key, sealed, model=MODEL, row=ROW, field=FIELD, context=context),
        lambda: open_field(key, legacy, model=MODEL, row=ROW, field=FIELD, accept_legacy=True),
        repeat,
    )
    return {
        "value_bytes": size,
        "seal_field": _micro(
            lambda: seal_field(key, value, model=MODEL, row=ROW, field=FIELD, context=context), repeat
        ),
        "open_field": _summary(padded, "µs"),
        "open_field_unpadded_before": _summary(unpadded, "µs"),
        # Paired call by call, so load from elsewhere on the machine hits both sides alike.
        "open_padding_added": _summary([a - b for a, b in zip(padded, unpadded, strict=True)], "µs"),
    }


def _sum_ms(items: list[dict[str, Any]], timed: dict[str, dict[str, Any]], column: str) -> float:
    return round(sum(item["count"] * timed[item["figure"]][column] for item in items) / 1000, 3)


def _added(
    checks: list[dict[str, Any]], other: list[dict[str, Any]], timed: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Σ count × median (and × p95, a pessimistic bound): of the checks, which the target is for, and
    with the other work the change added (a second key to open, a row re-read, padded envelopes)."""
    checks_ms = _sum_ms(checks, timed, "median")
    total_ms = round(checks_ms + _sum_ms(other, timed, "median"), 3)
    return {
        "checks": checks,
        "checks_ms": checks_ms,
        "checks_ms_at_p95": _sum_ms(checks, timed, "p95"),
        "target_ms": ADDED_TARGET_MS,
        "met": checks_ms < ADDED_TARGET_MS,
        "other_added_work": other,
        "total_ms": total_ms,
        "total_ms_at_p95": round(_sum_ms(checks, timed, "p95") + _sum_ms(other, timed, "p95"), 3),
        "total_met": total_ms < ADDED_TARGET_MS,
    }


def measure_in_process() -> dict[str, Any]:
    """Time each check against a real installation's database, pins file and keys."""
    import django

    django.setup()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from corridor.accounts import integrity, keyring, pins, services
    from corridor.accounts.backends import KeyUnlockBackend
    from corridor.accounts.models import OrgKeyKind, User
    from corridor.audit.chain import head_mac
    from corridor.cases import keys as data_keys
    from corridor.cases.models import DataKeyWrap, WrapRecipient
    from corridor.crypto import keys
    from corridor.hotline import services as hotline_services
    from corridor.hotline.triage import Triage

    unlocked = services.unlock_with_password(KEYHOLDER, PASSWORD)
    if unlocked is None:
        raise RuntimeError("the key holder could not sign in with the benchmark password")
    private = unlocked.private_key
    keyholder = User.objects.get(username=KEYHOLDER)
    TOTPDevice.objects.create(user=keyholder, name="benchmark", confirmed=True)
    integrity.seal_factors(keyholder)
    secrets_by_kind = {
        kind: keyring.unseal_org_key(user=keyholder, user_private_key=private, kind=kind)
        for kind in (OrgKeyKind.HOTLINE, OrgKeyKind.SIGNING)
    }
    hotline_private = secrets_by_kind[OrgKeyKind.HOTLINE]
    thread = hotline_services.open_thread(
        triage=Triage(region="RU-KB", threatened_by=["relatives"]), text=_text(1, 400), files=[]
    ).thread

    session_user = User.objects.filter(pk=keyholder.pk).prefetch_related("role_assignments").first()
    assert session_user is not None

    def forget_roles() -> None:
        # role_codes is cached on the instance; each request starts from the prefetch instead.
        vars(session_user).pop("_role_codes", None)

    data_key = os.urandom(32)
    check = integrity.key_check("hotline.Thread:1", "conversation", 1, data_key)
    hotline_row = keyring.current_key(OrgKeyKind.HOTLINE)

    def current_key_pin_check() -> bool:
        # What current_key added to the query it already ran: the pins read and one fingerprint.
        return pins.require().keys["hotline"][1] == pins.public_fingerprint(bytes(hotline_row.public_key))

    if not current_key_pin_check():
        raise RuntimeError("the hotline key row does not match its pin")

    def staff_wrap_query_and_unseal() -> bytes:
        # _open_wrap without its commitment check: what opening the second key costs by itself.
        wrap = DataKeyWrap.objects.get(
            key=thread.staff_key, version=thread.staff_key.version, recipient=WrapRecipient.HOTLINE
        )
        return keys.unseal(hotline_private, bytes(wrap.sealed))

    backend = KeyUnlockBackend()
    checks: dict[str, dict[str, Any]] = {
        "user_ok": _micro(lambda: integrity.user_ok(session_user), 20_000, before=forget_roles),
        "backend_get_user": _micro(lambda: backend.get_user(keyholder.pk), 2_000),
        "pins_require": _micro(pins.require, 20_000),
        "current_key_hotline": _micro(lambda: keyring.current_key(OrgKeyKind.HOTLINE), 3_000),
        "current_key_signing": _micro(lambda: keyring.current_key(OrgKeyKind.SIGNING), 3_000),
        "current_key_pin_check": _micro(current_key_pin_check, 20_000),
        "check_secret_hotline": _micro(
            lambda: keyring.check_secret(OrgKeyKind.HOTLINE, secrets_by_kind[OrgKeyKind.HOTLINE]), 5_000
        ),
        "check_secret_signing": _micro(
            lambda: keyring.check_secret(OrgKeyKind.SIGNING, secrets_by_kind[OrgKeyKind.SIGNING]), 5_000
        ),
        "key_check_ok": _micro(
            lambda: integrity.key_check_ok(check, "hotline.Thread:1", "conversation", 1, data_key), 20_000
        ),
        "open_staff_wrap": _micro(
            lambda: data_keys.open_org_wrap(thread.staff_key, WrapRecipient.HOTLINE, hotline_private),
            3_000,
        ),
        "staff_wrap_query_and_unseal": _micro(staff_wrap_query_and_unseal, 3_000),
        "thread_refresh": _micro(thread.refresh_from_db, 3_000),
        "audit_head_mac": _micro(lambda: head_mac(seq=12_345, digest="ab" * 32), 20_000),
        "factors_ok": _micro(lambda: integrity.factors_ok(keyholder), 2_000),
        "key_pair_check": _micro(lambda: keys.public_key_of(private) == bytes(keyholder.public_key), 5_000),
    }
    envelopes = [_envelope_figures(100, 20_000), _envelope_figures(5_000, 5_000)]
    padding_delta = {f"open_padding_added_{e['value_bytes']}B": e["open_padding_added"] for e in envelopes}
    page = _added(
        [
            {"figure": "user_ok", "count": 1, "where": "accounts.backends.get_user, once per request"},
            {
                "figure": "current_key_pin_check",
                "count": 2,
                "where": "keyring.current_key: hotline (unseal_org_key) and signing (signing_verify_key)",
            },
            {
                "figure": "check_secret_hotline",
                "count": 1,
                "where": "keyring.unseal_org_key(hotline): its own pins read, the secret's public key",
            },
            {
                "figure": "key_check_ok",
                "count": 2,
                "where": "hotline.keys._open_wrap: conversation and staff keys",
            },
            {
                "figure": "audit_head_mac",
                "count": 2,
                "where": "audit.services.record_event: key.unsealed and hotline.thread_decrypted",
            },
        ],
        [
            {
                "figure": "staff_wrap_query_and_unseal",
                "count": 1,
                "where": "hotline.keys._open_wrap: the second thread key (staff), its check counted above",
            },
            {
                "figure": "thread_refresh",
                "count": 1,
                "where": "hotline.reading.thread_for_staff re-reads the thread row once its keys are open",
            },
            {
                "figure": "open_padding_added_100B",
                "count": THREAD_MESSAGES + 1,
                "where": "one padded envelope per message and the intake (short bodies padded to 256 B)",
            },
        ],
        {**checks, **padding_delta},
    )
    page["pin_reads"] = 3
    page["check_secret"] = 1
    page["key_check_ok"] = 2
    sign_in = _added(
        [
            {"figure": "user_ok", "count": 1, "where": "services.unlock_with_password, password step"},
            {
                "figure": "key_pair_check",
                "count": 1,
                "where": "services.unlock_with_password: unwrapped private key against the public key",
            },
            {"figure": "factors_ok", "count": 1, "where": "second_factor.verify_totp, second-factor step"},
            {
                "figure": "audit_head_mac",
                "count": 3,
                "where": "record_event: auth.password_verified, then auth.login and auth.key_unlocked",
            },
        ],
        [],
        checks,
    )
    sign_in["pin_reads"] = 0
    return {
        "checks": checks,
        "envelopes": envelopes,
        "padding_added_per_open": padding_delta,
        "added_per_page_ms": page,
        "added_per_sign_in_ms": sign_in,
    }


def in_process_figures() -> dict[str, Any]:
    with installation(CHEAP_COST) as inst:
        start = load_average()
        figures: dict[str, Any] = json.loads(_run_module(inst, "in-process").splitlines()[-1])
        return {"load_average": {"start": start, "end": load_average()}, **figures}


def _run_module(inst: Installation, *args: str) -> str:
    """This module as a subprocess with the installation's settings; its output."""
    result = subprocess.run(  # noqa: S603 - this very module, fixed arguments
        [sys.executable, "-m", "benchmarks.integrity", *args],
        env=inst.env,
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"benchmarks.integrity {' '.join(args)} failed:\n{result.stdout}\n{result.stderr[-3000:]}"
        )
    return result.stdout


# --- 2. what padding costs in bytes ------------------------------------------------------


def padding_figures() -> dict[str, Any]:
    """Envelope sizes of a message body before (version 1, unpadded) and after (padded) the change."""
    from corridor.crypto.envelope import (
        MIN_PADDED,
        NONCE_BYTES,
        TAG_BYTES,
        generate_key,
        padded_length,
        seal_field,
    )

    key = generate_key()
    header = struct.calcsize(">BI")

    def sizes(n: int) -> tuple[int, int]:
        before = header + NONCE_BYTES + n + TAG_BYTES
        after = header + NONCE_BYTES + padded_length(n) + TAG_BYTES
        return before, after

    rows = []
    for n in PAD_SIZES:
        before, after = sizes(n)
        sealed = len(seal_field(key, b"x" * n, model=MODEL, row=ROW, field=FIELD))
        legacy = len(_legacy_envelope(key, b"x" * n))
        if (sealed, legacy) != (after, before):
            raise RuntimeError(f"envelope sizes for {n} B are {legacy}/{sealed}, not {before}/{after}")
        rows.append(
            {
                "text_bytes": n,
                "envelope_before": before,
                "envelope_after": after,
                "overhead_bytes": after - before,
                "overhead_pct": round(100 * (after - before) / before, 1),
            }
        )
    rng = random.Random(SPREAD_SEED)
    low, high = (math.log(b) for b in SPREAD_BYTES)
    lengths = [round(math.exp(rng.uniform(low, high))) for _ in range(SPREAD_COUNT)]
    pairs = [sizes(n) for n in lengths]
    relative = [(after - before) / before for before, after in pairs]
    return {
        "formula": {
            "before": f"{header + NONCE_BYTES} + n + {TAG_BYTES} (version 1: no padding)",
            "after": f"{header + NONCE_BYTES} + padded_length(n) + {TAG_BYTES} (n + 1 marker, at least "
            f"{MIN_PADDED}, Padmé above)",
        },
        "by_size": rows,
        "spread": {
            "lengths": f"{SPREAD_COUNT} log-uniform between {SPREAD_BYTES[0]} and {SPREAD_BYTES[1]} bytes",
            "seed": SPREAD_SEED,
            "median_text_bytes": statistics.median(lengths),
            "mean_overhead_pct": round(100 * statistics.fmean(relative), 1),
            "median_overhead_pct": round(100 * statistics.median(relative), 1),
            "max_overhead_pct": round(100 * max(relative), 1),
            "total_bytes_overhead_pct": round(
                100 * (sum(a for _, a in pairs) / sum(b for b, _ in pairs) - 1), 1
            ),
        },
    }


# --- 3. sign-in and the thread page over HTTP ---------------------------------------------


def seed(sign_in_users: int) -> None:
    """Operators to sign in once each, an authenticator for each and the key holder, and one thread.

    Written against the services of both sides of the comparison: the second factors are put
    under their MAC only where the installation has one.
    """
    import django

    django.setup()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from corridor.accounts import services
    from corridor.accounts.models import Role, User
    from corridor.hotline import services as hotline_services
    from corridor.hotline.triage import Triage

    try:
        integrity: ModuleType | None = importlib.import_module("corridor.accounts.integrity")
    except ImportError:  # before key integrity: second factors carry no MAC
        integrity = None

    users = [User.objects.get(username=KEYHOLDER)]
    for i in range(sign_in_users):
        users.append(
            services.create_user(
                actor=None,
                actor_private_key=None,
                username=SIGN_IN_USER.format(i),
                password=PASSWORD,
                roles={Role.OPERATOR},
                must_change_password=False,
            )
        )
    authenticators = {}
    for user in users:
        device = TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True)
        if integrity is not None:
            integrity.seal_factors(user)
        authenticators[user.username] = {
            "key": device.key,
            "step": device.step,
            "t0": device.t0,
            "digits": device.digits,
        }
    triage = Triage(region="RU-CE", threatened_by=["relatives", "police"], outed_to_family="yes")
    thread = hotline_services.open_thread(triage=triage, text=_text(1, 900), files=[]).thread
    print(json.dumps({"thread": str(thread.pk), "authenticators": authenticators}))


def totp_code(authenticator: dict[str, Any]) -> str:
    """The current RFC 6238 code of a django-otp TOTP device (HMAC-SHA1, as the devices compute it)."""
    counter = int((time.time() - authenticator["t0"]) // authenticator["step"])
    digest = hmac.new(bytes.fromhex(authenticator["key"]), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10 ** authenticator["digits"]).zfill(authenticator["digits"])


def sign_in(port: int, username: str, authenticator: dict[str, Any]) -> tuple[Browser, float, float]:
    """Password, then the authenticator code; the two POSTs' latencies in seconds."""
    browser = Browser(port)
    token = browser.get("/staff/login/").csrf_token()
    fields = [("csrfmiddlewaretoken", token), ("username", username), ("password", PASSWORD)]
    password_step = browser.post("/staff/login/", fields)
    if password_step.status != 302 or "/staff/login/verify/" not in (
        password_step.headers.get("Location") or ""
    ):
        location = password_step.headers.get("Location")
        raise RuntimeError(f"password step for {username} answered {password_step.status} {location}")
    token = browser.get("/staff/login/verify/").csrf_token()
    code = totp_code(authenticator)
    factor_step = browser.post("/staff/login/verify/", [("csrfmiddlewaretoken", token), ("code", code)])
    if factor_step.status != 302 or "/staff/login/" in (factor_step.headers.get("Location") or ""):
        location = factor_step.headers.get("Location")
        raise RuntimeError(f"second-factor step for {username} answered {factor_step.status} {location}")
    return browser, password_step.seconds, factor_step.seconds


def _sign_in_figures(port: int, authenticators: dict[str, Any]) -> dict[str, Any]:
    names = [SIGN_IN_USER.format(i) for i in range(SIGN_IN_WARMUP + SIGN_IN_SAMPLES)]
    for name in names[:SIGN_IN_WARMUP]:
        sign_in(port, name, authenticators[name])
    password, factor, total = [], [], []
    for name in names[SIGN_IN_WARMUP:]:
        _, first, second = sign_in(port, name, authenticators[name])
        password.append(first)
        factor.append(second)
        total.append(first + second)
    return {
        "users": SIGN_IN_SAMPLES,
        "warmup": SIGN_IN_WARMUP,
        "password_step": _summary(password, "ms"),
        "second_factor_step": _summary(factor, "ms"),
        "both_steps": _summary(total, "ms"),
    }


def _fill_thread(browser: Browser, path: str) -> dict[str, int]:
    """Replies and internal notes in turn, through the thread page's forms, up to THREAD_MESSAGES."""
    rng = random.Random(SPREAD_SEED)
    posted = {"reply": 0, "note": 0}
    for marker in range(2, THREAD_MESSAGES + 1):
        form = "reply" if marker % 2 == 0 else "note"
        token = browser.get(path).csrf_token()
        text = _text(marker, rng.randint(80, 700))
        response = browser.post(f"{path}{form}/", [("csrfmiddlewaretoken", token), (form, text)])
        if response.status != 302:
            raise RuntimeError(f"POST {path}{form}/ answered {response.status}: {response.text[:300]}")
        posted[form] += 1
    return posted


def _thread_page_figures(port: int, thread_id: str, authenticator: dict[str, Any]) -> dict[str, Any]:
    browser, _, _ = sign_in(port, KEYHOLDER, authenticator)
    path = f"/staff/hotline/{thread_id}/"
    posted = _fill_thread(browser, path)
    for _ in range(PAGE_WARMUP):
        browser.get(path)
    samples = []
    for _ in range(PAGE_REQUESTS):
        response = browser.get(path)
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}")
        samples.append(response.seconds)
    shown = len(set(_MARKER.findall(response.text)))
    if shown != THREAD_MESSAGES:
        raise RuntimeError(f"the thread page shows {shown} of {THREAD_MESSAGES} messages")
    return {
        "path": "/staff/hotline/<thread id>/",
        "messages_shown": shown,
        "from_the_person": 1,
        "replies": posted["reply"],
        "notes": posted["note"],
        "page_bytes": len(response.body),
        "warmup": PAGE_WARMUP,
        **_summary(samples, "ms"),
    }


def corridor_source(inst: Installation) -> str:
    """Where the server's environment imports corridor from (which checkout is being measured)."""
    out = run_corridor(inst.env, "shell", "-c", "import corridor; print(corridor.__file__)")
    return out.strip().splitlines()[-1]


def http_figures() -> dict[str, Any]:
    with installation(CHEAP_COST) as inst:
        source = corridor_source(inst)
        start = load_average()
        seeded = json.loads(_run_module(inst, "seed", str(SIGN_IN_WARMUP + SIGN_IN_SAMPLES)).splitlines()[-1])
        authenticators = seeded["authenticators"]
        with running_server(inst) as server:
            signing_in = _sign_in_figures(server.port, authenticators)
            page = _thread_page_figures(server.port, seeded["thread"], authenticators[KEYHOLDER])
        return {
            "corridor_source": source,
            # Only installations with key integrity write a pins file at init.
            "pins_file_written_at_init": (inst.data_dir / "key_pins").exists(),
            "argon2": {k: int(v) for k, v in CHEAP_COST.items()},
            "workers": 2,
            "load_average": {"start": start, "end": load_average()},
            "sign_in": signing_in,
            "thread_page": page,
        }


# --- everything -------------------------------------------------------------------------


def run() -> dict[str, Any]:
    return {
        "in_process": in_process_figures(),
        "padding": padding_figures(),
        "http": http_figures(),
    }


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["in-process"]:
            print(json.dumps(measure_in_process(), ensure_ascii=False))
        case ["seed", count]:
            seed(int(count))
        case ["http"]:
            print(json.dumps(http_figures(), indent=2, ensure_ascii=False))
        case _:
            sys.exit("usage: python -m benchmarks.integrity http (the rest runs via python -m benchmarks)")
