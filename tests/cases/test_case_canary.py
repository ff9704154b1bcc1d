"""Canary: a unique string written through every case service that takes text is nowhere in the
database in the clear (nor in the log), only inside envelopes under the case key.

The test database is SQLite in memory (or PostgreSQL): on SQLite the whole database image,
free pages included, is searched; on both, every column of every table.
"""

from __future__ import annotations

import logging
import uuid

import pytest
from django.db import connection

from corridor.accounts.models import User
from corridor.cases import grants, services, workflow
from corridor.cases.models import ApprovalKind, Case, FlagKind, Outcome, Stage
from corridor.cases.profile import Profile
from corridor.hotline import services as hotline
from tests.hotline.helpers import open_web_thread, private_key


def _database_images() -> dict[str, bytes]:
    """The SQLite database image (free pages too) and every table's rows, by name."""
    images: dict[str, bytes] = {}
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        images["sqlite image"] = connection.connection.serialize()
    with connection.cursor() as cursor:
        rows = []
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            rows.append(repr(cursor.fetchall()))
    images["every table"] = "\n".join(rows).encode()
    return images


@pytest.mark.django_db
def test_no_case_text_in_the_clear(
    olga: User, alice: User, bob: User, carol: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    canary = f"canary-{uuid.uuid4().hex}"
    ka, kb, kc, ko = (private_key(u) for u in (alice, bob, carol, olga))
    thread = open_web_thread().thread
    case = services.open_case_from_thread(
        actor=olga, user_private_key=ko, thread=thread, caseworker=alice
    ).case
    for grantee in (bob, carol):
        grants.grant_case_access(actor=alice, user_private_key=ka, case=case, grantee=grantee)

    profile = Profile(
        names=[f"{canary} name"],
        aliases=[f"{canary} alias"],
        birth=f"{canary} birth",
        documents=[f"{canary} passport"],
        location=f"{canary} location",
        family=f"{canary} family",
        risk_notes=f"{canary} risk",
    )
    services.update_profile(actor=alice, user_private_key=ka, case=case, profile=profile)
    services.add_case_note(actor=alice, user_private_key=ka, case=case, text=f"{canary} note")
    services.log_contact(actor=alice, user_private_key=ka, case=case, channel="call", text=f"{canary} call")
    services.reassess_risk(actor=alice, user_private_key=ka, case=case, factors=["outed", f"{canary} factor"])
    hotline.add_note(operator=alice, user_private_key=ka, thread=thread, text=f"{canary} thread note")
    flag = workflow.raise_flag(
        actor=alice,
        user_private_key=ka,
        case=case,
        kind=FlagKind.ON_HOLD,
        reason="other",
        note=f"{canary} flag",
    )
    workflow.clear_flag(actor=alice, user_private_key=ka, flag=flag, note=f"{canary} cleared")
    workflow.move_case(
        actor=alice, user_private_key=ka, case=case, to_stage=Stage.SCREENING, note=f"{canary} move"
    )
    rejected = workflow.request_approval(
        actor=alice, user_private_key=ka, case=case, kind=ApprovalKind.ELIGIBILITY, note=f"{canary} ask"
    )
    workflow.decide_approval(
        actor=bob, user_private_key=kb, approval=rejected, decision="reject", note=f"{canary} reject"
    )
    closure = workflow.request_approval(
        actor=alice, user_private_key=ka, case=case, kind=ApprovalKind.CLOSURE, subject=Outcome.DECLINED
    )
    workflow.decide_approval(
        actor=carol, user_private_key=kc, approval=closure, decision="approve", note=f"{canary} approve"
    )
    workflow.close_case(
        actor=alice, user_private_key=ka, case=case, outcome=Outcome.DECLINED, note=f"{canary} close"
    )
    workflow.reopen_case(
        actor=carol, user_private_key=kc, case=case, to_stage=Stage.SCREENING, note=f"{canary} reopen"
    )

    case = Case.objects.select_related("key").get(pk=case.pk)
    key = services.open_case_key(user=alice, user_private_key=ka, case=case, purpose="t")
    assert services.read_profile(key, case).location == f"{canary} location"  # it was written
    needles = {
        "utf-8": canary.encode(),
        "utf-16": canary.encode("utf-16-le"),
        "hex": canary.encode().hex().encode(),
    }
    for where, image in _database_images().items():
        # The search sees this transaction's rows: the case's plain code is there.
        assert case.code.encode() in image, where
        for label, needle in needles.items():
            assert needle not in image, f"the canary ({label}) is in the {where} in the clear"
    assert canary not in caplog.text
