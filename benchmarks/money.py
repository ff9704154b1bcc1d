"""Figures for money: the donor report over 100,000 expenses, in-process and over HTTP.

Each database (SQLite, and PostgreSQL when one answers on 127.0.0.1:5432) gets a throwaway
installation. The expenses are bulk-written (the report reads plain columns only, so their
envelopes are placeholders): 30,000 cases, 100,000 expenses over two years in three
currencies and five budget lines, about 6 % over the threshold with their spend approvals
(approved, waiting or rejected), and a departure for 40 % of the people. `python -m
benchmarks.money seed COUNT` and `python -m benchmarks.money in-process` run as subprocesses
with the installation's settings; they are not meant to be run by hand.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks._server import CHEAP_COST, Installation, running_server
from benchmarks.cases import postgres_reachable
from benchmarks.hotline import _percentile, _summary_ms, _target, seed_threads, sign_in_operator
from benchmarks.integrity import load_average
from benchmarks.staff_load import database, installation_on

EXPENSES = 100_000
PEOPLE_PER_EXPENSE = 0.3
REPORT_TARGET_MS = 1_000
IN_PROCESS_REPEATS = 7
PAGE_WARMUP = 2
PAGE_REQUESTS = 10
BATCH = 5_000
CATEGORY_WEIGHTS = {
    "transport": 30,
    "housing": 25,
    "food": 20,
    "medical": 8,
    "documents": 6,
    "visas_tickets": 7,
    "communication": 4,
}
# Amount ranges per currency: most under the threshold, a few above it.
CURRENCIES = {"EUR": (5, 400), "RUB": (300, 35_000), "USD": (5, 450)}
CURRENCY_WEIGHTS = {"EUR": 50, "RUB": 45, "USD": 5}


def seed(count: int) -> None:
    """Bulk-write cases, budget lines, expenses, spend approvals and departures; print what was written."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction

    from corridor.accounts.models import User
    from corridor.cases.models import Approval, Case, DataKey, Stage, StageChange
    from corridor.evacuation.money.models import BudgetLine, Expense

    rng = random.Random(11)
    coordinator = User.objects.get(username="benchkeys")
    start = datetime(2024, 12, 1, tzinfo=UTC)
    people = max(1, int(count * PEOPLE_PER_EXPENSE))
    with transaction.atomic():
        lines = [
            BudgetLine.objects.create(
                name=f"Fund {i}",
                kind="donor" if i % 2 else "programme",
                currency="EUR" if i < 3 else "RUB",
                amount=1_000_000,
                opened_by=coordinator,
                opened_at=start,
            )
            for i in range(5)
        ]
    cases: list[tuple[uuid.UUID, datetime]] = []
    for first in range(0, people, BATCH):
        with transaction.atomic():
            keys = DataKey.objects.bulk_create(
                DataKey(owner=f"bench.money:{i}", purpose="staff", created_at=start)
                for i in range(first, min(people, first + BATCH))
            )
            rows = []
            changes = []
            for key in keys:
                opened = start + timedelta(minutes=rng.randrange(0, 700 * 24 * 60))
                case = Case(
                    code=f"M-{uuid.uuid4().hex[:8].upper()}",
                    origin="hotline",
                    key=key,
                    stage=Stage.SCREENING,
                    urgency=3,
                    created_at=opened,
                    stage_changed_at=opened,
                    last_contact_at=opened,
                    profile=b"",
                )
                rows.append(case)
                cases.append((case.id, opened))
                if rng.random() < 0.4:
                    changes.append(
                        StageChange(
                            case=case,
                            from_stage=Stage.RELOCATING,
                            to_stage=Stage.DEPARTED,
                            reason="progress",
                            at=opened + timedelta(days=rng.uniform(20, 160)),
                        )
                    )
            Case.objects.bulk_create(rows)
            StageChange.objects.bulk_create(changes)
    currencies = list(CURRENCY_WEIGHTS)
    categories = list(CATEGORY_WEIGHTS)
    approvals = {"approved": 0, "pending": 0, "rejected": 0}
    for first in range(0, count, BATCH):
        with transaction.atomic():
            expenses = []
            pending_approvals = []
            for _ in range(min(BATCH, count - first)):
                case_id, opened = cases[rng.randrange(len(cases))]
                currency = rng.choices(currencies, weights=list(CURRENCY_WEIGHTS.values()))[0]
                low, high = CURRENCIES[currency]
                amount = round(rng.uniform(low, high), 2)
                spent = min(opened + timedelta(days=rng.uniform(0, 120)), start + timedelta(days=729))
                approval = None
                if amount > settings.CORRIDOR_MONEY_THRESHOLDS[currency]:
                    status = rng.choices(["approved", "pending", "rejected"], weights=[70, 20, 10])[0]
                    approvals[status] += 1
                    approval = Approval(
                        case_id=case_id,
                        kind="spend",
                        subject=f"{int(amount) + 1} {currency}",
                        cycle=1,
                        status=status,
                        requested_at=spent,
                        decided_at=None if status == "pending" else spent,
                    )
                    pending_approvals.append(approval)
                expenses.append(
                    Expense(
                        case_id=case_id,
                        budget_line=lines[rng.randrange(len(lines))],
                        category=rng.choices(categories, weights=list(CATEGORY_WEIGHTS.values()))[0],
                        amount=amount,
                        currency=currency,
                        month=date(spent.year, spent.month, 1),
                        approval=approval,
                        recorded_at=spent,
                        details=b"\x00" * 64,
                    )
                )
            Approval.objects.bulk_create(pending_approvals)
            Expense.objects.bulk_create(expenses)
    print(
        json.dumps(
            {"expenses": count, "people": people, "spend_approvals": approvals, "line": str(lines[0].pk)}
        )
    )


def _timed(action: Callable[[], Any]) -> dict[str, Any]:
    action()  # warm the caches and the query plans once
    seconds = []
    for _ in range(IN_PROCESS_REPEATS):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    summary = _summary_ms(seconds)
    return {**summary, **_target(summary["max"], REPORT_TARGET_MS)}


def measure_in_process(line_id: str) -> dict[str, Any]:
    """The report's queries and its CSV, timed call by call in this process."""
    import django

    django.setup()
    from corridor.evacuation.money import report
    from corridor.evacuation.money.models import BudgetLine

    line = BudgetLine.objects.get(pk=line_id)
    full = report.donor_report()
    return {
        "people_in_report": full.people,
        "departed_in_report": full.departed,
        "cells": len(full.by_category) + len(full.by_month),
        "suppressed_cells": sum(c.suppressed for c in full.by_category + full.by_month),
        "report_all": _timed(report.donor_report),
        "report_one_year_one_line": _timed(
            lambda: report.donor_report(start=date(2025, 1, 1), end=date(2025, 12, 1), line=line)
        ),
        "report_and_csv": _timed(lambda: report.report_csv(report.donor_report())),
    }


def _run_module(inst: Installation, *args: str) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - this very module, fixed arguments
        [sys.executable, "-m", "benchmarks.money", *args],
        env=inst.env,
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"benchmarks.money {args[0]} failed:\n{result.stdout}\n{result.stderr[-3000:]}")
    return time.perf_counter() - started, json.loads(result.stdout.strip().splitlines()[-1])


def _pages(browser: Any, path: str) -> dict[str, Any]:
    probe = browser.get(path)
    if probe.status != 200:
        return {"failed": f"GET {path} answered {probe.status}"}
    for _ in range(PAGE_WARMUP):
        browser.get(path)
    responses = [browser.get(path) for _ in range(PAGE_REQUESTS)]
    if any(response.status != 200 for response in responses):
        return {"failed": f"GET {path} did not always answer 200"}
    summary = _summary_ms([response.seconds for response in responses])
    return {
        "path": path,
        "bytes": len(responses[-1].body),
        **summary,
        **_target(_percentile(sorted(r.seconds for r in responses), 0.95) * 1000, REPORT_TARGET_MS),
    }


def figures_on(kind: str, count: int) -> dict[str, Any]:
    with database(kind) as url, installation_on(url) as inst:
        inst.env.update(CHEAP_COST)
        seed_threads(inst, 0)  # the key holder's (a coordinator's) authenticator
        seed_seconds, seeded = _run_module(inst, "seed", str(count))
        _seconds, measured = _run_module(inst, "in-process", seeded["line"])
        with running_server(inst) as server:
            start_load = load_average()
            browser = sign_in_operator(inst, server.port)
            http = {
                "report_page": _pages(browser, "/staff/evacuation/money/report/"),
                "report_csv": _pages(browser, "/staff/evacuation/money/report.csv"),
                "report_page_filtered": _pages(
                    browser,
                    f"/staff/evacuation/money/report/?start=2025-01&end=2025-12&line={seeded['line']}",
                ),
            }
            end_load = load_average()
        return {
            "database": kind,
            "seeded": {**seeded, "seconds": round(seed_seconds, 1)},
            "in_process": measured,
            "http": http,
            "load_average": {"start": start_load, "end": end_load},
        }


def run(count: int = EXPENSES) -> dict[str, Any]:
    figures: dict[str, Any] = {"expenses": count, "sqlite": figures_on("sqlite", count)}
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
        case ["in-process", line]:
            print(json.dumps(measure_in_process(line), ensure_ascii=False))
        case ["run", count]:
            print(json.dumps(run(int(count)), indent=2, ensure_ascii=False))
        case _:
            sys.exit("usage: python -m benchmarks.money run COUNT (the rest runs via python -m benchmarks)")
