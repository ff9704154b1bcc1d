from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_pending_migrations() -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_migrations_run_forward_on_a_populated_database(org: dict[str, object]) -> None:
    """Roll the hotline and web apps back to nothing, then forward again, with staff data in place.

    Later schema changes add their own data-carrying steps here; today it proves the
    current migrations apply to a database holding an organisation, staff and threads.
    """
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from corridor.accounts.models import User
    from corridor.audit.services import verify_chain
    from corridor.hotline import services as hotline
    from corridor.hotline.models import Thread
    from corridor.hotline.triage import Triage
    from tests.conftest import make_user

    make_user(org, "olga", {"operator"})
    hotline.open_thread(triage=Triage(in_danger_now=True), text="populated", files=[])
    users_before = User.objects.count()

    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([("hotline", None), ("web", None)])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    assert User.objects.count() == users_before
    assert verify_chain().ok
    assert not Thread.objects.exists()  # the hotline's own tables were rebuilt empty
    hotline.open_thread(triage=Triage(), text="after migrating", files=[])
    assert Thread.objects.count() == 1
