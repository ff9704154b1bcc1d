"""Figures for documentation: the filtered event list over 1,000,000 acts, and loading 100,000 acts.

Two parts, each on SQLite and then on PostgreSQL (when one answers on 127.0.0.1:5432):

- `event_list`: `GET /staff/documentation/` with several filter combinations, over HTTP from
  `corridor serve` (2 workers), signed in as a documenter holding the collections. The
  dataset (1,000,000 acts, about 197,000 events, about 1,040,000 perpetrators) is generated in
  bulk, not through the services (see `seed`), once per database: it is kept in
  `corridor-bench-documentation/<database>/` under the temporary directory (and, for
  PostgreSQL, in a database named `corridor_bench_documentation`) and reused by later runs,
  which only apply new migrations. `--fresh` builds it again.
- `import`: `corridor.documentation.imports.import_events` of 25,000 events with 100,000 acts
  into a throwaway installation, timed in a subprocess with the installation's settings,
  then checked (every row there, every sealed field opening under the collection key).

`python -m benchmarks.documentation seed N`, `import N` and `explain` run as subprocesses
with an installation's settings; they are not meant to be run by hand.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks._server import (
    ADMIN,
    CHEAP_COST,
    KEYHOLDER,
    PASSWORD,
    PRODUCTION_COST,
    Installation,
    run_corridor,
    running_server,
    server_env,
)
from benchmarks.cases import postgres_reachable
from benchmarks.hotline import _percentile, _summary_ms, _target, seed_threads, sign_in_operator
from benchmarks.integrity import load_average
from benchmarks.staff_load import POSTGRES_ADMIN_URL, database, installation_on

ACTS = 1_000_000
IMPORT_ACTS = 100_000
IMPORT_ACTS_PER_EVENT = 4
LIST_TARGET_MS = 200
IMPORT_TARGET_SECONDS = 60
PAGE_WARMUP = 3
PAGE_REQUESTS = 30
BATCH = 5_000
DATASET_DIR = Path(tempfile.gettempdir()) / "corridor-bench-documentation"
POSTGRES_DATASET = "corridor_bench_documentation"
OTHER_DOCUMENTER = "benchdoc"
_EVENT_CODE = re.compile(r"<code>(E-[0-9A-Z]{6})</code>")
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

# --- what the dataset looks like ---------------------------------------------------------------

# Acts per event: most events are one detention, a few are waves of tens of people.
ACTS_PER_EVENT = [((1, 1), 45), ((2, 3), 25), ((4, 8), 20), ((9, 25), 8), ((26, 120), 2)]
# Where: Chechnya first (its capital's districts, towns), then the neighbouring republics and
# the cities people were taken to or fled through.
PLACE_WEIGHTS = {
    "RU-CE": 6,
    "RU-CE:grozny": 8,
    "RU-CE:grozny:leninsky": 6,
    "RU-CE:grozny:oktyabrsky": 6,
    "RU-CE:grozny:staropromyslovsky": 4,
    "RU-CE:grozny:zavodskoy": 4,
    "RU-CE:argun": 9,
    "RU-CE:gudermes": 6,
    "RU-CE:shali": 4,
    "RU-CE:urus-martan": 3,
    "RU-CE:kurchaloy-district": 3,
    "RU-CE:achkhoy-martan-district": 2,
    "RU-CE:grozny-district": 3,
    "RU-IN": 1,
    "RU-IN:nazran": 3,
    "RU-IN:magas": 2,
    "RU-DA": 2,
    "RU-DA:makhachkala": 6,
    "RU-KB:nalchik": 3,
    "RU-SE:vladikavkaz": 3,
    "RU-STA:mineralnye-vody": 2,
    "RU-MOW": 4,
    "RU-SPE": 3,
    "RU": 2,
}
EXTRA_SITES = 60
ACT_TYPE_WEIGHTS = {
    "030102000000": 25,  # detention
    "020111110000": 15,  # torture
    "020101000000": 15,  # physical assault
    "X01": 8,  # forced outing to family
    "X02": 7,  # extortion by police
    "030104000000": 6,  # abduction
    "020103020000": 5,  # death threats
    "030101000000": 5,  # arrest
}
OTHER_ACT_TYPES_WEIGHT = 14  # shared by every other act type
RARE_ACT_TYPE = "070102000000"  # forced marriage: one of the others, about 0.6 % of acts
PERPETRATOR_TYPE_WEIGHTS = {
    "010104000000": 45,  # police
    "010102000000": 10,  # local government officials
    "010103000000": 8,  # armed forces
    "010106000000": 5,  # intelligence agency
    "110100000000": 15,  # family
    "110200000000": 7,  # community
    "990000000000": 5,  # unknown
    "020101000000": 5,  # paramilitary forces
}
INSTITUTIONS = [
    "Argun police department",
    "Grozny Oktyabrsky district police",
    "Kadyrov regiment (PPSP-2)",
    "Terek special rapid response unit",
    "Gudermes district police",
    "Centre for countering extremism",
]
COLLECTION_WEIGHTS = [70, 20, 5, 5]  # the last is another documenter's, not given to the one measured


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _base_day(rng: random.Random) -> date:
    """A day in the 2017 wave, the winter 2018-2019 wave, or anywhere from 2010 to late 2025."""
    roll = rng.random()
    if roll < 0.35:
        return date(2017, 2, 15) + timedelta(days=rng.randrange(106))
    if roll < 0.5:
        return date(2018, 12, 20) + timedelta(days=rng.randrange(70))
    return date(2010, 1, 1) + timedelta(days=rng.randrange(5_810))


def _season(day: date) -> int:
    return {12: 24, 1: 24, 2: 24, 3: 21, 4: 21, 5: 21, 6: 22, 7: 22, 8: 22}.get(day.month, 23)


def _edtf_text(rng: random.Random, day: date) -> str:
    """The date as testimonies give it: a day, a day not sure, about a month, a season, a span, a year."""
    roll = rng.random()
    if roll < 0.45:
        return day.isoformat()
    if roll < 0.55:
        return day.isoformat() + "?"
    if roll < 0.80:
        return f"{day:%Y-%m}" + ("~" if rng.random() < 0.5 else "")
    if roll < 0.88:
        year = day.year - 1 if day.month in (1, 2) else day.year  # winter is counted from December
        return f"{year}-{_season(day)}"
    if roll < 0.96:
        later = day + timedelta(days=rng.randrange(20, 120))
        return f"{day:%Y-%m}/{later:%Y-%m}"
    return f"{day.year}"


def _codes(rng: random.Random, count: int, prefix: str, taken: set[str]) -> list[str]:
    found: list[str] = []
    while len(found) < count:
        code = prefix + "".join(rng.choice(_ALPHABET) for _ in range(6))
        if code not in taken:
            taken.add(code)
            found.append(code)
    return found


# --- 1. the event list dataset (subprocess) ------------------------------------------------------


def seed(count: int) -> dict[str, Any]:
    """Write `count` acts in bulk: collections and sites through the services, the rest as rows.

    The list decrypts nothing but the titles of the events on its page, so each event title is
    sealed properly (its own envelope, bound to its row); the other envelopes (descriptions,
    victims, notes, perpetrators' names) are sealed once and the same bytes are reused on every
    row: they are valid envelopes that would not open on these rows, which the list never tries.
    """
    import django

    django.setup()
    from django.db import transaction

    from corridor.accounts import services as accounts
    from corridor.accounts.models import Role, User
    from corridor.documentation import edtf, sealing, services, vocabularies
    from corridor.documentation.keys import open_collection_key
    from corridor.documentation.models import Act, Event, Involvement, Precision, Site

    rng = random.Random(2017)
    started = time.perf_counter()
    admin = User.objects.get(username=ADMIN)
    keyholder = User.objects.get(username=KEYHOLDER)
    accounts.set_roles(actor=admin, user=keyholder, roles=set(keyholder.role_codes) | {Role.DOCUMENTER})
    other = accounts.create_user(
        actor=admin,
        actor_private_key=None,
        username=OTHER_DOCUMENTER,
        password=PASSWORD,
        roles={Role.DOCUMENTER},
        must_change_password=False,
    )
    unlocked = accounts.unlock_with_password(KEYHOLDER, PASSWORD)
    other_unlocked = accounts.unlock_with_password(OTHER_DOCUMENTER, PASSWORD)
    if unlocked is None or other_unlocked is None:
        raise RuntimeError("a benchmark password does not unlock its key")
    owners = [(keyholder, unlocked.private_key)] * 3 + [(other, other_unlocked.private_key)]
    titles = ["Chechnya 2017", "Dagestan", "North Caucasus, other", "Another documenter's"]
    collections = []
    for (owner, private_key), title in zip(owners, titles, strict=True):
        made = services.create_collection(actor=owner, title=title)
        key = open_collection_key(user=owner, user_private_key=private_key, collection=made, purpose="seed")
        collections.append((made, key))
    places = list(PLACE_WEIGHTS)
    place_weights = list(PLACE_WEIGHTS.values())
    site_types = [term.code for term in vocabularies.terms("site_types")]
    for n in range(EXTRA_SITES):
        services.add_site(
            actor=keyholder,
            place=rng.choices(places, weights=place_weights)[0],
            site_type=rng.choice(site_types),
            precision=rng.choice(Precision.values),
            name=f"Site {n:02d}",
        )
    sites = list(Site.objects.order_by("code", "name"))
    other_act_types = [t.code for t in vocabularies.terms("act_types") if t.code not in ACT_TYPE_WEIGHTS]
    act_types = {**ACT_TYPE_WEIGHTS, **dict.fromkeys(other_act_types, 0)}
    act_weights = [float(w) for w in ACT_TYPE_WEIGHTS.values()] + [
        OTHER_ACT_TYPES_WEIGHT / len(other_act_types)
    ] * len(other_act_types)
    methods = [t.code for t in vocabularies.terms("methods")]
    statuses = [t.code for t in vocabularies.terms("statuses")]
    degrees = [t.code for t in vocabularies.terms("degrees")]
    sizes = [size for size, _ in ACTS_PER_EVENT]
    size_weights = [weight for _, weight in ACTS_PER_EVENT]

    # The reused envelopes: sealed once, on a row of their own, under the first collection's key.
    first, first_key = collections[0]
    version = first.key.version
    model_event = Event(id=uuid.uuid4(), collection=first, code="E-BENCH0")
    description = sealing.seal_text(
        first_key, version, model_event, "description", "Задержан на блокпосту, доставлен в отдел. " * 12
    )
    model_act = Act(id=uuid.uuid4(), event=model_event, victim_kind="person")
    victim = sealing.seal_text(first_key, version, model_act, "victim", "Руслан А.")
    notes = sealing.seal_text(
        first_key, version, model_act, "notes", "Со слов брата; медицинских справок нет."
    )
    model_involvement = Involvement(
        id=uuid.uuid4(), act=model_act, event=model_event, perpetrator_kind="person"
    )
    perpetrator_name = sealing.seal_text(first_key, version, model_involvement, "person", "Майор Б.")

    parsed: dict[str, edtf.Edtf] = {}
    taken: set[str] = set()
    written = {"events": 0, "acts": 0, "perpetrators": 0}
    created = datetime(2025, 12, 1, tzinfo=UTC)
    act_type_codes = list(act_types)
    while written["acts"] < count:
        events: list[dict[str, Any]] = []
        acts: list[dict[str, Any]] = []
        involvements: list[dict[str, Any]] = []
        while len(acts) < BATCH and written["acts"] + len(acts) < count:
            collection, key = rng.choices(collections, weights=COLLECTION_WEIGHTS)[0]
            text = _edtf_text(rng, _base_day(rng))
            when = parsed.get(text) or parsed.setdefault(text, edtf.parse(text))
            site = rng.choice(sites) if rng.random() < 0.45 else None
            place = site.place if site else rng.choices(places, weights=place_weights)[0]
            event = Event(id=uuid.uuid4(), collection=collection, code=_codes(rng, 1, "E-", taken)[0])
            at = created - timedelta(minutes=rng.randrange(500_000))
            title = f"Задержания: {gazetteer_label(place)} ({text})"
            events.append(
                {
                    "id": event.id,
                    "collection_id": collection.pk,
                    "code": event.code,
                    "title": sealing.seal_text(key, collection.key.version, event, "title", title),
                    "description": description if rng.random() < 0.6 else b"",
                    "date": when.text,
                    "earliest": when.lower,
                    "latest": when.upper,
                    "place": place,
                    "site_id": site.pk if site else None,
                    "created_by_id": keyholder.pk,
                    "created_at": at,
                }
            )
            low, high = rng.choices(sizes, weights=size_weights)[0]
            for _ in range(min(rng.randint(low, high), count - written["acts"] - len(acts))):
                act_site, act_place = site, place
                if rng.random() < 0.15:
                    act_site = rng.choice(sites) if rng.random() < 0.5 else None
                    act_place = act_site.place if act_site else rng.choices(places, weights=place_weights)[0]
                act_text, act_earliest, act_latest = "", when.lower, when.upper
                if rng.random() < 0.2 and when.earliest and when.latest:
                    day = when.earliest + timedelta(
                        days=rng.randrange((when.latest - when.earliest).days + 1)
                    )
                    act_text, act_earliest, act_latest = day.isoformat(), day, day
                group = rng.random() < 0.1
                best = rng.randint(2, 30) if group else 1
                act_id = uuid.uuid4()
                acts.append(
                    {
                        "id": act_id,
                        "event_id": event.id,
                        "act_type": rng.choices(act_type_codes, weights=act_weights)[0],
                        "methods": rng.sample(methods, rng.choice([0, 1, 1, 2, 3])),
                        "victim_kind": "group" if group else "person",
                        "victim": victim,
                        "victim_person_id": None,
                        "count_min": max(1, best - rng.randint(0, 5)) if group else 1,
                        "count_best": best,
                        "count_max": best + rng.randint(0, 10) if group else 1,
                        "date": act_text,
                        "earliest": act_earliest,
                        "latest": act_latest,
                        "place": act_place,
                        "site_id": act_site.pk if act_site else None,
                        "status_at_end": rng.choice(statuses) if rng.random() < 0.6 else "",
                        "notes": notes if rng.random() < 0.3 else b"",
                        "created_by_id": keyholder.pk,
                        "created_at": at,
                    }
                )
                roll = rng.random()
                for _ in range(0 if roll < 0.08 else 2 if roll > 0.88 else 1):
                    institution = rng.random() < 0.65
                    involvements.append(
                        {
                            "id": uuid.uuid4(),
                            "act_id": act_id,
                            "event_id": event.id,
                            "perpetrator_kind": "institution" if institution else "person",
                            "perpetrator_type": _pick(rng, PERPETRATOR_TYPE_WEIGHTS),
                            "degree": rng.choice(degrees),
                            "institution": rng.choice(INSTITUTIONS) if institution else "",
                            "person": b"" if institution else perpetrator_name,
                            "created_by_id": keyholder.pk,
                            "created_at": at,
                        }
                    )
        with transaction.atomic():
            _insert(Event, events)
            _insert(Act, acts)
            _insert(Involvement, involvements)
        written["events"] += len(events)
        written["acts"] += len(acts)
        written["perpetrators"] += len(involvements)
    _analyze()
    return {
        **written,
        "sites": len(sites),
        "collections": len(collections),
        "readable_collections": 3,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _insert(model: Any, rows: list[dict[str, Any]]) -> None:
    """Rows written with one `executemany`, each value prepared by its field as Django would.

    Columns the dataset does not fill (added since) take their field's default.
    """
    from django.db import connections

    connection = connections["default"]
    fields = model._meta.concrete_fields
    # Text, numbers and bytes go as they are; ids, JSON, dates and times as the field prepares them.
    prepared = {"UUIDField", "JSONField", "DateField", "DateTimeField"}
    convert = [(f.target_field if f.is_relation else f).get_internal_type() in prepared for f in fields]
    values = []
    for row in rows:
        line = []
        for f, needs in zip(fields, convert, strict=True):
            value = row[f.attname] if f.attname in row else f.get_default()
            line.append(f.get_db_prep_save(value, connection) if needs and value is not None else value)
        values.append(tuple(line))
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        # Names from the model's own metadata; the values go as parameters.
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)  # noqa: S608


def gazetteer_label(place: str) -> str:
    from corridor.documentation import gazetteer

    return gazetteer.place_name(place)


def _analyze() -> None:
    """Fresh planner statistics, and on PostgreSQL the visibility map autovacuum would have set
    by then (without it, nothing is read from an index alone), as in a database that grew over years."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _explain(path_query: str) -> str:
    """The event list's query plan for one filter combination (for reading, not for the figures)."""
    from django.db import connection
    from django.http import QueryDict

    from corridor.accounts.models import User
    from corridor.documentation import access, reading
    from corridor.documentation.forms import FilterForm
    from corridor.documentation.views import _filter_from

    user = User.objects.get(username=KEYHOLDER)
    form = FilterForm(QueryDict(path_query))
    if not form.is_valid():
        return f"invalid: {form.errors.as_json()}"
    chosen = _filter_from(form, user)
    found = reading.filtered_events(access.readable_events(user), chosen)
    rows = reading.with_list_columns(found).order_by("-earliest", "code")[:51]
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
        cursor.execute(prefix + sql, params)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


# --- 2. loading 100,000 acts (subprocess) ---------------------------------------------------------


def _import_items(count: int, sites: list[Any]) -> list[Any]:
    """What a spreadsheet of detentions gives: 4 acts an event, most with one perpetrator."""
    from corridor.documentation import imports, services

    rng = random.Random(2019)
    places = list(PLACE_WEIGHTS)
    place_weights = list(PLACE_WEIGHTS.values())
    act_types = list(ACT_TYPE_WEIGHTS)
    act_weights = list(ACT_TYPE_WEIGHTS.values())
    items = []
    for n in range(count // IMPORT_ACTS_PER_EVENT):
        text = _edtf_text(rng, _base_day(rng))
        site = rng.choice(sites) if rng.random() < 0.45 else None
        acts = []
        for m in range(IMPORT_ACTS_PER_EVENT):
            group = m == 3 and rng.random() < 0.3
            perpetrator = None
            if rng.random() < 0.9:
                institution = rng.random() < 0.65
                perpetrator = services.PerpetratorInput(
                    kind="institution" if institution else "person",
                    perpetrator_type=_pick(rng, PERPETRATOR_TYPE_WEIGHTS),
                    degree="010100000000",
                    name=rng.choice(INSTITUTIONS) if institution else f"Сотрудник {n}-{m}",
                )
            acts.append(
                services.ActInput(
                    act_type=rng.choices(act_types, weights=act_weights)[0],
                    victim_kind="group" if group else "person",
                    victim=f"Задержанные мужчины, волна {n}" if group else f"Пострадавший {n}-{m}",
                    methods=["030101000000", "032101000000"][: rng.randint(0, 2)],
                    count_best=rng.randint(2, 20) if group else None,
                    status_at_end="020100000000" if rng.random() < 0.5 else "",
                    notes="Со слов пострадавшего, записано волонтёром." if rng.random() < 0.3 else "",
                    perpetrator=perpetrator,
                )
            )
        items.append(
            imports.EventImport(
                event=services.EventInput(
                    title=f"Задержание №{n}",
                    description="Рассказ пострадавшего о задержании и том, что было в отделе. " * 5,
                    date=text,
                    place="" if site else rng.choices(places, weights=place_weights)[0],
                    site=str(site.pk) if site else None,
                ),
                acts=acts,
            )
        )
    return items


def _backend_pid(connection: Any) -> int | None:
    """The process id of the PostgreSQL backend serving `connection` (None on SQLite)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _server_cpu(pid: int | None) -> float | None:
    """CPU seconds of the PostgreSQL backend `pid`, if it runs on this machine."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime, fields 14 and 15 of stat(5), counted from the state (field 3).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_import(count: int, *, profile: bool) -> dict[str, Any]:
    """Time `import_events` of `count` acts, then check every row is there and every envelope opens."""
    import django

    django.setup()
    from django.db import connection, transaction

    from corridor.accounts import services as accounts
    from corridor.accounts.models import Role, User
    from corridor.documentation import imports, sealing, services
    from corridor.documentation.keys import open_collection_key
    from corridor.documentation.models import Act, Event, Involvement, Site

    admin = User.objects.get(username=ADMIN)
    keyholder = User.objects.get(username=KEYHOLDER)
    accounts.set_roles(actor=admin, user=keyholder, roles=set(keyholder.role_codes) | {Role.DOCUMENTER})
    unlocked = accounts.unlock_with_password(KEYHOLDER, PASSWORD)
    if unlocked is None:
        raise RuntimeError("the key holder's password does not unlock their key")
    collection = services.create_collection(actor=keyholder, title="Import")
    items = _import_items(count, list(Site.objects.all()))
    queries = 0

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    start_load = load_average()
    backend = _backend_pid(connection)
    server_cpu = _server_cpu(backend)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started, cpu = time.perf_counter(), time.process_time()
    # The import's transaction, held open here so the commit (where PostgreSQL checks the
    # deferred foreign keys) is timed on its own.
    with transaction.atomic(), connection.execute_wrapper(counted):
        done = imports.import_events(
            actor=keyholder, user_private_key=unlocked.private_key, collection=collection, items=items
        )
        before_commit, server_before_commit = time.perf_counter(), _server_cpu(backend)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    commit_seconds = time.perf_counter() - before_commit
    server_after = _server_cpu(backend)
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    end_load = load_average()
    key = open_collection_key(
        user=keyholder, user_private_key=unlocked.private_key, collection=collection, purpose="check"
    )
    events = Event.objects.filter(collection=collection)
    opened = 0
    for event in events.iterator(chunk_size=2_000):
        opened += bool(sealing.open_text(key, event, "title")) + bool(
            sealing.open_text(key, event, "description")
        )
    acts = Act.objects.filter(event__collection=collection)
    for act in acts.iterator(chunk_size=2_000):
        opened += bool(sealing.open_text(key, act, "victim"))
        opened += bool(sealing.open_text(key, act, "notes"))
    involvements = Involvement.objects.filter(event__collection=collection, perpetrator_kind="person")
    for involvement in involvements.iterator(chunk_size=2_000):
        opened += bool(sealing.open_text(key, involvement, "person"))
    return {
        "events": done.events,
        "acts": done.acts,
        "rows_found": {
            "events": events.count(),
            "acts": acts.count(),
            "perpetrators": Involvement.objects.filter(event__collection=collection).count(),
        },
        "envelopes_opened": opened,
        "queries": queries,
        "seconds": round(seconds, 1),
        # What the import itself computed (the database's own work on SQLite included): on a
        # shared machine, the wall-clock seconds above are this stretched by the other work.
        "cpu_seconds": round(cpu, 1),
        # PostgreSQL's backend process of this connection (rows, indexes, foreign keys, commit),
        # read from /proc when the server runs on this machine; None otherwise.
        "server_cpu_seconds": (
            round(server_after - server_cpu, 1)
            if server_cpu is not None and server_after is not None
            else None
        ),
        "commit_seconds": round(commit_seconds, 1),
        "server_cpu_seconds_at_commit": (
            round(server_after - server_before_commit, 1)
            if server_before_commit is not None and server_after is not None
            else None
        ),
        "target_seconds": IMPORT_TARGET_SECONDS,
        "met": seconds < IMPORT_TARGET_SECONDS,
        "load_average": {"start": start_load, "end": end_load},
    }


# --- the parent: installations, datasets, HTTP -----------------------------------------------------


def _run_module(inst: Installation, *args: str, timeout: float = 7_200) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - this very module, fixed arguments
        [sys.executable, "-m", "benchmarks.documentation", *args],
        env=inst.env,
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"benchmarks.documentation {args[0]} failed:\n{result.stdout}\n{result.stderr[-3000:]}"
        )
    if result.stderr.strip():
        sys.stderr.write(result.stderr)
    return time.perf_counter() - started, json.loads(result.stdout.strip().splitlines()[-1])


def _postgres_dataset(*, fresh: bool) -> tuple[str, bool]:
    """The benchmark's own PostgreSQL database (created if missing); its URL and whether it existed."""
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [POSTGRES_DATASET]).fetchone()
        if exists and fresh:
            conn.execute(f"DROP DATABASE {POSTGRES_DATASET} WITH (FORCE)")  # our fixed name
            exists = None
        if not exists:
            conn.execute(f"CREATE DATABASE {POSTGRES_DATASET}")
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + POSTGRES_DATASET, bool(exists)


@contextmanager
def dataset(kind: str, count: int, *, fresh: bool) -> Iterator[tuple[Installation, dict[str, Any]]]:
    """The installation holding the list's dataset: built once, kept, migrated on reuse."""
    home = DATASET_DIR / kind
    marker = home / "seeded.json"
    data_dir = home / "data"
    env = server_env(data_dir, PRODUCTION_COST)
    existed = True
    if kind == "postgres":
        env["DATABASE_URL"], existed = _postgres_dataset(fresh=fresh)
    seeded = json.loads(marker.read_text()) if marker.exists() else {}
    if fresh or not existed or seeded.get("acts") != count:
        if home.exists():
            shutil.rmtree(home)
        if kind == "postgres" and existed:
            env["DATABASE_URL"], _ = _postgres_dataset(fresh=True)
        home.mkdir(parents=True)
        init_env = {**env, "CORRIDOR_ADMIN_PASSWORD": PASSWORD, "CORRIDOR_KEYHOLDER_PASSWORD": PASSWORD}
        run_corridor(init_env, "init", "--admin", ADMIN, "--keyholder", KEYHOLDER, "--no-input")
        inst = Installation(data_dir=data_dir, env={**env, **CHEAP_COST})
        seed_threads(inst, 0)  # the key holder's authenticator
        _seconds, seeded = _run_module(inst, "seed", str(count))
        seeded["built_now"] = True
        marker.write_text(json.dumps(seeded))
    else:
        inst = Installation(data_dir=data_dir, env={**env, **CHEAP_COST})
        run_corridor(inst.env, "migrate", "--no-input", timeout=3_600)
        seeded["built_now"] = False
    yield inst, seeded


def _filters(site: str) -> dict[str, str]:
    return {
        "none": "",
        "page_20": "page=20",
        "page_300": "page=300",
        "page_300_previous": "page=300&back",
        "period_year_2017": "start=2017&end=2017",
        "period_spring_2017": "start=2017-21&end=2017-21",
        "period_one_week": "start=2021-06-01&end=2021-06-07",
        "period_two_days": "start=2024-06-01&end=2024-06-02",
        "place_chechnya": "place=RU-CE",
        "place_argun": "place=RU-CE:argun",
        "site": f"site={site}",
        "act_type_detention": "act_type=030102000000",
        "act_type_rare": f"act_type={RARE_ACT_TYPE}",
        "perpetrator_family": "perpetrator_type=110100000000",
        "period_place_act": "start=2017-03&end=2017-04&place=RU-CE&act_type=030102000000",
        "place_act_perpetrator": "place=RU-DA&act_type=X02&perpetrator_type=010104000000",
        "all_five": (
            f"start=2017&end=2019&place=RU-CE&site={site}&act_type=020111110000&perpetrator_type=010104000000"
        ),
        "rare_everywhere": f"place=RU-SPE&act_type={RARE_ACT_TYPE}&perpetrator_type=010105000000",
    }


# The pager's links, told apart by what they carry (their words depend on the language).
_PAGER_LINK = re.compile(r'<a href="\?([^"]*\b(after|before)=[^"]*)">')


def _page_links(browser: Any, query: str) -> dict[str, str]:
    """The pager's links on one page of the list: "Next page" and "Previous page"."""
    response = browser.get("/staff/documentation/" + (f"?{query}" if query else ""))
    if response.status != 200:
        raise RuntimeError(f"GET ?{query} answered {response.status}")
    words = {"after": "Next page", "before": "Previous page"}
    return {words[kind]: html.unescape(href) for href, kind in _PAGER_LINK.findall(response.text)}


def _deep_pages(browser: Any, filters: dict[str, str]) -> dict[str, str]:
    """Queries `page=N` become the link a reader following "Next page" from the top gets for page N
    (pages are cut at a position, not counted); `page=N&back` the "Previous page" link shown on
    page N, which reads the list upwards. The list is walked once, to the deepest page asked for."""
    wanted = {name: re.fullmatch(r"page=(\d+)(&back)?", query) for name, query in filters.items()}
    deepest = max((int(m.group(1)) for m in wanted.values() if m), default=0)
    walked: list[tuple[str, dict[str, str]]] = []  # page N's query and links at index N - 1
    current = ""
    while len(walked) < deepest:
        links = _page_links(browser, current)
        walked.append((current, links))
        if len(walked) < deepest:
            if "Next page" not in links:
                raise RuntimeError(f"the list has fewer than {deepest} pages")
            current = links["Next page"]
    found = {}
    for name, query in filters.items():
        match = wanted[name]
        if match is None:
            found[name] = query
            continue
        page_query, links = walked[int(match.group(1)) - 1]
        found[name] = links["Previous page"] if match.group(2) else page_query
    return found


def _page(browser: Any, query: str) -> dict[str, Any]:
    path = "/staff/documentation/" + (f"?{query}" if query else "")
    probe = browser.get(path)
    if probe.status != 200:
        return {"query": query, "failed": f"GET answered {probe.status}"}
    for _ in range(PAGE_WARMUP):
        browser.get(path)
    responses = [browser.get(path) for _ in range(PAGE_REQUESTS)]
    if any(response.status != 200 for response in responses):
        return {"query": query, "failed": "GET did not always answer 200"}
    summary = _summary_ms([response.seconds for response in responses])
    p95 = _percentile(sorted(r.seconds for r in responses), 0.95) * 1000
    return {
        "query": query,
        "events_shown": len(set(_EVENT_CODE.findall(responses[-1].text))),
        **summary,
        **_target(p95, LIST_TARGET_MS),
    }


def list_figures(kind: str, count: int, *, fresh: bool) -> dict[str, Any]:
    with dataset(kind, count, fresh=fresh) as (inst, seeded):
        _seconds, probe = _run_module(inst, "site-id")
        with running_server(inst) as server:
            start_load = load_average()
            browser = sign_in_operator(inst, server.port)
            queries = _deep_pages(browser, _filters(probe["site"]))
            pages = {name: _page(browser, query) for name, query in queries.items()}
            end_load = load_average()
        met = all(page.get("met") for page in pages.values())
        return {
            "database": kind,
            "dataset": seeded,
            "pages": pages,
            "all_met": met,
            "load_average": {"start": start_load, "end": end_load},
        }


def import_figures(kind: str, count: int, *, profile: bool) -> dict[str, Any]:
    with database(kind) as url, installation_on(url) as inst:
        inst.env.update(CHEAP_COST)
        _seconds, measured = _run_module(inst, "import", str(count), *(["--profile"] if profile else []))
        return {"database": kind, **measured}


def run(
    count: int = ACTS,
    import_count: int = IMPORT_ACTS,
    *,
    kinds: tuple[str, ...] = ("sqlite", "postgres"),
    parts: tuple[str, ...] = ("event_list", "import"),
    fresh: bool = False,
    profile: bool = False,
) -> dict[str, Any]:
    figures: dict[str, Any] = {"acts": count, "import_acts": import_count}
    unreachable = postgres_reachable() if "postgres" in kinds else ""
    for kind in kinds:
        if kind == "postgres" and unreachable:
            figures[kind] = {"skipped": unreachable}
            continue
        figures[kind] = {}
        try:
            if "event_list" in parts:
                figures[kind]["event_list"] = list_figures(kind, count, fresh=fresh)
            if "import" in parts:
                figures[kind]["import"] = import_figures(kind, import_count, profile=profile)
        except RuntimeError as exc:  # the other database's figures stand
            figures[kind]["failed"] = str(exc)[-3000:]
    return figures


def _site_id() -> dict[str, str]:
    import django

    django.setup()
    from corridor.documentation.models import Site

    return {"site": str(Site.objects.get(code="argun-commandant").pk)}


def main() -> None:
    match sys.argv[1:]:
        case ["seed", count]:
            print(json.dumps(seed(int(count))))
            return
        case ["import", count, *rest]:
            print(json.dumps(measure_import(int(count), profile="--profile" in rest)))
            return
        case ["site-id"]:
            print(json.dumps(_site_id()))
            return
        case ["explain", query]:
            import django

            django.setup()
            print(_explain(query))
            return
    parser = argparse.ArgumentParser(prog="python -m benchmarks.documentation", description=__doc__)
    parser.add_argument("--acts", type=int, default=ACTS, help="acts in the event list's dataset")
    parser.add_argument("--import-acts", type=int, default=IMPORT_ACTS, help="acts loaded by the import")
    parser.add_argument("--db", choices=["sqlite", "postgres"], help="one database only")
    parser.add_argument("--only", choices=["event_list", "import"], help="one part only")
    parser.add_argument("--fresh", action="store_true", help="build the event list's dataset again")
    parser.add_argument("--profile", action="store_true", help="profile the import (to stderr)")
    args = parser.parse_args()
    figures = run(
        args.acts,
        args.import_acts,
        kinds=(args.db,) if args.db else ("sqlite", "postgres"),
        parts=(args.only,) if args.only else ("event_list", "import"),
        fresh=args.fresh,
        profile=args.profile,
    )
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
