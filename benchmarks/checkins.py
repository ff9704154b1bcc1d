"""Figures for check-ins: the worker's sweep over 10,000 running schedules, on SQLite and PostgreSQL.

Each database (SQLite, and PostgreSQL when one answers on 127.0.0.1:5432) gets a throwaway
installation (`corridor init`). `python -m benchmarks.checkins measure COUNT` runs as a
subprocess with the installation's settings; it is not meant to be run by hand. It seeds
COUNT cases, each with a caseworker holding its key and a running schedule, then times:

- `sweep_idle`: a sweep when no step is due (what most runs of the job are);
- `sweep_10_due`: 10 schedules have just missed a check-in (about what a 5-minute sweep
  meets when a tenth of 10,000 daily check-ins are missed): the first step of each (its
  row, a task for the caseworker, an audit event) and one alert;
- `sweep_1pct_due`: the same for 1 % of the schedules (100) at once;
- `sweep_all_steps_of_1pct`: 100 schedules after a long outage, all three steps due.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks._server import CHEAP_COST, PASSWORD
from benchmarks.cases import postgres_reachable
from benchmarks.hotline import _target
from benchmarks.integrity import load_average
from benchmarks.staff_load import database, installation_on

SCHEDULES = 10_000
CASEWORKERS = 20
SWEEP_TARGET_MS = 1_000
IDLE_REPEATS = 20
DUE_SHARE = 100  # one schedule in a hundred misses its check-in
FEW_DUE = 10
DUE_REPEATS = 3
SEED_BATCH = 2_000


def _seed(count: int) -> list[uuid.UUID]:
    """`count` cases with a caseworker holding the key and a running schedule due tomorrow."""
    from django.db import transaction

    from corridor.accounts import services as accounts
    from corridor.accounts.models import Role
    from corridor.cases.models import (
        Case,
        DataKey,
        DataKeyWrap,
        KeyPurpose,
        Origin,
        Stage,
        WrapRecipient,
    )
    from corridor.evacuation.checkins.models import CheckInSchedule

    workers = [
        accounts.create_user(
            actor=None,
            actor_private_key=None,
            username=f"benchcheck{n:02d}",
            password=PASSWORD,
            roles={Role.CASEWORKER},
            must_change_password=False,
        )
        for n in range(CASEWORKERS)
    ]
    accounts.create_user(
        actor=None,
        actor_private_key=None,
        username="benchcheckcoord",
        password=PASSWORD,
        roles={Role.COORDINATOR},
        must_change_password=False,
    )
    now = datetime.now(UTC)
    stages = [Stage.IN_TRANSIT, Stage.SHELTERED, Stage.SHELTERED, Stage.RELOCATING]
    ids: list[uuid.UUID] = []
    for first in range(0, count, SEED_BATCH):
        keys, cases, wraps, schedules = [], [], [], []
        for i in range(first, min(first + SEED_BATCH, count)):
            key = DataKey(owner=f"cases.Case:{uuid.uuid4()}", purpose=KeyPurpose.CASE, created_at=now)
            worker = workers[i % CASEWORKERS]
            case = Case(
                code=f"C-B{i:05d}",
                origin=Origin.PARTNER,
                key=key,
                stage=stages[i % len(stages)],
                urgency=3,
                caseworker=worker,
                created_at=now,
                stage_changed_at=now,
                last_contact_at=now,
                profile=b"",
            )
            # The sweep opens no key: the wrap stands for the grant (a sealed box would be 80 bytes).
            wraps.append(
                DataKeyWrap(
                    key=key,
                    purpose=KeyPurpose.CASE,
                    version=1,
                    recipient=WrapRecipient.USER,
                    user=worker,
                    sealed=bytes(80),
                    created_at=now,
                )
            )
            interval = 180 if case.stage == Stage.IN_TRANSIT else 1440
            due = now + timedelta(minutes=interval) - timedelta(minutes=i % interval)
            schedules.append(
                CheckInSchedule(
                    case=case,
                    interval_minutes=interval,
                    grace_minutes=30 if interval == 180 else 240,
                    next_due_at=due,
                    next_step_at=due + timedelta(minutes=30 if interval == 180 else 240),
                    last_check_in_at=due - timedelta(minutes=interval),
                    created_at=now,
                    changed_at=now,
                )
            )
            keys.append(key)
            cases.append(case)
        with transaction.atomic():
            DataKey.objects.bulk_create(keys)
            Case.objects.bulk_create(cases)
            DataKeyWrap.objects.bulk_create(wraps)
            ids += [s.pk for s in CheckInSchedule.objects.bulk_create(schedules)]
    return ids


def _make_due(ids: list[uuid.UUID], now: datetime, steps: int) -> None:
    """These schedules' check-ins were missed long enough ago for `steps` steps to be due."""
    from corridor.evacuation.checkins.models import CheckInSchedule

    grace = timedelta(minutes=30)
    due = now - grace * steps - timedelta(minutes=1)
    # A chosen grace: these schedules no longer follow their stage's.
    CheckInSchedule.objects.filter(pk__in=ids).update(
        follows_stage=False, grace_minutes=30, next_due_at=due, escalated_steps=0, next_step_at=due + grace
    )


def measure(count: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection

    from corridor.evacuation.checkins import jobs
    from corridor.evacuation.checkins.models import Escalation

    start_load = load_average()
    seed_start = time.perf_counter()
    ids = _seed(count)
    seed_seconds = time.perf_counter() - seed_start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    idle = []
    for _ in range(IDLE_REPEATS):
        t0 = time.perf_counter()
        taken = jobs.sweep_at()
        idle.append(time.perf_counter() - t0)
        if taken:
            raise RuntimeError(f"an idle sweep took {taken} steps")

    def timed_due(steps: int, round_: int, how_many: int = count // DUE_SHARE) -> dict[str, Any]:
        chosen = ids[round_::DUE_SHARE][:how_many]
        now = datetime.now(UTC)
        _make_due(chosen, now, steps)
        before = Escalation.objects.count()
        t0 = time.perf_counter()
        taken = jobs.sweep_at()
        seconds = time.perf_counter() - t0
        if taken != len(chosen) * steps or Escalation.objects.count() - before != taken:
            raise RuntimeError(f"the sweep took {taken} steps, expected {len(chosen) * steps}")
        return {"schedules_due": len(chosen), "steps": taken, "ms": round(seconds * 1000, 1)}

    few = [timed_due(1, r, FEW_DUE) for r in range(DUE_REPEATS)]
    first_steps = [timed_due(1, DUE_REPEATS + r) for r in range(DUE_REPEATS)]
    all_steps = [timed_due(3, 2 * DUE_REPEATS + r) for r in range(DUE_REPEATS)]
    worst_few = max(run["ms"] for run in few)
    idle_ms = sorted(s * 1000 for s in idle)
    worst_first = max(run["ms"] for run in first_steps)
    worst_all = max(run["ms"] for run in all_steps)
    return {
        "schedules": count,
        "seed_seconds": round(seed_seconds, 1),
        "sweep_idle": {
            "unit": "ms",
            "median": round(statistics.median(idle_ms), 2),
            "max": round(idle_ms[-1], 2),
            "samples": len(idle_ms),
            **_target(idle_ms[-1], SWEEP_TARGET_MS),
        },
        "sweep_10_due": {"runs": few, "max_ms": worst_few, **_target(worst_few, SWEEP_TARGET_MS)},
        "sweep_1pct_due": {
            "runs": first_steps,
            "max_ms": worst_first,
            **_target(worst_first, SWEEP_TARGET_MS),
        },
        "sweep_all_steps_of_1pct": {
            "runs": all_steps,
            "max_ms": worst_all,
            **_target(worst_all, SWEEP_TARGET_MS),
        },
        "per_step_ms": round(worst_all / max(1, all_steps[-1]["steps"]), 2),
        "load_average": {"start": start_load, "end": load_average()},
    }


def figures_on(kind: str, count: int) -> dict[str, Any]:
    with database(kind) as url, installation_on(url) as inst:
        inst.env.update(CHEAP_COST)  # the seeded caseworkers; the key holder keeps init's cost
        result = subprocess.run(  # noqa: S603 - this very module, fixed arguments
            [sys.executable, "-m", "benchmarks.checkins", "measure", str(count)],
            env=inst.env,
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            text=True,
            timeout=1_800,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"benchmarks.checkins measure failed:\n{result.stderr[-3000:]}")
        return {"database": kind, **json.loads(result.stdout.splitlines()[-1])}


def run(count: int = SCHEDULES) -> dict[str, Any]:
    figures: dict[str, Any] = {"sqlite": figures_on("sqlite", count)}
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
        case ["measure", count]:
            print(json.dumps(measure(int(count)), ensure_ascii=False))
        case ["run", count]:
            print(json.dumps(run(int(count)), indent=2, ensure_ascii=False))
        case _:
            sys.exit(
                "usage: python -m benchmarks.checkins run COUNT (the rest runs via python -m benchmarks)"
            )
