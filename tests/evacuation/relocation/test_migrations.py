"""Relocation's migrations run forward on a database holding pathways, milestones and partners."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from corridor.accounts.models import User
from corridor.cases import sealing
from corridor.cases import services as case_services
from corridor.cases.models import Case
from corridor.evacuation.relocation import services
from corridor.evacuation.relocation.models import Milestone, Partner, Pathway
from tests.hotline.helpers import private_key


@pytest.mark.django_db(transaction=True)
def test_relocation_migrates_forward_with_its_rows(alice: User, case: Case, partner: Partner) -> None:
    pathway = services.add_pathway(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        kind="humanitarian_visa",
        destination="DE",
        partner=partner,
    )
    services.record_milestone(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        pathway=pathway,
        kind="interview",
        on=date(2026, 12, 20),
        note="embassy",
    )
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([("relocation", "0001_initial")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    assert Pathway.objects.get().partner == Partner.objects.get()
    milestone = Milestone.objects.get()
    assert milestone.get_kind_display() == "Embassy interview"
    case = Case.objects.select_related("key").get(pk=case.pk)
    key = case_services.open_case_key(user=alice, user_private_key=private_key(alice), case=case, purpose="t")
    assert sealing.open_row(key, milestone, "body") == {"date": "2026-12-20", "note": "embassy"}
