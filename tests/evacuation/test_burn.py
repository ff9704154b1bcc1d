"""The burn view's report: triggers, what the person knows, who to move or warn, idempotent proposals."""

from __future__ import annotations

import pytest

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import services, workflow
from corridor.cases.models import Case, Task
from corridor.evacuation import burn
from corridor.evacuation.houses import EvacuationRefused
from corridor.evacuation.models import BurnProposal
from corridor.evacuation.services import place_in_house, record_exposure, report_phone_seized
from tests.evacuation.helpers import make_house, open_case, plan_leg, soon
from tests.hotline.helpers import private_key


def _report(user: User, case: Case) -> burn.BurnReport:
    key = services.open_case_key(user=user, user_private_key=private_key(user), case=case, purpose="t")
    return burn.burn_report(user=user, case=case, key=key)


def test_triggers(olga: User, alice: User) -> None:
    case = open_case(olga, alice)
    ka = private_key(alice)
    assert burn.triggers(case) == []
    workflow.raise_flag(actor=alice, user_private_key=ka, case=case, kind="detained", reason="third_party")
    assert burn.triggers(case) == ["detained"]
    report_phone_seized(actor=alice, user_private_key=ka, case=case, note="Telegram was open")
    with pytest.raises(EvacuationRefused):
        report_phone_seized(actor=alice, user_private_key=ka, case=case)
    assert burn.triggers(case) == ["detained", "phone_seized"]
    other = open_case(olga, alice)
    workflow.raise_flag(
        actor=alice, user_private_key=ka, case=other, kind="security_concern", reason="other", note="odd"
    )
    assert burn.triggers(other) == ["security_concern"]


def test_the_report_lists_who_to_move_and_who_to_warn(
    olga: User, alice: User, bob: User, carol: User
) -> None:
    ka, kb = private_key(alice), private_key(bob)
    birch, oak = make_house(carol, "Birch", capacity=5), make_house(carol, "Oak", capacity=5)
    burned = open_case(olga, alice)
    roommate = open_case(olga, bob)  # lives now where the burned person lived
    past = open_case(olga, bob)  # stayed with the burned person, now elsewhere
    known = open_case(olga, bob)  # the burned person was told of them
    traveller = open_case(olga, bob)  # on a leg the burned person knows (escorted by carol)
    place_in_house(
        actor=alice, user_private_key=ka, case=burned, house=birch, starts_at=soon(-48), ends_at=soon(-1)
    )
    place_in_house(
        actor=bob, user_private_key=kb, case=past, house=birch, starts_at=soon(-40), ends_at=soon(-30)
    )
    place_in_house(actor=bob, user_private_key=kb, case=past, house=oak, starts_at=soon(-29))
    place_in_house(actor=bob, user_private_key=kb, case=roommate, house=birch, starts_at=soon(-20))
    leg = plan_leg(bob, traveller, escort=carol)
    record_exposure(
        actor=alice, user_private_key=ka, case=burned, kind="case", other_case=known, disclosed_at=soon(-2)
    )
    record_exposure(
        actor=alice, user_private_key=ka, case=burned, kind="movement", movement=leg, disclosed_at=soon(-1)
    )
    workflow.raise_flag(actor=alice, user_private_key=ka, case=burned, kind="detained", reason="third_party")

    report = _report(alice, burned)
    assert report.triggers == ["detained"]
    got = {(a.kind, a.label) for a in report.affected}
    assert got == {
        ("move_person", roommate.code),
        ("warn_person", past.code),
        ("warn_person", known.code),
        ("warn_person", traveller.code),
        ("warn_staff", "carol"),
        ("check_house", "Birch"),
    }
    # Alice reads none of bob's cases: she sees their cards, not links into them.
    assert all(
        a.card is not None and not a.card.readable for a in report.affected if a.kind.endswith("person")
    )
    assert [h.code_name for h in report.houses] == ["Birch"]

    made = burn.propose_tasks(actor=alice, user_private_key=ka, case=burned, report=report)
    assert made == 6
    assert Task.objects.filter(case=burned, assignee=alice).count() == 6
    again = _report(alice, burned)
    assert again.to_propose == 0
    assert burn.propose_tasks(actor=alice, user_private_key=ka, case=burned, report=again) == 0
    assert BurnProposal.objects.count() == 6
    assert AuditEvent.objects.filter(action="evacuation.burn_tasks_proposed").count() == 2


def test_nothing_is_proposed_for_someone_not_burned(olga: User, alice: User) -> None:
    case = open_case(olga, alice)
    with pytest.raises(EvacuationRefused):
        burn.propose_tasks(
            actor=alice, user_private_key=private_key(alice), case=case, report=_report(alice, case)
        )
    assert not Task.objects.exists()
