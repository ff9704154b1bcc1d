"""Canary: a check-in note and the person's message sent with a check-in are nowhere in the clear;
a re-keyed case's check-in notes still open (the note is in the case-key registry)."""

from __future__ import annotations

import logging
import uuid

import pytest

from corridor.accounts.models import User
from corridor.cases import grants, sealing
from corridor.cases import services as case_services
from corridor.cases.models import Case
from corridor.crypto.errors import CryptoError
from corridor.evacuation.checkins import services
from corridor.evacuation.checkins.models import CheckIn
from tests.cases.test_case_canary import _database_images
from tests.evacuation.checkins.helpers import case_with_thread, person_checks_in, start
from tests.hotline.helpers import private_key


@pytest.mark.django_db
def test_no_check_in_text_in_the_clear(
    olga: User, alice: User, bob: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    canary = f"canary-{uuid.uuid4().hex}"
    person = case_with_thread(olga, alice)
    start(person.case, alice)
    services.log_check_in(
        actor=alice,
        user_private_key=private_key(alice),
        case=person.case,
        answer="unsafe",
        channel="messenger",
        note=f"{canary} staff note",
    )
    person_checks_in(person.codename, "safe", text=f"{canary} from the person")

    # A re-key (revoking bob's access) seals the note again under the new key.
    grants.grant_case_access(actor=alice, user_private_key=private_key(alice), case=person.case, grantee=bob)
    grants.revoke_case_access(
        actor=alice, user_private_key=private_key(alice), case=person.case, user=bob, rekey=True
    )
    case = Case.objects.select_related("key").get(pk=person.case.pk)
    assert case.key.version == 2
    key = case_services.open_case_key(user=alice, user_private_key=private_key(alice), case=case, purpose="t")
    note = CheckIn.objects.get(source="staff")
    assert sealing.open_text(key, note, "note") == f"{canary} staff note"

    needles = {
        "utf-8": canary.encode(),
        "utf-16": canary.encode("utf-16-le"),
        "hex": canary.encode().hex().encode(),
    }
    for where, image in _database_images().items():
        assert case.code.encode() in image, where
        for label, needle in needles.items():
            assert needle not in image, f"the canary ({label}) is in the {where} in the clear"
    assert canary not in caplog.text


def test_a_note_moved_to_another_check_in_does_not_open(olga: User, alice: User) -> None:
    person = case_with_thread(olga, alice)
    start(person.case, alice)
    key = private_key(alice)
    first = services.log_check_in(
        actor=alice, user_private_key=key, case=person.case, answer="safe", channel="call", note="first"
    )
    second = services.log_check_in(
        actor=alice, user_private_key=key, case=person.case, answer="unsafe", channel="call", note="second"
    )
    CheckIn.objects.filter(pk=second.pk).update(note=bytes(first.note))
    case_key = case_services.open_case_key(user=alice, user_private_key=key, case=person.case, purpose="t")
    moved = CheckIn.objects.get(pk=second.pk)
    with pytest.raises(CryptoError):
        sealing.open_text(case_key, moved, "note")
