"""The provocateur blocklist: a failed vetting as a suspected provocateur blocks the person's
identifiers (blind indexes only), and the same phone in another format is caught later."""

from __future__ import annotations

import pytest
from django.db import connection

from corridor.accounts.models import Role, User
from corridor.cases import grants, rules, services, workflow
from corridor.cases.models import (
    ApprovalKind,
    BlockedIdentifier,
    CaseFlag,
    FlagKind,
    FlagReason,
    Outcome,
    VettingFailure,
)
from corridor.cases.profile import Profile
from corridor.hotline.models import Thread
from corridor.hotline.triage import Triage
from tests.conftest import make_user
from tests.hotline.helpers import open_web_thread, private_key

PHONE = "+79280001122"
OTHER_FORMAT = "8 (928) 000-11-22"
NAME = "Zelimkhan Blocklisted"


def _every_stored_value() -> list[object]:
    values: list[object] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            for row in cursor.fetchall():
                values.extend(row)
    return values


def _contains(value: object, text: str) -> bool:
    if isinstance(value, bytes | memoryview):
        return text.encode() in bytes(value)
    return text in str(value)


@pytest.mark.django_db
def test_a_suspected_provocateur_is_blocked_and_caught_again(
    org: dict[str, object], olga: User, alice: User, carol: User
) -> None:
    ka, kc, ko = private_key(alice), private_key(carol), private_key(olga)
    thread = open_web_thread("help", triage=Triage(region="RU-CE", safe_contact=PHONE)).thread
    case = services.open_case_from_thread(
        actor=olga, user_private_key=ko, thread=thread, caseworker=alice
    ).case
    grants.grant_case_access(actor=alice, user_private_key=ka, case=case, grantee=carol)
    services.update_profile(
        actor=alice, user_private_key=ka, case=case, profile=Profile(names=[NAME], phones=[PHONE])
    )
    reason = VettingFailure.SUSPECTED_PROVOCATEUR
    with pytest.raises(services.CaseRefused):  # not without a coordinator's approval of this outcome
        workflow.close_case(
            actor=alice, user_private_key=ka, case=case, outcome=Outcome.FAILED_VETTING, outcome_reason=reason
        )
    approval = workflow.request_approval(
        actor=alice,
        user_private_key=ka,
        case=case,
        kind=ApprovalKind.CLOSURE,
        subject=rules.closure_subject(Outcome.FAILED_VETTING, reason),
    )
    assert approval.subject == "failed_vetting:suspected_provocateur"
    workflow.decide_approval(actor=carol, user_private_key=kc, approval=approval, decision="approve")
    assert not BlockedIdentifier.objects.exists()
    workflow.close_case(
        actor=alice, user_private_key=ka, case=case, outcome=Outcome.FAILED_VETTING, outcome_reason=reason
    )

    # The phone, not the name: many people share a name.
    assert set(BlockedIdentifier.objects.filter(source_case=case).values_list("kind", flat=True)) == {"phone"}
    for value in _every_stored_value():
        for needle in (PHONE, PHONE.lstrip("+"), "9280001122", NAME):
            assert not _contains(value, needle), f"{needle} stored in the clear"

    # Another operator, who never held the first case, opens the same person's new request.
    oleg = make_user(org, "oleg", {Role.OPERATOR})
    again = open_web_thread("help again", triage=Triage(region="RU-CE", safe_contact=OTHER_FORMAT)).thread
    new = services.open_case_from_thread(
        actor=oleg, user_private_key=private_key(oleg), thread=again, caseworker=alice
    )
    flag = CaseFlag.objects.get(case=new.case, cleared_at__isnull=True)
    assert (flag.kind, flag.reason, flag.raised_by) == (
        FlagKind.SECURITY_CONCERN,
        FlagReason.BLOCKLIST_MATCH,
        None,
    )
    assert new.check.blocked
    # The blocked case is not named, not even by its code, to someone who does not hold it.
    assert new.check.duplicates == []
    assert case.code not in repr(new.check)

    # An operator reading a third request with that phone flags the thread itself.
    third = open_web_thread("third", triage=Triage(region="RU-CE")).thread
    assert Thread.objects.get(pk=third.pk).security_concern_at is None
    result = services.check_thread_identifiers(
        user=olga, user_private_key=ko, thread=third, contact_text=f"call me {OTHER_FORMAT}"
    )
    assert result.blocked
    assert Thread.objects.get(pk=third.pk).security_concern_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("outcome", "reason"),
    [(Outcome.DECLINED, ""), (Outcome.FAILED_VETTING, VettingFailure.OUT_OF_MANDATE)],
)
def test_other_closures_block_nothing(
    olga: User, alice: User, carol: User, outcome: str, reason: str
) -> None:
    """Someone out of mandate, or who declined, may well be genuine and write again."""
    ka, kc = private_key(alice), private_key(carol)
    thread = open_web_thread("help", triage=Triage(region="RU-CE", safe_contact=PHONE)).thread
    case = services.open_case_from_thread(
        actor=olga, user_private_key=private_key(olga), thread=thread, caseworker=alice
    ).case
    grants.grant_case_access(actor=alice, user_private_key=ka, case=case, grantee=carol)
    approval = workflow.request_approval(
        actor=alice,
        user_private_key=ka,
        case=case,
        kind=ApprovalKind.CLOSURE,
        subject=rules.closure_subject(outcome, reason),
    )
    workflow.decide_approval(actor=carol, user_private_key=kc, approval=approval, decision="approve")
    workflow.close_case(actor=alice, user_private_key=ka, case=case, outcome=outcome, outcome_reason=reason)
    assert not BlockedIdentifier.objects.exists()
