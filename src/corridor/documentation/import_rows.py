"""Writing an import's rows: tuples of column values, as the database takes them, straight to the table.

SQLite gets one prepared INSERT stepped row by row (`executemany`); PostgreSQL gets COPY,
which neither parses nor plans a statement per row. Either way the rows go through the
table's own constraints, indexes and foreign keys, in the caller's transaction. Each
model's columns are named here once and checked against the model, so a column added
later stops imports until it is given a value.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

# Rows to one `executemany`: bounds the memory of a statement's parameters.
BATCH = 2_000
_IDS_AT_ONCE = 4_096


def connection_for(model: type[Model]) -> BaseDatabaseWrapper:
    return connections[router.db_for_write(model)]


class Values:
    """Values as one database takes them: new ids, and others prepared by their field once per value."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self._connection = connection
        self._native_uuid = connection.features.has_native_uuid_field
        self._prepared: dict[tuple[Field[Any, Any], Any], Any] = {}
        self._random = b""
        self._used = 0

    def new_id(self) -> tuple[str, Any]:
        """A new random UUID (version 4, as `uuid.uuid4`): its text, which envelopes bind, and its value."""
        if self._used == len(self._random):
            self._random, self._used = os.urandom(16 * _IDS_AT_ONCE), 0
        raw = bytearray(self._random[self._used : self._used + 16])
        self._used += 16
        raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
        raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 4122 variant
        digits = raw.hex()
        text = f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
        # Without a native type Django keeps the 32 hex digits; COPY reads the text form.
        return text, text if self._native_uuid else digits

    def of(self, field: Field[Any, Any], value: Any) -> Any:
        """`value` as `save` would send it for `field` (a value met before is not prepared again)."""
        if value is None:
            return None
        key = (field, value)
        try:
            return self._prepared[key]
        except KeyError:
            prepared = self._prepared[key] = self.prepare(field, value)
            return prepared

    def prepare(self, field: Field[Any, Any], value: Any) -> Any:
        """`value` as `save` would send it for `field` (for values that cannot be a key: lists)."""
        return field.get_db_prep_save(value, self._connection)


def check_columns(model: type[Model], columns: Sequence[str]) -> None:
    """`columns` are exactly the model's (by attribute name), each once."""
    names = [field.attname for field in model._meta.concrete_fields]
    if sorted(columns) != sorted(names):
        raise RuntimeError(
            f"an import writes {model._meta.label} as {sorted(columns)}, the model has {names}"
        )


def write_rows(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert `rows` (values in the order of `columns`, prepared by `Values`) into the model's table."""
    check_columns(model, columns)
    connection = connection_for(model)
    fields = {field.attname: field for field in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(str(fields[column].column)) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Table and column names come from the model's metadata; the values travel as data.
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - names from the model
        with _sqlite_cache(cursor, connection.vendor):
            for start in range(0, len(rows), BATCH):
                cursor.executemany(sql, rows[start : start + BATCH])


# SQLite's page cache while an import writes (KiB, as a negative `cache_size`): the default 2 MiB
# is smaller than the indexes 100,000 acts touch at random (ids, events, places), so their
# pages went out to the WAL and back many times before the commit. Restored after.
_SQLITE_CACHE_KIB = 64 * 1024


@contextmanager
def _sqlite_cache(cursor: Any, vendor: str) -> Iterator[None]:
    if vendor != "sqlite":
        yield
        return
    cursor.execute("PRAGMA cache_size")
    before = int(cursor.fetchone()[0])
    cursor.execute(f"PRAGMA cache_size = {-_SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {before}")
