"""Figures for the cases app: pipeline pages with 100,000 cases, the case page, intake check, re-keying.

Each database (SQLite, and PostgreSQL when one answers on 127.0.0.1:5432) gets a throwaway
installation. `python -m benchmarks.cases seed COUNT` and `python -m benchmarks.cases
in-process COUNT` run as subprocesses with the installation's settings; they are not
meant to be run by hand.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks._server import (
    ADMIN,
    CHEAP_COST,
    KEYHOLDER,
    PASSWORD,
    Browser,
    Installation,
    running_server,
)
from benchmarks.hotline import _percentile, _summary_ms, _target, seed_threads, sign_in_operator
from benchmarks.integrity import load_average
from benchmarks.staff_load import POSTGRES_ADMIN_URL, database, installation_on

CASES = 100_000
KEYHOLDER_CASES = 200
CASEWORKERS = 20
CASEWORKER = "benchcw{:02d}"
SEED_BATCH = 2_000
LIST_P95_TARGET_MS = 150
CASE_PAGE_P95_TARGET_MS = 100
CHECK_TARGET_MS = 5
REKEY_TARGET_MS = 1_000
TIMELINE_ENTRIES = 200
REKEY_ENVELOPES = 500
REKEY_REPEATS = 3
CHECK_CALLS = 500
THREAD_CHECK_CALLS = 100
PAGE_WARMUP = 3
PAGE_REQUESTS = 50
NOTE_MARK = "Созвонились вечером"
_CODE = re.compile(r"\bC-[A-Z2-9]{6}\b")
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# Weighted toward the early stages, as a pipeline is: most people are still being screened.
STAGE_WEIGHTS = {
    "intake": 25,
    "screening": 20,
    "vetting": 15,
    "planning": 8,
    "in_transit": 3,
    "sheltered": 5,
    "relocating": 4,
    "departed": 1,
    "arrived": 2,
    "follow_up": 3,
    "closed": 14,
}
URGENCY_WEIGHTS = {1: 5, 2: 20, 3: 40, 4: 35}
FIRST = ["Ахмед", "Ислам", "Магомед", "Зелимхан", "Руслан", "Аслан", "Ибрагим", "Тимур", "Хава", "Мадина"]
LAST = ["Исаев", "Магомедов", "Алиев", "Хасанов", "Юсупов", "Ибрагимов", "Абдулаев", "Гаджиев", "Умаров"]


# --- the synthetic people: identifiers derived from a case's number --------------------


def phone_of(i: int) -> str:
    return f"+7 928 {i // 10_000 % 1_000:03d}-{i // 100 % 100:02d}-{i % 100:02d}"


def email_of(i: int) -> str:
    return f"person{i}@example.org"


def handle_of(i: int) -> str:
    return f"@person_{i}"


def name_of(i: int) -> str:
    return f"{FIRST[i % len(FIRST)]} {LAST[i // len(FIRST) % len(LAST)]} {i}"


def has_email(i: int) -> bool:
    return i % 2 == 0


# --- 1. seeding 100,000 cases around the services ----------------------------------------


def seed(count: int) -> None:
    """Bulk-write `count` cases with real envelopes and blind indexes; print what was written as JSON."""
    import django

    django.setup()
    from django.db import transaction

    from corridor.accounts import services as accounts
    from corridor.accounts.models import Role, User
    from corridor.cases import identifiers, sealing, services
    from corridor.cases import keys as data_keys
    from corridor.cases.models import (
        BlockedIdentifier,
        Case,
        CaseFlag,
        CaseIdentifier,
        DataKey,
        FlagKind,
        FlagReason,
        KeyPurpose,
        Origin,
        Outcome,
        VettingFailure,
        WrapRecipient,
    )
    from corridor.cases.profile import Profile, profile_identifiers
    from corridor.crypto.envelope import generate_key
    from corridor.hotline.triage import REGIONS, first_response_window

    keyholder = User.objects.get(username=KEYHOLDER)
    if not keyholder.has_role(Role.COORDINATOR):
        admin = User.objects.get(username=ADMIN)
        accounts.set_roles(actor=admin, user=keyholder, roles={*keyholder.role_codes, Role.COORDINATOR})
    caseworkers = [
        accounts.create_user(
            actor=None,
            actor_private_key=None,
            username=CASEWORKER.format(n),
            password=PASSWORD,
            roles={Role.CASEWORKER},
            must_change_password=False,
        )
        for n in range(CASEWORKERS)
    ]
    unlocked = accounts.unlock_with_password(KEYHOLDER, PASSWORD)
    if unlocked is None:
        raise RuntimeError("the key holder's password does not unlock their key")
    index_key = services.index_key_for(keyholder, unlocked.private_key)
    if index_key is None:
        raise RuntimeError("the key holder holds no index key")

    rng = random.Random(20261202)
    stages, stage_weights = list(STAGE_WEIGHTS), list(STAGE_WEIGHTS.values())
    urgencies, urgency_weights = list(URGENCY_WEIGHTS), list(URGENCY_WEIGHTS.values())
    regions = [code for code, _ in REGIONS]
    kinds = [kind for kind in FlagKind.values if kind != FlagKind.SECURITY_CONCERN]
    outcomes = list(Outcome.values)
    mine = set(rng.sample(range(count), min(KEYHOLDER_CASES, count)))
    codes: set[str] = set()
    now = datetime.now(UTC)
    written = {"cases": 0, "identifiers": 0, "flags": 0, "blocked": 0, "keyholder_wraps": 0}

    def new_code() -> str:
        while True:
            code = "C-" + "".join(rng.choice(_CODE_ALPHABET) for _ in range(6))
            if code not in codes:
                codes.add(code)
                return code

    for first in range(0, count, SEED_BATCH):
        keys_rows, cases, idents, flags, blocks = [], [], [], [], []
        granted: list[tuple[DataKey, bytes]] = []
        for i in range(first, min(first + SEED_BATCH, count)):
            stage = rng.choices(stages, stage_weights)[0]
            urgency = rng.choices(urgencies, urgency_weights)[0]
            created = now - timedelta(days=rng.uniform(0, 720))
            changed = created + (now - created) * rng.random()
            case_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            key = generate_key()
            key_row = DataKey(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                owner=f"cases.Case:{case_id}",
                purpose=KeyPurpose.CASE,
                version=1,
                created_at=created,
            )
            if i in mine:
                caseworker: User | None = keyholder
            elif stage == "intake" and rng.random() < 0.3:
                caseworker = None
            else:
                caseworker = rng.choice(caseworkers)
            outcome = reason = ""
            if stage == "closed":
                outcome = rng.choice(outcomes)
                reason = rng.choice(VettingFailure.values) if outcome == Outcome.FAILED_VETTING else ""
            case = Case(
                id=case_id,
                code=new_code(),
                origin=rng.choice([Origin.PARTNER, Origin.IN_PERSON]),
                key=key_row,
                stage=stage,
                outcome=outcome,
                outcome_reason=reason,
                urgency=urgency,
                response_due_at=created + first_response_window(urgency),
                region=rng.choice(regions),
                caseworker=caseworker,
                created_by=keyholder,
                created_at=created,
                stage_changed_at=changed,
                last_contact_at=changed + (now - changed) * rng.random(),
                closed_at=changed if stage == "closed" else None,
            )
            profile = Profile(
                names=[name_of(i)] if rng.random() < 0.5 else [],
                birth=str(rng.randint(1970, 2006)),
                phones=[phone_of(i)],
                emails=[email_of(i)] if has_email(i) else [],
                handles=[] if has_email(i) else [handle_of(i)],
                location="У знакомых, частный дом на окраине, второй этаж, окна во двор.",
                family="Отец и старший брат ищут; мать на связи через соседку.",
                risk_notes="Искали через общих знакомых; телефон мог быть просмотрен." * rng.randint(0, 3),
            )
            case.profile = sealing.seal_row(key, 1, case, "profile", profile.as_dict())
            digests = identifiers.digests_of(index_key, profile_identifiers(profile))
            idents += [CaseIdentifier(case=case, kind=kind, digest=digest) for kind, digest in digests]
            if outcome == Outcome.FAILED_VETTING:
                blocks += [
                    BlockedIdentifier(kind=kind, digest=digest, source_case=case, added_at=changed)
                    for kind, digest in digests
                    if kind == "phone"
                ]
            if stage != "closed" and rng.random() < 0.03:
                flags.append(
                    CaseFlag(
                        id=uuid.UUID(int=rng.getrandbits(128), version=4),
                        case=case,
                        kind=rng.choice(kinds),
                        reason=FlagReason.STAFF_REPORT,
                        raised_by=caseworker,
                        raised_at=changed,
                    )
                )
            keys_rows.append(key_row)
            cases.append(case)
            if i in mine:
                granted.append((key_row, key))
        with transaction.atomic():
            DataKey.objects.bulk_create(keys_rows)
            Case.objects.bulk_create(cases)
            CaseIdentifier.objects.bulk_create(idents)
            CaseFlag.objects.bulk_create(flags)
            BlockedIdentifier.objects.bulk_create(blocks, ignore_conflicts=True)
            for key_row, key in granted:
                data_keys.seal_to_user(key_row, key, keyholder, granted_by=None)
                data_keys.seal_to_org(key_row, key, [WrapRecipient.RECOVERY])
        written["cases"] += len(cases)
        written["identifiers"] += len(idents)
        written["flags"] += len(flags)
        written["blocked"] += len(blocks)
        written["keyholder_wraps"] += len(granted)
    print(json.dumps({**written, "search_phone": phone_of(min(mine)) if mine else phone_of(0)}))


def _run_module(inst: Installation, *args: str, timeout: float = 1_200) -> tuple[float, dict[str, Any]]:
    """This module as a subprocess with the installation's settings; its seconds and the JSON it printed."""
    start = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - this very module, fixed arguments
        [sys.executable, "-m", "benchmarks.cases", *args],
        env=inst.env,
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"benchmarks.cases {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        )
    return time.perf_counter() - start, json.loads(result.stdout.splitlines()[-1])


# --- 2-4. in-process: the intake check, the case page's case, re-keying --------------------


def _timed(call: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def _summary_fine(seconds: list[float]) -> dict[str, Any]:
    """Like `_summary_ms`, to the microsecond: these calls take a few milliseconds or less."""
    ordered = sorted(seconds)
    return {
        "unit": "ms",
        "median": round(statistics.median(ordered) * 1000, 3),
        "p95": round(_percentile(ordered, 0.95) * 1000, 3),
        "max": round(ordered[-1] * 1000, 3),
        "samples": len(ordered),
    }


def measure_in_process(count: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import NotSupportedError

    from corridor.accounts import services as accounts
    from corridor.accounts.models import User
    from corridor.cases import grants, identifiers, reading, services, workflow
    from corridor.cases.models import (
        ApprovalKind,
        Case,
        CaseFlag,
        ContactChannel,
        FlagKind,
        FlagReason,
        Origin,
        Stage,
    )
    from corridor.cases.profile import Profile
    from corridor.hotline import services as hotline
    from corridor.hotline.triage import Triage

    def private_key(username: str) -> bytes:
        unlocked = accounts.unlock_with_password(username, PASSWORD)
        if unlocked is None:
            raise RuntimeError(f"{username}'s password does not unlock their key")
        return unlocked.private_key

    keyholder = User.objects.get(username=KEYHOLDER)
    mine = private_key(KEYHOLDER)
    deciders = [User.objects.get(username=CASEWORKER.format(n)) for n in range(2)]
    decider_keys = [private_key(user.username) for user in deciders]
    rng = random.Random(4)
    failures: dict[str, str] = {}
    start_load = load_average()

    # 3. The intake check: three identifiers of a person, against every case and the blocklist.
    index_key = services.index_key_for(keyholder, mine)  # once per request in a view: not timed here
    if index_key is None:
        raise RuntimeError("the key holder holds no index key")
    people = [rng.randrange(int(count * 1.25) + 1) for _ in range(CHECK_CALLS)]  # a fifth are new
    parts: dict[str, list[float]] = {"digests_of": [], "cases_sharing": [], "blocked": [], "total": []}
    found = 0
    for i in people:
        pairs = [("phone", phone_of(i)), ("email", email_of(i)), ("handle", handle_of(i))]
        t0 = time.perf_counter()
        digests = identifiers.digests_of(index_key, pairs)
        t1 = time.perf_counter()
        sharing = identifiers.cases_sharing(digests)
        t2 = time.perf_counter()
        identifiers.blocked(digests)
        t3 = time.perf_counter()
        found += bool(sharing)
        for name, seconds in (("digests_of", t1 - t0), ("cases_sharing", t2 - t1), ("blocked", t3 - t2)):
            parts[name].append(seconds)
        parts["total"].append(t3 - t0)
    check: dict[str, Any] = {name: _summary_fine(samples) for name, samples in parts.items()}
    check["total"].update(_target(check["total"]["p95"], CHECK_TARGET_MS))
    check["people_with_a_match"] = found
    check["calls"] = CHECK_CALLS
    # The whole service at a web request's intake: index key unsealed (and audited), contact
    # text parsed for phones, e-mails and handles, the same queries, the minimal cards.
    # Someone already known (a duplicate to show), whose phone is not on the blocklist.
    person = next(
        i
        for i in range(count)
        if not identifiers.blocked(identifiers.digests_of(index_key, [("phone", phone_of(i))]))
    )
    contact = f"{phone_of(person)}, {email_of(person)}, telegram {handle_of(person)}"
    thread = hotline.open_thread(triage=Triage(region="RU-CE", safe_contact=contact), text="help", files=[])
    whole = _timed(
        lambda: services.check_thread_identifiers(
            user=keyholder, user_private_key=mine, thread=thread.thread, contact_text=contact
        ),
        THREAD_CHECK_CALLS,
    )
    check["check_thread_identifiers"] = _summary_fine(whole)

    # A case built through the services, as staff would build it.
    def build(notes: int, flag_pairs: int, contacts: int, risks: int) -> Case:
        new = services.open_case_directly(
            actor=keyholder,
            user_private_key=mine,
            origin=Origin.PARTNER,
            profile=Profile(names=["Бенч Человек"], phones=["+7 928 999-00-11"], location="Назрань"),
            region="RU-IN",
            urgency=2,
            factors=["threatened_by_relatives"],
            caseworker=keyholder,
        )
        case = Case.objects.select_related("key").get(pk=new.case.pk)
        for user in deciders:  # they decide with a note, under the case key
            grants.grant_case_access(actor=keyholder, user_private_key=mine, case=case, grantee=user)

        def approve(kind: str) -> None:
            approval = workflow.request_approval(
                actor=keyholder, user_private_key=mine, case=case, kind=kind, note="Прошу решения."
            )
            for user, key in zip(deciders, decider_keys, strict=True):
                workflow.decide_approval(
                    actor=user, user_private_key=key, approval=approval, decision="approve", note="Согласен."
                )

        for stage, gate in ((Stage.SCREENING, None), (Stage.VETTING, ApprovalKind.ELIGIBILITY)):
            if gate:
                approve(gate)
            case = Case.objects.select_related("key").get(pk=case.pk)
            workflow.move_case(actor=keyholder, user_private_key=mine, case=case, to_stage=stage)
        case = Case.objects.select_related("key").get(pk=case.pk)
        flag_kinds = [FlagKind.ON_HOLD, FlagKind.MEDICAL_HOLD, FlagKind.SECURITY_CONCERN, FlagKind.DETAINED]
        for n in range(flag_pairs):
            flag = workflow.raise_flag(
                actor=keyholder,
                user_private_key=mine,
                case=case,
                kind=flag_kinds[n % len(flag_kinds)],
                reason=FlagReason.STAFF_REPORT,
                note="Сообщили знакомые, проверяем.",
            )
            workflow.clear_flag(
                actor=keyholder, user_private_key=mine, flag=flag, note="Проверено, всё в порядке."
            )
        for n in range(contacts):
            services.log_contact(
                actor=keyholder,
                user_private_key=mine,
                case=case,
                channel=ContactChannel.values[n % len(ContactChannel.values)],
                text="Созвонились, всё спокойно.",
            )
        for n in range(risks):
            try:
                services.reassess_risk(
                    actor=keyholder,
                    user_private_key=mine,
                    case=case,
                    factors=["threatened_by_relatives", "outed"][: 1 + n % 2],
                )
            except NotSupportedError as exc:
                # A failure of the service on this database, reported with the figures; a note
                # takes its place (one timeline entry, one envelope, as an assessment).
                failures.setdefault("reassess_risk", f"{type(exc).__name__}: {exc}")
                notes += 1
        filler = "Говорит, что брат снова приходил к соседям и спрашивал о нём. "
        for n in range(notes):
            services.add_case_note(
                actor=keyholder,
                user_private_key=mine,
                case=case,
                text=f"{NOTE_MARK} ({n + 1}). " + filler * (1 + n % 4),
            )
        return Case.objects.select_related("key").get(pk=case.pk)

    # 2. The case page's case. Timeline entries: the opening (a stage change and a risk
    # assessment), 2 moves, 1 approval (the request and 2 decisions), 10 flags raised and
    # cleared, 15 contacts, 5 re-assessments, and notes up to 200.
    fixed_entries = 2 + 2 + 3 + 2 * 10 + 15 + 5
    page_case = build(notes=TIMELINE_ENTRIES - fixed_entries, flag_pairs=10, contacts=15, risks=5)
    assert CaseFlag.objects.filter(case=page_case, cleared_at__isnull=True).count() == 0
    shown = reading.case_for_staff(user=keyholder, user_private_key=mine, case=page_case).timeline
    if len(shown) != TIMELINE_ENTRIES:
        raise RuntimeError(f"the case's timeline holds {len(shown)} entries, not {TIMELINE_ENTRIES}")

    # 4. Re-keying. Envelopes: the profile, the first risk factors, 1 approval (its note and 2
    # decision notes), 10 flags (note and clearing note), 20 contact notes, 5 re-assessments,
    # and notes up to 500 (stage changes carry no note here: nothing to re-seal).
    fixed_envelopes = 1 + 1 + 3 + 2 * 10 + 20 + 5
    rekeys = []
    for _ in range(REKEY_REPEATS):
        case = build(notes=REKEY_ENVELOPES - fixed_envelopes, flag_pairs=10, contacts=20, risks=5)
        start = time.perf_counter()
        resealed = grants.revoke_case_access(
            actor=keyholder, user_private_key=mine, case=case, user=deciders[0], rekey=True
        )
        rekeys.append({"ms": round((time.perf_counter() - start) * 1000, 1), "envelopes_resealed": resealed})
    worst = max(r["ms"] for r in rekeys)
    return {
        "load_average": {"start": start_load, "end": load_average()},
        "service_failures": failures,
        "intake_check": check,
        "page_case": str(page_case.pk),
        "revoke_with_rekey": {"runs": rekeys, "max_ms": worst, **_target(worst, REKEY_TARGET_MS)},
    }


# --- 1-2. over HTTP --------------------------------------------------------------------------


def _series(
    browser: Browser,
    path: str,
    target_ms: float,
    form: list[tuple[str, str]] | None = None,
    mark: str = "",
) -> Any:
    """Warm-up then timed requests (a GET, or a POST of `form` with the page's CSRF token)."""
    probe = browser.get(path)
    if probe.status == 404:
        return {"skipped": "view not built yet"}
    if probe.status != 200:  # a finding to report beside the others, not a reason to lose them
        return {"failed": f"GET {path} answered {probe.status}"}
    fields = [("csrfmiddlewaretoken", probe.csrf_token()), *form] if form is not None else None

    def once() -> Any:
        response = browser.post(path, fields) if fields is not None else browser.get(path)
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}")
        return response

    for _ in range(PAGE_WARMUP):
        once()
    responses = [once() for _ in range(PAGE_REQUESTS)]
    summary = _summary_ms([r.seconds for r in responses])
    return {
        "path": path + (" (POST)" if fields is not None else ""),
        "case_codes_shown": len(set(_CODE.findall(responses[-1].text))),
        **({"notes_shown": responses[-1].text.count(mark)} if mark else {}),
        "page_bytes": len(responses[-1].body),
        **summary,
        **_target(summary["p95"], target_ms),
    }


def figures_on(kind: str, count: int) -> dict[str, Any]:
    with database(kind) as url, installation_on(url) as inst:
        inst.env.update(CHEAP_COST)  # caseworkers seeded here; the key holder keeps init's cost
        seed_threads(inst, 0)  # the key holder's authenticator
        seed_seconds, seeded = _run_module(inst, "seed", str(count))
        in_process_seconds, measured = _run_module(inst, "in-process", str(count))
        with running_server(inst) as server:
            start_load = load_average()
            browser = sign_in_operator(inst, server.port)
            pages = {
                "board_counts": _series(browser, "/staff/cases/board/", LIST_P95_TARGET_MS),
                "board_vetting": _series(browser, "/staff/cases/board/?stage=vetting", LIST_P95_TARGET_MS),
                "my_cases": _series(browser, "/staff/cases/", LIST_P95_TARGET_MS),
                "search_phone": _series(
                    browser,
                    "/staff/cases/search/",
                    LIST_P95_TARGET_MS,
                    form=[("kind", "phone"), ("value", seeded["search_phone"]), ("code", "")],
                ),
                "case_page": _series(
                    browser, f"/staff/cases/{measured['page_case']}/", CASE_PAGE_P95_TARGET_MS, mark=NOTE_MARK
                ),
            }
            http_load = {"start": start_load, "end": load_average()}
        return {
            "database": kind,
            "seed": {
                "seconds": round(seed_seconds, 1),
                **{k: v for k, v in seeded.items() if k != "search_phone"},
                "caseworkers": CASEWORKERS,
            },
            "pages": pages,
            "pages_load_average": http_load,
            "in_process_seconds": round(in_process_seconds, 1),
            "in_process_load_average": measured["load_average"],
            "service_failures": measured["service_failures"],
            "intake_check": measured["intake_check"],
            "revoke_with_rekey": measured["revoke_with_rekey"],
        }


def postgres_reachable() -> str:
    """Empty if PostgreSQL answers on loopback; else why not."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return ""
    except Exception as exc:  # any failure means: skip PostgreSQL
        return f"PostgreSQL not reachable: {type(exc).__name__}"


def run(count: int = CASES) -> dict[str, Any]:
    figures: dict[str, Any] = {"cases": count, "sqlite": figures_on("sqlite", count)}
    unreachable = postgres_reachable()
    if unreachable:
        figures["postgres"] = {"skipped": unreachable}
    else:
        try:
            figures["postgres"] = figures_on("postgres", count)
        except RuntimeError as exc:  # the SQLite figures stand; the database is dropped regardless
            figures["postgres"] = {"failed": str(exc)[-3000:]}
    return figures


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["seed", count]:
            seed(int(count))
        case ["in-process", count]:
            print(json.dumps(measure_in_process(int(count)), ensure_ascii=False))
        case ["run", count]:
            print(json.dumps(run(int(count)), indent=2, ensure_ascii=False))
        case _:
            sys.exit("usage: python -m benchmarks.cases run COUNT (the rest runs via python -m benchmarks)")
