"""The migration that adds where documentation came from, caseworkers' copies and earlier versions runs
forward on a database holding documentation: the events, acts and persons are kept and still open, and
what was recorded before reads as from an interview (no link)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from corridor.accounts.models import Role
from corridor.documentation import copies, persons
from corridor.documentation.keys import open_collection_key
from corridor.documentation.models import Event, Person
from corridor.documentation.sealing import open_text
from tests.conftest import make_user
from tests.documentation.helpers import act, collection, event
from tests.hotline.helpers import private_key

BEFORE = ("documentation", "0005_interventions")


@pytest.mark.django_db(transaction=True)
def test_links_migration_runs_forward_on_documentation(org: dict[str, object]) -> None:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    dora = make_user(org, "dora", {Role.DOCUMENTER})
    made = collection(dora)
    recorded = event(dora, made, title="Argun, March")
    act(dora, recorded)
    persons.add_person(
        actor=dora,
        user_private_key=private_key(dora),
        collection=made,
        identity=persons.Identity(name="Ruslan"),
    )

    # Back to before the migration (the new columns and tables go), then forward again.
    executor.migrate([BEFORE])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    kept = Event.objects.select_related("collection__key").get(pk=recorded.pk)
    key = open_collection_key(
        user=dora, user_private_key=private_key(dora), collection=kept.collection, purpose="test"
    )
    assert open_text(key, kept, "title") == "Argun, March"
    assert copies.read_origin(key, kept) is None
    assert kept.acts.count() == 1
    assert copies.read_case_link(key, Person.objects.get()) is None
