"""Figures for evacuation: the burn view of a person with 50 exposures among 10,000 cases.

Each database (SQLite, and PostgreSQL when one answers on 127.0.0.1:5432) gets a throwaway
installation, seeded with the cases benchmark's cases (`benchmarks.cases seed`), then with
safe houses, people living in them, legs with escorts and the burned person's 50 exposures
(`python -m benchmarks.evacuation seed-burn`, through Corridor's services). The burn view
is timed in process (the report alone) and over HTTP (the whole page, signed in as the key
holder, who is a coordinator). `python -m benchmarks.evacuation seed-burn` and `in-process`
run as subprocesses with the installation's settings; they are not meant to be run by hand.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks._server import CHEAP_COST, KEYHOLDER, PASSWORD, Installation, running_server
from benchmarks.cases import _run_module as run_cases_module
from benchmarks.cases import _summary_fine, _timed, postgres_reachable
from benchmarks.hotline import _summary_ms, _target, seed_threads, sign_in_operator
from benchmarks.integrity import load_average
from benchmarks.staff_load import database, installation_on

CASES = 10_000
HOUSES = 10
RESIDENTS_PER_HOUSE = 3
KNOWN_PEOPLE = 10
KNOWN_STAFF = 10
KNOWN_LEGS = 20  # with the 10 houses: 50 exposures
BURN_TARGET_MS = 200
PAGE_WARMUP = 3
PAGE_REQUESTS = 50
IN_PROCESS_REPEATS = 50


def seed_burn() -> dict[str, Any]:
    """Houses, residents, legs and one burned person with 50 exposures, through the services."""
    import django

    django.setup()
    from corridor.accounts import services as accounts
    from corridor.accounts.models import User
    from corridor.cases import access
    from corridor.cases.models import Case
    from corridor.evacuation import houses, services
    from corridor.evacuation.models import Exposure

    keyholder = User.objects.get(username=KEYHOLDER)
    unlocked = accounts.unlock_with_password(KEYHOLDER, PASSWORD)
    if unlocked is None:
        raise RuntimeError("the key holder's password does not unlock their key")
    key = unlocked.private_key
    mine = list(access.my_cases(keyholder).order_by("code")[: 1 + KNOWN_PEOPLE])
    burned, known_people = mine[0], mine[1:]
    others = list(
        Case.objects.exclude(pk__in=[c.pk for c in mine])
        .exclude(stage="closed")
        .order_by("code")[: HOUSES * RESIDENTS_PER_HOUSE + KNOWN_LEGS]
    )
    staff = list(User.objects.filter(username__startswith="benchcw").order_by("username")[:KNOWN_STAFF])
    now = datetime.now(UTC)
    built_houses = [
        houses.create_house(
            actor=keyholder,
            code_name=f"Bench house {n:02d}",
            region="RU-MOW",
            capacity=RESIDENTS_PER_HOUSE + 1,
            details=houses.HouseDetails(address=f"Бенчмарк, д. {n}", contacts="+7 900 000-00-00"),
        )
        for n in range(HOUSES)
    ]
    residents = iter(others[: HOUSES * RESIDENTS_PER_HOUSE])
    for house in built_houses:
        for _ in range(RESIDENTS_PER_HOUSE):
            services.place_in_house(
                actor=keyholder, user_private_key=key, case=next(residents), house=house, starts_at=now
            )
    services.place_in_house(
        actor=keyholder,
        user_private_key=key,
        case=burned,
        house=built_houses[0],
        starts_at=now - timedelta(days=30),
        ends_at=now - timedelta(days=1),
        note="Жил в комнате у окна.",
    )
    disclosed = now - timedelta(days=2)
    for house in built_houses[1:]:
        services.record_exposure(
            actor=keyholder,
            user_private_key=key,
            case=burned,
            kind="house",
            house=house,
            disclosed_at=disclosed,
            note="Узнал адрес от соседа.",
        )
    for person in known_people:
        services.record_exposure(
            actor=keyholder,
            user_private_key=key,
            case=burned,
            kind="case",
            other_case=person,
            disclosed_at=disclosed,
            note="Переписывались.",
        )
    for member in staff:
        services.record_exposure(
            actor=keyholder,
            user_private_key=key,
            case=burned,
            kind="staff",
            staff=member,
            disclosed_at=disclosed,
        )
    # Legs of other people, planned by the key holder without opening their keys: the legs'
    # envelopes need a case key, so the key holder plans them on cases they hold.
    for n, traveller in enumerate(known_people * 2):
        leg = services.plan_movement(
            actor=keyholder,
            user_private_key=key,
            case=traveller,
            origin_region="RU-CE",
            destination_region="RU-MOW",
            mode="car",
            planned_departure_at=now + timedelta(days=1, hours=n),
            planned_arrival_at=now + timedelta(days=2, hours=n),
            details=services.LegDetails(origin_place="Грозный", destination_place="Москва", route="М-4"),
            escort=staff[n % len(staff)],
        )
        services.record_exposure(
            actor=keyholder,
            user_private_key=key,
            case=burned,
            kind="movement",
            movement=leg,
            disclosed_at=disclosed,
        )
    services.report_phone_seized(actor=keyholder, user_private_key=key, case=burned, note="На блокпосту.")
    return {
        "burned_case": str(burned.pk),
        "exposures": Exposure.objects.filter(case=burned).count(),
        "houses": len(built_houses),
        "residents": HOUSES * RESIDENTS_PER_HOUSE,
    }


def measure_in_process(case_id: str) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from corridor.accounts import services as accounts
    from corridor.accounts.models import User
    from corridor.cases import access
    from corridor.cases.services import open_case_key
    from corridor.evacuation import burn

    keyholder = User.objects.get(username=KEYHOLDER)
    unlocked = accounts.unlock_with_password(KEYHOLDER, PASSWORD)
    if unlocked is None:
        raise RuntimeError("the key holder's password does not unlock their key")
    case = access.get_case_for_staff(keyholder, case_id)  # type: ignore[arg-type]
    key = open_case_key(user=keyholder, user_private_key=unlocked.private_key, case=case, purpose="bench")

    def report() -> burn.BurnReport:
        return burn.burn_report(user=keyholder, case=case, key=key)

    with CaptureQueriesContext(connection) as queries:
        built = report()
    samples = _timed(report, IN_PROCESS_REPEATS)
    summary = _summary_fine(samples)
    return {
        "burn_report": {
            **summary,
            **_target(summary["p95"], BURN_TARGET_MS),
            "queries": len(queries.captured_queries),
            # Each query's milliseconds on a first run, to see where the time goes.
            "query_ms": [round(float(q["time"]) * 1000, 1) for q in queries.captured_queries],
            "known": len(built.known),
            "affected": len(built.affected),
        },
        "load_average": load_average(),
    }


def _run_module(inst: Installation, *args: str, timeout: float = 1_200) -> tuple[float, dict[str, Any]]:
    start = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - this very module, fixed arguments
        [sys.executable, "-m", "benchmarks.evacuation", *args],
        env=inst.env,
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"benchmarks.evacuation {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"  # noqa: E501
        )
    return time.perf_counter() - start, json.loads(result.stdout.splitlines()[-1])


def _page(browser: Any, path: str) -> dict[str, Any]:
    probe = browser.get(path)
    if probe.status != 200:
        return {"failed": f"GET {path} answered {probe.status}"}
    for _ in range(PAGE_WARMUP):
        browser.get(path)
    responses = [browser.get(path) for _ in range(PAGE_REQUESTS)]
    bad = [r.status for r in responses if r.status != 200]
    if bad:
        return {"failed": f"GET {path} answered {bad[0]}"}
    summary = _summary_ms([r.seconds for r in responses])
    return {
        "path": path,
        "page_bytes": len(responses[-1].body),
        **summary,
        **_target(summary["p95"], BURN_TARGET_MS),
    }


def figures_on(kind: str, count: int) -> dict[str, Any]:
    with database(kind) as url, installation_on(url) as inst:
        inst.env.update(CHEAP_COST)
        seed_threads(inst, 0)  # the key holder's authenticator
        cases_seconds, _ = run_cases_module(inst, "seed", str(count))
        burn_seconds, seeded = _run_module(inst, "seed-burn")
        _, measured = _run_module(inst, "in-process", seeded["burned_case"])
        with running_server(inst) as server:
            browser = sign_in_operator(inst, server.port)
            start_load = load_average()
            page = _page(browser, f"/staff/evacuation/cases/{seeded['burned_case']}/burn/")
            # The same signed-in request to a page that does almost nothing: the fixed cost
            # of any staff page (session, key unlock, middleware) on this machine now.
            baseline = _page(browser, "/staff/evacuation/")
            end_load = load_average()
        return {
            "database": kind,
            "seed": {
                "cases_seconds": round(cases_seconds, 1),
                "burn_seconds": round(burn_seconds, 1),
                **seeded,
            },
            "burn_report_in_process": measured["burn_report"],
            "burn_page": page,
            "baseline_page": {k: v for k, v in baseline.items() if k not in ("target_ms", "met")},
            "load_average": {"in_process": measured["load_average"], "start": start_load, "end": end_load},
        }


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
        case ["seed-burn"]:
            print(json.dumps(seed_burn(), ensure_ascii=False))
        case ["in-process", case_id]:
            print(json.dumps(measure_in_process(case_id), ensure_ascii=False))
        case ["run", count]:
            print(json.dumps(run(int(count)), indent=2, ensure_ascii=False))
        case _:
            sys.exit(
                "usage: python -m benchmarks.evacuation run COUNT (the rest runs via python -m benchmarks)"
            )
