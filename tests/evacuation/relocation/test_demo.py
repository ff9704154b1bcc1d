"""The demo's relocation data: partners, pathways at every step, a signed packet the demo partner opens."""

from __future__ import annotations

from pathlib import Path

from pytest_django.fixtures import Settings as SettingsWrapper

from corridor.accounts import keyring
from corridor.accounts.models import OrgKeyKind, User
from corridor.cases import grants
from corridor.cases.demo import Staff
from corridor.cases.models import Case, Stage
from corridor.crypto import referral
from corridor.crypto.words import fingerprint_words
from corridor.evacuation.relocation import demo, referrals
from corridor.evacuation.relocation.models import Consent, Milestone, Partner, Pathway, Referral
from tests.evacuation.relocation.conftest import open_case
from tests.hotline.helpers import private_key


def test_the_demo_shows_pathways_partners_and_a_packet(
    settings: SettingsWrapper, tmp_path: Path, olga: User, alice: User, bob: User, carol: User
) -> None:
    settings.DATA_DIR = tmp_path
    staff = Staff(
        olga=olga,
        alice=alice,
        bob=bob,
        carol=carol,
        keys={u.username: private_key(u) for u in (olga, alice, bob, carol)},
    )
    cases = {}
    for stage in (Stage.SHELTERED, Stage.RELOCATING, Stage.ARRIVED):
        case = open_case(olga, alice)
        grants.grant_case_access(actor=alice, user_private_key=staff.key(alice), case=case, grantee=carol)
        # The cases demo walks these cases through the pipeline; here they are simply put there.
        Case.objects.filter(pk=case.pk).update(stage=stage)
        cases[stage] = Case.objects.select_related("key").get(pk=case.pk)
    demo.populate(staff)
    assert Partner.objects.count() == 2
    assert Pathway.objects.filter(case=cases[Stage.RELOCATING]).count() == 2
    assert Pathway.objects.get(case=cases[Stage.ARRIVED]).outcome == "arrived"
    assert Milestone.objects.count() > 5
    assert Consent.objects.filter(withdrawn_at__isnull=False).count() == 1
    made = Referral.objects.get()
    packet = referrals.download_packet(
        user=alice, user_private_key=staff.key(alice), case=cases[Stage.RELOCATING], referral=made
    )
    key_file = tmp_path / demo.PARTNER_KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    opened = referral.open_packet(
        partner_private=referral.decode_private(key_file.read_text()),
        signer_fingerprint=fingerprint_words(keyring.pinned_public_key(OrgKeyKind.SIGNING)),
        packet=packet,
    )
    assert set(opened.payload["person"]) == {"names", "birth"}
