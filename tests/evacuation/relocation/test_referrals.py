"""Referrals end to end: consent, approval by a coordinator, signing, download, and the partner
opening the packet with the documented command; every refusal on the way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from corridor import cli
from corridor.accounts import keyring
from corridor.accounts.integrity import IntegrityFailure
from corridor.accounts.models import OrgKeyKind, User
from corridor.audit.models import AuditEvent
from corridor.cases import services as case_services
from corridor.cases import workflow
from corridor.cases.models import Approval, ApprovalKind, Case
from corridor.cases.profile import Profile
from corridor.cases.services import CaseRefused
from corridor.crypto import keys, referral
from corridor.crypto.words import fingerprint_words
from corridor.evacuation.relocation import referrals, services
from corridor.evacuation.relocation.models import Partner, Referral
from tests.hotline.helpers import private_key

SignedIn = Callable[[User], Client]


def _profile(alice: User, case: Case) -> None:
    case_services.update_profile(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        profile=Profile(
            names=["Ахмед Тестов"], birth="1994", phones=["+7 928 111 22 33"], location="secret flat"
        ),
    )


def _consent(alice: User, case: Case, partner: Partner) -> None:
    services.record_consent(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        partner=partner,
        given_on=date(2026, 1, 5),
        channel="in_person",
    )


def _approved_referral(alice: User, carol: User, case: Case, partner: Partner) -> Referral:
    _profile(alice, case)
    _consent(alice, case, partner)
    made = referrals.request_referral(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        partner=partner,
        fields=["names", "birth"],
        message="Arrives by train; speaks Russian.",
    )
    workflow.decide_approval(
        actor=carol, user_private_key=private_key(carol), approval=made.approval, decision="approve"
    )
    return made


def _signer_words() -> str:
    return fingerprint_words(keyring.pinned_public_key(OrgKeyKind.SIGNING))


def _write_key(tmp_path: Path, pair: keys.KeyPair) -> Path:
    path = tmp_path / "partner.key"
    path.write_text(referral.encode_private(pair.private))
    return path


def test_the_whole_way_to_the_partner(
    signed_in: SignedIn,
    alice: User,
    carol: User,
    case: Case,
    partner: Partner,
    partner_keys: keys.KeyPair,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _profile(alice, case)
    _consent(alice, case, partner)
    client = signed_in(alice)
    response = client.post(
        reverse("relocation:referral_request", args=[case.pk]),
        {"partner": str(partner.pk), "fields_sent": ["names", "birth"], "message": "Arrives by train."},
    )
    assert response.status_code == 302, response.content
    made = Referral.objects.get(case=case)
    assert made.fields == "names,birth"
    assert made.approval.kind == ApprovalKind.PARTNER_REFERRAL
    assert AuditEvent.objects.filter(action="relocation.referral_requested").exists()

    # Not yet approved: nothing to sign.
    sign = reverse("relocation:referral_sign", args=[case.pk])
    carol_client = signed_in(carol)
    assert carol_client.post(sign, {"referral": str(made.pk)}).status_code == 400
    workflow.decide_approval(
        actor=carol, user_private_key=private_key(carol), approval=made.approval, decision="approve"
    )
    # A caseworker holds no signing key and signs nothing.
    assert client.post(sign, {"referral": str(made.pk)}).status_code == 403
    assert carol_client.post(sign, {"referral": str(made.pk)}).status_code == 302
    assert AuditEvent.objects.filter(action="relocation.referral_signed").exists()
    # Signing twice does not sign again.
    assert carol_client.post(sign, {"referral": str(made.pk)}).status_code == 400

    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "Download the packet" in page
    response = client.get(reverse("relocation:referral_download", args=[case.pk, made.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="referral-{made.pk}.crp"'
    assert AuditEvent.objects.filter(action="relocation.packet_downloaded", actor_id=str(alice.pk)).exists()
    packet_file = tmp_path / "referral.crp"
    packet_file.write_bytes(response.content)

    # The partner opens it with the documented command.
    key_file = _write_key(tmp_path, partner_keys)
    argv = [
        "corridor",
        "referral",
        "open",
        "--key",
        str(key_file),
        "--signer",
        _signer_words(),
        str(packet_file),
    ]
    with pytest.raises(SystemExit) as done:
        cli.main(argv)
    assert done.value.code == 0
    opened = json.loads(capsys.readouterr().out)
    assert opened["person"] == {"names": ["Ахмед Тестов"], "birth": "1994"}
    assert opened["message"] == "Arrives by train."
    assert opened["reference"] == case.code
    assert opened["referral"] == str(made.pk)
    assert "secret flat" not in json.dumps(opened, ensure_ascii=False)  # not chosen, not sent
    assert "+7 928" not in json.dumps(opened, ensure_ascii=False)


def test_the_command_refuses_a_wrong_key_and_a_changed_byte(
    alice: User,
    carol: User,
    case: Case,
    partner: Partner,
    partner_keys: keys.KeyPair,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    made = _approved_referral(alice, carol, case, partner)
    referrals.sign_referral(actor=carol, user_private_key=private_key(carol), case=case, referral=made)
    packet = referrals.download_packet(
        user=alice, user_private_key=private_key(alice), case=case, referral=made
    )
    good, tampered = tmp_path / "good.crp", tmp_path / "tampered.crp"
    good.write_bytes(packet)
    changed = bytearray(packet)
    changed[len(changed) // 2] ^= 0x40
    tampered.write_bytes(bytes(changed))
    right = _write_key(tmp_path, partner_keys)
    wrong = tmp_path / "wrong.key"
    wrong.write_text(referral.encode_private(keys.generate_keypair().private))
    words = _signer_words()

    def run(key: Path, packet_file: Path, signer: str = words) -> int | str | None:
        with pytest.raises(SystemExit) as done:
            cli.main(
                ["corridor", "referral", "open", "--key", str(key), "--signer", signer, str(packet_file)]
            )
        return done.value.code

    assert run(right, good) == 0
    capsys.readouterr()
    assert run(wrong, good) == 2
    assert "does not open" in capsys.readouterr().err
    assert run(right, tampered) == 2
    assert "REFUSED" in capsys.readouterr().err
    other_signer = fingerprint_words(keys.verify_key_of(keys.generate_signing_seed()))
    assert run(right, good, other_signer) == 2
    assert "published fingerprint" in capsys.readouterr().err


def test_the_installed_command_needs_no_installation(tmp_path: Path) -> None:
    """`corridor referral` as a partner runs it: in an empty directory, with no Corridor settings,
    the key file protected by a passphrase."""
    corridor = Path(sys.executable).with_name("corridor")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    secret = tmp_path / "passphrase"
    secret.write_text("our long partner passphrase\n")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(corridor), "referral", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    made = run("keygen", "--out", "mine.key", "--passphrase-file", str(secret))
    assert made.returncode == 0, made.stderr
    assert "corridor-partner-v1:" in made.stdout
    # No database, no data directory: only the key file (and the test's passphrase file).
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.key", "passphrase"]
    assert (tmp_path / "mine.key").stat().st_mode & 0o777 == 0o600
    text = (tmp_path / "mine.key").read_text()
    assert referral.key_file_is_protected(text)
    private = referral.decode_private(text, passphrase="our long partner passphrase")
    public_line = next(line.strip() for line in made.stdout.splitlines() if "corridor-partner-v1:" in line)
    assert referral.decode_public(public_line) == keys.public_key_of(private)
    # Without a terminal or a passphrase file, keygen refuses rather than writing an unprotected key.
    assert run("keygen", "--out", "other.key").returncode == 1
    assert not (tmp_path / "other.key").exists()

    seed = keys.generate_signing_seed()
    packet = referral.build_packet(
        signing_seed=seed,
        partner_public=keys.public_key_of(private),
        packet_id="x",
        created_at="now",
        payload={"person": {"names": ["N"]}},
    )
    (tmp_path / "p.crp").write_bytes(packet)
    signer = fingerprint_words(keys.verify_key_of(seed))
    opened = run("open", "--key", "mine.key", "--passphrase-file", str(secret), "--signer", signer, "p.crp")
    assert opened.returncode == 0, opened.stderr
    assert json.loads(opened.stdout)["person"] == {"names": ["N"]}
    (tmp_path / "wrong").write_text("not it\n")
    refused = run("open", "--key", "mine.key", "--passphrase-file", "wrong", "--signer", signer, "p.crp")
    assert refused.returncode == 1
    assert "passphrase does not open" in refused.stderr


def test_no_referral_without_consent(alice: User, case: Case, partner: Partner) -> None:
    with pytest.raises(CaseRefused, match="consent"):
        referrals.request_referral(
            actor=alice, user_private_key=private_key(alice), case=case, partner=partner, fields=["names"]
        )
    assert not Referral.objects.exists()
    assert not Approval.objects.filter(kind=ApprovalKind.PARTNER_REFERRAL).exists()


def test_a_withdrawn_consent_blocks_later_referrals_signing_and_downloads(
    signed_in: SignedIn, alice: User, carol: User, case: Case, partner: Partner
) -> None:
    made = _approved_referral(alice, carol, case, partner)
    referrals.sign_referral(actor=carol, user_private_key=private_key(carol), case=case, referral=made)
    second = _approved_referral_after_first(alice, carol, case, partner)
    consent = made.consent
    services.withdraw_consent(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        consent=consent,
        note="changed their mind",
    )
    with pytest.raises(CaseRefused, match="consent"):
        referrals.request_referral(
            actor=alice, user_private_key=private_key(alice), case=case, partner=partner, fields=["names"]
        )
    with pytest.raises(CaseRefused, match="withdrew"):
        referrals.sign_referral(actor=carol, user_private_key=private_key(carol), case=case, referral=second)
    response = signed_in(alice).get(reverse("relocation:referral_download", args=[case.pk, made.pk]))
    assert response.status_code == 400
    assert "withdrew" in response.content.decode()
    assert not AuditEvent.objects.filter(action="relocation.packet_downloaded").exists()


def _approved_referral_after_first(alice: User, carol: User, case: Case, partner: Partner) -> Referral:
    made = referrals.request_referral(
        actor=alice, user_private_key=private_key(alice), case=case, partner=partner, fields=["phones"]
    )
    workflow.decide_approval(
        actor=carol, user_private_key=private_key(carol), approval=made.approval, decision="approve"
    )
    return made


def test_one_referral_waits_for_a_decision_at_a_time(alice: User, case: Case, partner: Partner) -> None:
    _consent(alice, case, partner)
    referrals.request_referral(
        actor=alice, user_private_key=private_key(alice), case=case, partner=partner, fields=["names"]
    )
    with pytest.raises(CaseRefused, match="waiting"):
        referrals.request_referral(
            actor=alice, user_private_key=private_key(alice), case=case, partner=partner, fields=["birth"]
        )
    assert Referral.objects.count() == 1


def test_a_rejected_referral_is_never_signed(alice: User, carol: User, case: Case, partner: Partner) -> None:
    _consent(alice, case, partner)
    made = referrals.request_referral(
        actor=alice, user_private_key=private_key(alice), case=case, partner=partner, fields=["names"]
    )
    workflow.decide_approval(
        actor=carol, user_private_key=private_key(carol), approval=made.approval, decision="reject", note="no"
    )
    with pytest.raises(CaseRefused, match="approve"):
        referrals.sign_referral(actor=carol, user_private_key=private_key(carol), case=case, referral=made)


def test_a_partner_key_changed_in_the_database_is_never_sealed_to(
    signed_in: SignedIn, alice: User, carol: User, case: Case, partner: Partner
) -> None:
    made = _approved_referral(alice, carol, case, partner)
    Partner.objects.filter(pk=partner.pk).update(public_key=keys.generate_keypair().public)
    with pytest.raises(IntegrityFailure):
        referrals.sign_referral(actor=carol, user_private_key=private_key(carol), case=case, referral=made)
    response = signed_in(carol).post(
        reverse("relocation:referral_sign", args=[case.pk]), {"referral": str(made.pk)}
    )
    assert response.status_code == 503
    assert not bytes(Referral.objects.get(pk=made.pk).packet)
    assert AuditEvent.objects.filter(action="integrity.check_failed", data__what="partner_key").exists()
    page = signed_in(carol).get(reverse("relocation:partners")).content.decode()
    assert "Changed outside Corridor" in page


def test_a_deactivated_partner_gets_nothing(alice: User, carol: User, case: Case, partner: Partner) -> None:
    made = _approved_referral(alice, carol, case, partner)
    from corridor.evacuation.relocation import partners

    partners.deactivate_partner(actor=carol, partner=partner)
    with pytest.raises(CaseRefused, match="no longer active"):
        referrals.sign_referral(actor=carol, user_private_key=private_key(carol), case=case, referral=made)


# --- the views' guards ----------------------------------------------------------------


def test_referral_views_guard(
    signed_in: SignedIn,
    alice: User,
    bob: User,
    carol: User,
    olga: User,
    dave: User,
    case: Case,
    other_case: Case,
    partner: Partner,
) -> None:
    made = _approved_referral(alice, carol, case, partner)
    referrals.sign_referral(actor=carol, user_private_key=private_key(carol), case=case, referral=made)
    download = reverse("relocation:referral_download", args=[case.pk, made.pk])
    # Another case, or this referral under another case: 404.
    assert signed_in(bob).get(download).status_code == 404
    assert (
        signed_in(bob).get(reverse("relocation:referral_download", args=[other_case.pk, made.pk])).status_code
        == 404
    )
    # Roles without relocation: 403.
    assert signed_in(olga).get(download).status_code == 403
    assert signed_in(dave).get(download).status_code == 403
    # Writes refuse GET; a download refuses POST.
    assert signed_in(alice).get(reverse("relocation:referral_request", args=[case.pk])).status_code == 405
    assert signed_in(carol).get(reverse("relocation:referral_sign", args=[case.pk])).status_code == 405
    assert signed_in(alice).post(download).status_code == 405
    # Signing another case's referral: bob is no coordinator (403); carol cannot read bob's case (404).
    sign_other = reverse("relocation:referral_sign", args=[other_case.pk])
    assert signed_in(carol).post(sign_other, {"referral": str(made.pk)}).status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"fields_sent": ["names"]},  # no partner
        {"partner": "nonsense", "fields_sent": ["names"]},
        {"partner": "PARTNER"},  # nothing chosen
        {"partner": "PARTNER", "fields_sent": ["password"]},
        {"partner": "PARTNER", "fields_sent": ["names"], "message": "a\x00b"},
        {"partner": "PARTNER", "fields_sent": ["names"], "message": "x" * 5001},
        {"partner": "PARTNER", "fields_sent": ["names"], "pathway": "other"},
    ],
)
def test_referral_form_refuses_bad_input(
    signed_in: SignedIn, alice: User, case: Case, partner: Partner, data: dict[str, object]
) -> None:
    _consent(alice, case, partner)
    data = {k: (str(partner.pk) if v == "PARTNER" else v) for k, v in data.items()}
    response = signed_in(alice).post(reverse("relocation:referral_request", args=[case.pk]), data)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not Referral.objects.exists()
    assert not Approval.objects.filter(kind=ApprovalKind.PARTNER_REFERRAL).exists()


def test_referral_without_consent_is_400_on_the_page(
    signed_in: SignedIn, alice: User, case: Case, partner: Partner
) -> None:
    response = signed_in(alice).post(
        reverse("relocation:referral_request", args=[case.pk]),
        {"partner": str(partner.pk), "fields_sent": ["names"]},
    )
    assert response.status_code == 400
    assert "consent" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_same_referral_form_twice_creates_one(
    signed_in: SignedIn, alice: User, case: Case, partner: Partner
) -> None:
    _consent(alice, case, partner)
    client = signed_in(alice)
    data = {"partner": str(partner.pk), "fields_sent": ["names"], "submission": "a" * 43}
    url = reverse("relocation:referral_request", args=[case.pk])
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert Referral.objects.count() == 1


def test_a_coordinator_without_the_signing_key_is_told_so(
    signed_in: SignedIn, org: dict[str, object], alice: User, carol: User, case: Case, partner: Partner
) -> None:
    from corridor.accounts.models import KeyWrap, Role
    from corridor.cases import grants
    from tests.conftest import make_user

    cora = make_user(org, "cora", {Role.COORDINATOR})
    KeyWrap.objects.filter(user=cora, org_key__kind=OrgKeyKind.SIGNING).delete()
    grants.grant_case_access(actor=alice, user_private_key=private_key(alice), case=case, grantee=cora)
    made = _approved_referral(alice, carol, case, partner)
    response = signed_in(cora).post(
        reverse("relocation:referral_sign", args=[case.pk]), {"referral": str(made.pk)}
    )
    assert response.status_code == 400
    assert "signing key" in response.content.decode()
    assert not bytes(Referral.objects.get(pk=made.pk).packet)


def test_a_referral_follows_its_pathways_partner(
    org: dict[str, object], alice: User, carol: User, case: Case, partner: Partner
) -> None:
    from tests.evacuation.relocation.conftest import add_partner

    other = add_partner(carol, keys.generate_keypair(), name="Nordlicht")
    pathway = services.add_pathway(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        kind="resettlement",
        destination="DE",
        partner=other,
    )
    _consent(alice, case, partner)
    with pytest.raises(CaseRefused, match="another partner"):
        referrals.request_referral(
            actor=alice,
            user_private_key=private_key(alice),
            case=case,
            partner=partner,
            fields=["names"],
            pathway=pathway,
        )
    assert not Referral.objects.exists()


@pytest.mark.parametrize("data", [{}, {"referral": "not-an-id"}, {"referral": "1" * 40}])
def test_the_sign_form_refuses_bad_input(
    signed_in: SignedIn, alice: User, carol: User, case: Case, partner: Partner, data: dict[str, str]
) -> None:
    made = _approved_referral(alice, carol, case, partner)
    response = signed_in(carol).post(reverse("relocation:referral_sign", args=[case.pk]), data)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not bytes(Referral.objects.get(pk=made.pk).packet)


def test_a_signed_packet_survives_a_rekey(
    alice: User, bob: User, carol: User, case: Case, partner: Partner, partner_keys: keys.KeyPair
) -> None:
    from corridor.cases import grants

    made = _approved_referral(alice, carol, case, partner)
    referrals.sign_referral(actor=carol, user_private_key=private_key(carol), case=case, referral=made)
    before = referrals.download_packet(
        user=alice, user_private_key=private_key(alice), case=case, referral=made
    )
    grants.grant_case_access(actor=alice, user_private_key=private_key(alice), case=case, grantee=bob)
    grants.revoke_case_access(
        actor=alice, user_private_key=private_key(alice), case=case, user=bob, rekey=True
    )
    case = Case.objects.select_related("key").get(pk=case.pk)
    assert case.key.version == 2
    after = referrals.download_packet(
        user=alice, user_private_key=private_key(alice), case=case, referral=made
    )
    assert after == before  # the same signed packet, now under the new case key
    assert bytes(Referral.objects.get(pk=made.pk).packet) != b""
