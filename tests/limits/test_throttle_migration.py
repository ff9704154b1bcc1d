"""The throttle moves from the web app to corridor.limits with its rows: keys, counts and windows kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from corridor.limits import throttle
from corridor.limits.models import Throttle


@pytest.mark.django_db(transaction=True)
def test_throttle_rows_survive_the_move() -> None:
    key = throttle.throttle_key("login", "olga")
    started = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([("limits", None)])  # back to before the move: the table is web's
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        assert "web_throttle" in tables
        assert "limits_throttle" not in tables
        cursor.execute(
            "INSERT INTO web_throttle (key, failures, window_started_at) VALUES (%s, %s, %s)",
            [key, 4, started],
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    row = Throttle.objects.get(key=key)
    assert (row.failures, row.window_started_at) == (4, started)
    assert Throttle._meta.db_table == "limits_throttle"
    with connection.cursor() as cursor:
        assert "web_throttle" not in connection.introspection.table_names(cursor)
