"""The `corridor` command: init prints shares once, recover needs k of them (demo: tests/web/test_demo.py)."""

from __future__ import annotations

import io
import itertools
import os
import pty
import re
import select
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from corridor.accounts import keyring
from corridor.accounts.models import OrgKeyKind, User
from corridor.accounts.services import unwrap_user_key
from corridor.audit.models import AuditEvent
from corridor.crypto.words import fingerprint_words
from tests.conftest import PASSWORD, make_user

REPO = Path(__file__).resolve().parents[1]


def run_init(monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.setenv("CORRIDOR_ADMIN_PASSWORD", PASSWORD)
    monkeypatch.setenv("CORRIDOR_KEYHOLDER_PASSWORD", PASSWORD)
    out = StringIO()
    call_command("init", "--admin", "root", "--no-input", *args, stdout=out)
    return out.getvalue()


def shares_from(output: str) -> list[str]:
    lines = output.splitlines()
    return [lines[i + 1].strip() for i, line in enumerate(lines) if line.startswith("Share ")]


@pytest.mark.django_db
def test_init_creates_keys_shares_and_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    output = run_init(monkeypatch, "--keyholder", "keeper", "-k", "2", "-n", "3")
    shares = shares_from(output)
    assert len(shares) == 3
    assert all(len(s.split()) == 33 for s in shares)
    assert "any 2 of these 3" in output
    signing = keyring.current_key(OrgKeyKind.SIGNING)
    assert fingerprint_words(bytes(signing.public_key)) in output
    root = User.objects.get(username="root")
    assert root.role_codes == {"admin"}
    assert keyring.held_kinds(root) == set()
    keeper = User.objects.get(username="keeper")
    assert keyring.held_kinds(keeper) == {"hotline", "signing", "index", "evidence"}
    assert AuditEvent.objects.filter(action="org.keys_created").exists()
    with pytest.raises(CommandError, match="already"):
        run_init(monkeypatch)


@pytest.mark.django_db
def test_init_without_a_password_fails_cleanly() -> None:
    os.environ.pop("CORRIDOR_ADMIN_PASSWORD", None)
    with pytest.raises(CommandError, match="CORRIDOR_ADMIN_PASSWORD"):
        call_command("init", "--admin", "root", "--no-input", stdout=StringIO())
    assert not keyring.organisation_initialised()


def recover(monkeypatch: pytest.MonkeyPatch, username: str, shares: list[str]) -> str:
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(shares) + "\n\n"))
    out = StringIO()
    call_command("recover", "--user", username, stdout=out)
    return out.getvalue()


@pytest.fixture
def initialised(monkeypatch: pytest.MonkeyPatch, db: None) -> list[str]:
    return shares_from(run_init(monkeypatch))


def test_k_shares_recover_the_keys_for_a_user(
    monkeypatch: pytest.MonkeyPatch, initialised: list[str]
) -> None:
    org: dict[str, object] = {"secrets": {}}
    heir = make_user(org, "heir", {"coordinator", "operator"}, enrol=False)
    assert keyring.held_kinds(heir) == set()
    output = recover(monkeypatch, "heir", [initialised[4], initialised[0], initialised[2]])
    assert "hotline, signing, index, evidence" in output
    private = unwrap_user_key(User.objects.get(username="heir"), PASSWORD)
    hotline = keyring.unseal_org_key(user=heir, user_private_key=private, kind=OrgKeyKind.HOTLINE)
    from corridor.crypto import keys

    assert keys.public_key_of(hotline) == bytes(keyring.current_key(OrgKeyKind.HOTLINE).public_key)
    assert AuditEvent.objects.filter(action="org.recovery_used", target_id=str(heir.pk)).exists()


def test_k_minus_one_shares_recover_nothing(monkeypatch: pytest.MonkeyPatch, initialised: list[str]) -> None:
    org: dict[str, object] = {"secrets": {}}
    heir = make_user(org, "heir", {"coordinator"}, enrol=False)
    with pytest.raises(CommandError, match="3 distinct shares are needed"):
        recover(monkeypatch, "heir", initialised[:2])
    with pytest.raises(CommandError, match="3 distinct shares are needed"):
        recover(monkeypatch, "heir", [initialised[0], initialised[0], initialised[1]])
    assert keyring.held_kinds(heir) == set()
    assert not AuditEvent.objects.filter(action="org.recovery_used").exists()


def words_in(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def test_a_mistyped_share_is_refused(monkeypatch: pytest.MonkeyPatch, initialised: list[str]) -> None:
    words = initialised[1].split()
    words[5] = "academic" if words[5] != "academic" else "acid"
    org: dict[str, object] = {"secrets": {}}
    heir = make_user(org, "heir", {"coordinator"}, enrol=False)
    with pytest.raises(CommandError) as caught:
        recover(monkeypatch, "heir", [initialised[0], " ".join(words), initialised[2]])
    message = str(caught.value)
    assert (
        message
        == "recovery failed: share 2 is garbled (33 words): a word is mistyped, missing, added or swapped"
    )
    assert not words_in(message) & set(words)
    assert keyring.held_kinds(heir) == set()


def test_a_misspelt_word_is_named_by_share_and_position_not_repeated(
    monkeypatch: pytest.MonkeyPatch, initialised: list[str]
) -> None:
    words = initialised[2].split()
    typo = words[6][:-1] + "zq"  # never a SLIP-39 word: none has a z followed by a q
    words[6] = typo
    org: dict[str, object] = {"secrets": {}}
    heir = make_user(org, "heir", {"coordinator"}, enrol=False)
    with pytest.raises(CommandError) as caught:
        recover(monkeypatch, "heir", [initialised[0], initialised[1], " ".join(words)])
    message = str(caught.value)
    assert message == "recovery failed: share 3: word 7 is not a SLIP-39 word"
    assert typo not in message
    assert not words_in(message) & set(words)
    assert keyring.held_kinds(heir) == set()
    assert not AuditEvent.objects.filter(action="org.recovery_used").exists()


CORRIDOR = str(Path(sys.executable).parent / "corridor")
# Makes the pseudo-terminal on standard input the controlling terminal of a new session,
# as a trustee's terminal is, then runs the command: getpass opens /dev/tty as it would.
ON_TERMINAL = (
    "import fcntl, os, sys, termios\n"
    "fcntl.ioctl(0, termios.TIOCSCTTY, 0)\n"
    "os.execv(sys.argv[1], sys.argv[1:])\n"
)


def installation_env(data_dir: Path) -> dict[str, str]:
    """The environment of a separate installation in `data_dir`, with cheap Argon2."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CORRIDOR_", "DJANGO_", "DATABASE_URL"))}
    env.update(
        {
            "CORRIDOR_DATA_DIR": str(data_dir),
            "CORRIDOR_ARGON2_OPSLIMIT": "1",
            "CORRIDOR_ARGON2_MEMLIMIT": "8192",
        }
    )
    return env


def run_on_terminal(argv: list[str], env: dict[str, str], entries: list[str]) -> tuple[int, str]:
    """Run a command on a pseudo-terminal, typing an entry at each `Share N:` prompt; return its output."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", ON_TERMINAL, *argv],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        start_new_session=True,
    )
    os.close(follower)
    shown = b""
    typed = 0
    deadline = time.monotonic() + 60
    try:
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, shown.decode(errors="replace")
            if not select.select([leader], [], [], remaining)[0]:
                continue
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the command has exited and closed the terminal
                break
            if not chunk:
                break
            shown += chunk
            if typed < len(entries) and shown.endswith(f"Share {typed + 1}: ".encode()):
                os.write(leader, entries[typed].encode() + b"\r")  # the Enter key
                typed += 1
        return process.wait(timeout=30), shown.decode()
    finally:
        os.close(leader)
        if process.poll() is None:
            process.kill()
            process.wait()


def assert_never_shown(share: str, shown: str) -> None:
    """Echo would show what was typed verbatim: no two words of the share may appear together."""
    words = share.split()
    for first, second in itertools.pairwise(words):
        assert f"{first} {second}" not in shown


def test_shares_typed_on_a_terminal_are_asked_for_one_by_one_and_never_shown(tmp_path: Path) -> None:
    env = installation_env(tmp_path / "installation")
    init = subprocess.run(
        [CORRIDOR, "init", "--admin", "root", "--keyholder", "keeper", "--no-input", "-k", "2", "-n", "3"],
        env={**env, "CORRIDOR_ADMIN_PASSWORD": PASSWORD, "CORRIDOR_KEYHOLDER_PASSWORD": PASSWORD},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert init.returncode == 0, init.stderr
    shares = shares_from(init.stdout)
    recover_keeper = [CORRIDOR, "recover", "--user", "keeper"]

    words = shares[1].split()
    typo = words[4][:-1] + "zq"  # never a SLIP-39 word: none has a z followed by a q
    mistyped = " ".join([*words[:4], typo, *words[5:]])
    code, shown = run_on_terminal(recover_keeper, env, [shares[0], mistyped, ""])
    assert code == 1, shown
    assert "nothing is shown" in shown
    assert "Share 1: " in shown
    assert "Share 2: " in shown
    assert "Share 3: " in shown
    assert "recovery failed: share 2: word 5 is not a SLIP-39 word" in shown
    assert typo not in shown
    assert_never_shown(shares[0], shown)
    assert_never_shown(mistyped, shown)

    code, shown = run_on_terminal(recover_keeper, env, [shares[2], shares[0], ""])
    assert code == 0, shown
    assert "Re-wrapped for keeper: hotline, signing, index, evidence" in shown
    assert_never_shown(shares[2], shown)
    assert_never_shown(shares[0], shown)

    # Piped in, the shares are read line by line without prompts.
    piped = subprocess.run(
        recover_keeper,
        env=env,
        input=f"{shares[1]}\n{shares[2]}\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.strip() == "Re-wrapped for keeper: hotline, signing, index, evidence"
    assert "Share" not in piped.stderr


def test_shares_of_another_organisation_are_refused(
    monkeypatch: pytest.MonkeyPatch, initialised: list[str]
) -> None:
    from corridor.crypto import keys, shares

    foreign = shares.split_secret(keys.generate_keypair().private, threshold=3, shares=5)
    org: dict[str, object] = {"secrets": {}}
    make_user(org, "heir", {"coordinator"}, enrol=False)
    with pytest.raises(CommandError, match="another organisation"):
        recover(monkeypatch, "heir", foreign[:3])


def test_totp_command_prints_the_current_code(alice: User) -> None:
    from corridor.accounts import second_factor

    out = StringIO()
    call_command("totp", "alice", stdout=out)
    device = second_factor.confirmed_totp_devices(alice).get()
    assert out.getvalue().strip() == second_factor.current_totp_code(device)


def test_recovery_is_refused_for_roles_that_hold_no_case_keys(
    monkeypatch: pytest.MonkeyPatch, initialised: list[str]
) -> None:
    with pytest.raises(CommandError, match="operator or coordinator"):
        recover(monkeypatch, "root", initialised[:3])
    assert keyring.held_kinds(User.objects.get(username="root")) == set()


@pytest.mark.parametrize(
    "argv", [["--data-dir", "{dir}", "demo", "--help"], ["demo", "--data-dir", "{dir}", "--help"]]
)
def test_the_data_directory_may_come_before_or_after_the_command(tmp_path: Path, argv: list[str]) -> None:
    """`corridor --data-dir DIR demo` and `corridor demo --data-dir DIR` both reach the demo command."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CORRIDOR_", "DJANGO_", "DATABASE_URL"))}
    corridor = Path(sys.executable).parent / "corridor"
    args = [a.replace("{dir}", str(tmp_path / "demo")) for a in argv]
    result = subprocess.run(
        [str(corridor), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "demo organisation" in result.stdout
