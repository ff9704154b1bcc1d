"""Loading many events at once (a spreadsheet of a wave of detentions, a migration from another
system) through the same checks as the forms, with the collection key opened once.

Everything is checked before anything is written: one bad row refuses the whole import,
naming the row. The rows are then sealed and written in batches, in one transaction, with
one audit event that counts them.

The rows are written with prepared INSERTs (`executemany` on SQLite, many rows to a
statement elsewhere) rather than `bulk_create`, whose per-value SQL compilation cost more
than the checks and the sealing together: the same rows, columns and values, and the
database's own constraints.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from corridor.accounts.models import User
from corridor.audit.services import record_event
from corridor.documentation import services
from corridor.documentation.keys import open_collection_key
from corridor.documentation.models import Act, Collection, Event, Involvement, Person, Site

BATCH = 2_000
MAX_EVENTS = 200_000
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class EventImport:
    event: services.EventInput
    acts: list[services.ActInput] = field(default_factory=list)


@dataclass(frozen=True)
class Imported:
    events: int
    acts: int


def _codes(count: int) -> list[str]:
    """`count` event codes no event has yet (random, as the forms' codes, checked in batches)."""
    found: set[str] = set()
    while len(found) < count:
        wanted = {
            "E-" + "".join(secrets.choice(_ALPHABET) for _ in range(6)) for _ in range(count - len(found))
        }
        wanted -= found
        taken: set[str] = set()
        pending = sorted(wanted)
        for start in range(0, len(pending), 900):
            chunk = pending[start : start + 900]
            taken |= set(Event.objects.filter(code__in=chunk).values_list("code", flat=True))
        found |= wanted - taken
    return sorted(found)[:count]


# Values of these kinds of column go to the database driver as they are; every other column
# (ids, dates, times, JSON, and any added later) is prepared by its field, as `save` does.
_PASSED_AS_IS = frozenset(
    {
        "CharField",
        "TextField",
        "BinaryField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "IntegerField",
    }
)


_MAX_PARAMETERS = 30_000


def _insert[M: Model](model: type[M], rows: list[M]) -> None:
    """Write new rows in batches of one `executemany` each (part of the caller's transaction)."""
    connection = connections[router.db_for_write(model)]
    fields = list(model._meta.concrete_fields)
    read = attrgetter(*(field.attname for field in fields))
    stamped = [
        (i, field)
        for i, field in enumerate(fields)
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    # A value repeated on many rows (the actor, the collection, the time, a site, a day) is
    # prepared once; ids and JSON are prepared row by row.
    prepared: list[tuple[int, Any, dict[Any, Any] | None]] = [
        (i, field, {} if not field.primary_key and field.get_internal_type() != "JSONField" else None)
        for i, field in enumerate(fields)
        if field.get_internal_type() not in _PASSED_AS_IS
    ]
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    # Table and column names come from the model's metadata; every value is a parameter.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    sql_head = f"INSERT INTO {table} ({columns}) VALUES"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            values = []
            for row in rows[start : start + BATCH]:
                line = list(read(row))
                for i, field in stamped:
                    line[i] = field.pre_save(row, add=True)
                for i, field, seen in prepared:
                    value = line[i]
                    if value is None:
                        continue
                    if seen is None:
                        line[i] = field.get_db_prep_save(value, connection)
                    elif value in seen:
                        line[i] = seen[value]
                    else:
                        line[i] = seen[value] = field.get_db_prep_save(value, connection)
                values.append(line)
            if connection.vendor == "sqlite":
                cursor.executemany(sql, values)  # one prepared statement, stepped row by row
            else:
                # A server parses and plans each statement: many rows to one INSERT, within the
                # driver's limit on parameters.
                per_statement = max(1, min(len(values), _MAX_PARAMETERS // len(fields)))
                for first in range(0, len(values), per_statement):
                    chunk = values[first : first + per_statement]
                    many = f"{sql_head} " + ", ".join([f"({marks})"] * len(chunk))
                    cursor.execute(many, [value for line in chunk for value in line])
    for row in rows:
        row._state.adding = False
        row._state.db = connection.alias


@transaction.atomic
def import_events(
    *, actor: User, user_private_key: bytes, collection: Collection, items: Sequence[EventImport]
) -> Imported:
    """Check every event and act, then write them all; a refusal names the row and writes nothing."""
    services._require_documenter(actor)
    if len(items) > MAX_EVENTS:
        raise services.DocumentationRefused(_("Too many events for one import."))
    sites = {str(site.pk): site for site in Site.objects.all()}
    persons = {person.code: person for person in Person.objects.filter(collection=collection)}
    checked = []
    for number, item in enumerate(items, start=1):
        try:
            event_build = services.event_sealer(item.event, sites=sites)
            act_builds = [
                services.act_sealer(data, collection_id=collection.pk, sites=sites, persons=persons)
                for data in item.acts
            ]
        except services.DocumentationRefused as exc:
            raise services.DocumentationRefused(
                _("Event %(number)s: %(reason)s") % {"number": number, "reason": exc}
            ) from exc
        checked.append((event_build, act_builds))
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=collection, purpose="import"
    )
    version, now = collection.key.version, datetime.now(UTC)
    events: list[Event] = []
    acts: list[Act] = []
    involvements: list[Involvement] = []
    for (event_build, act_builds), code in zip(checked, _codes(len(checked)), strict=True):
        event = event_build(actor=actor, key=key, collection=collection, code=code, now=now)
        events.append(event)
        for build in act_builds:
            act, involvement = build(actor=actor, key=key, version=version, event=event, now=now)
            acts.append(act)
            if involvement is not None:
                involvements.append(involvement)
    _insert(Event, events)
    _insert(Act, acts)
    _insert(Involvement, involvements)
    record_event(
        action="documentation.events_imported",
        actor_id=actor.pk,
        target_type="collection",
        target_id=collection.pk,
        data={"events": len(events), "acts": len(acts), "perpetrators": len(involvements)},
    )
    return Imported(events=len(events), acts=len(acts))
