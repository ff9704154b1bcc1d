"""`corridor audit verify --anchor`: a head recorded elsewhere catches cuts, rollbacks and wipes.

The attacks are done as someone who can write to the database but has not read the
server's configuration: raw SQL on the audit tables, no chain key.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from corridor.audit.anchors import AnchorFileInvalid, parse_anchors
from corridor.audit.models import AuditEvent
from corridor.audit.services import record_event, verify_chain


def append_events(count: int) -> list[AuditEvent]:
    return [record_event(action="test.event", data={"n": i}) for i in range(count)]


def exported_head() -> str:
    """What an operator records off the server: the output of `corridor audit head`."""
    out = StringIO()
    call_command("audit", "head", stdout=out)
    return out.getvalue()


def verify(anchor: Path | None = None) -> str:
    out = StringIO()
    call_command("audit", "verify", *(["--anchor", str(anchor)] if anchor else []), stdout=out)
    return out.getvalue()


def verify_fails(anchor: Path) -> str:
    with pytest.raises(CommandError) as failure:
        verify(anchor)
    message = str(failure.value)
    assert failure.value.returncode == 1
    assert "\n" not in message
    return message


def snapshot_head() -> tuple[int, str, str]:
    """The head row as someone who once read the database (or a backup) holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_seq, last_hash, mac FROM audit_auditchainhead WHERE id = 1")
        seq, digest, mac = cursor.fetchone()
    return seq, digest, mac


def cut_back_to(head: tuple[int, str, str]) -> None:
    """Delete every entry after the saved head and put the saved head row back."""
    seq, digest, mac = head
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq > %s", [seq])
        cursor.execute(
            "UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s, mac = %s WHERE id = 1",
            [seq, digest, mac],
        )


def test_an_exported_head_verifies(db: None, tmp_path: Path) -> None:
    append_events(3)
    anchor = tmp_path / "anchor"
    anchor.write_text(exported_head())
    append_events(2)
    assert "all 1 anchored heads" in verify(anchor)


def test_a_replayed_older_head_passes_alone_but_not_against_an_anchor(db: None, tmp_path: Path) -> None:
    append_events(3)
    old_head = snapshot_head()
    append_events(2)
    anchor = tmp_path / "anchor"
    anchor.write_text(exported_head())

    cut_back_to(old_head)

    # The replayed head carries a MAC Corridor once wrote: only the anchor shows the cut.
    assert verify_chain().ok
    assert "entry #5, anchored on line 1, is gone" in verify_fails(anchor)


def test_a_rollback_the_server_wrote_over_is_caught(db: None, tmp_path: Path) -> None:
    append_events(3)
    old_head = snapshot_head()
    append_events(2)
    anchor = tmp_path / "anchor"
    anchor.write_text(exported_head())

    cut_back_to(old_head)
    append_events(2)  # the server goes on writing: entries #4 and #5 again, with new hashes

    assert verify_chain().ok
    assert "entry #5 differs from its anchor on line 1" in verify_fails(anchor)


def test_a_wiped_log_is_caught_even_before_the_organisation_exists(db: None, tmp_path: Path) -> None:
    append_events(5)
    anchor = tmp_path / "anchor"
    anchor.write_text(exported_head())
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
        cursor.execute("DELETE FROM audit_auditchainhead")

    assert verify_chain().ok  # nothing says there ever was a log
    assert "entry #5, anchored on line 1, is gone" in verify_fails(anchor)


def test_every_line_of_an_anchor_log_is_checked(db: None, tmp_path: Path) -> None:
    events = append_events(5)
    anchor = tmp_path / "anchor"
    anchor.write_text(
        "# anchors of the test installation\n"
        f"3 {events[2].hash} 2026-03-01T09:00:00+00:00\n"
        "\n"
        f"5 {events[4].hash.upper()} 2026-03-01T09:10:00+00:00\n"
    )
    assert "all 2 anchored heads" in verify(anchor)

    anchor.write_text(f"3 {events[3].hash}\n5 {events[4].hash}\n")
    assert "entry #3 differs from its anchor on line 1" in verify_fails(anchor)


def test_an_anchor_of_the_empty_chain_anchors_nothing(db: None, tmp_path: Path) -> None:
    anchor = tmp_path / "anchor"
    anchor.write_text(exported_head())
    assert anchor.read_text().strip() == "0 (empty)"
    append_events(1)
    assert "all 0 anchored heads" in verify(anchor)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "it holds no head"),
        ("# only a comment\n\n", "it holds no head"),
        ("5\n", "line 1 is not `SEQ HASH`"),
        ("3 " + "a" * 64 + "\n5 not-a-hash\n", "line 2 is not `SEQ HASH`"),
        ("-1 " + "a" * 64 + "\n", "line 1 is not `SEQ HASH`"),
        ("٣ " + "a" * 64 + "\n", "line 1 is not `SEQ HASH`"),
        ("3 " + "a" * 63 + "\n", "line 1 is not `SEQ HASH`"),
    ],
)
def test_a_malformed_anchor_file_is_refused(text: str, problem: str) -> None:
    with pytest.raises(AnchorFileInvalid, match=problem):
        parse_anchors(text)


def test_a_bad_anchor_file_fails_verify_with_one_line(db: None, tmp_path: Path) -> None:
    append_events(1)
    missing = tmp_path / "nowhere"
    assert "cannot read it" in verify_fails(missing)
    emptied = tmp_path / "emptied"
    emptied.write_text("")
    assert "holds no head" in verify_fails(emptied)


def test_head_refuses_to_export_a_moved_head(db: None) -> None:
    events = append_events(5)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditchainhead SET last_seq = 3, last_hash = %s WHERE id = 1", [events[2].hash]
        )
    with pytest.raises(CommandError, match="fails its MAC"):
        exported_head()


def test_anchor_goes_with_verify_only(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--anchor goes with verify"):
        call_command("audit", "head", "--anchor", str(tmp_path / "anchor"), stdout=StringIO())
