"""The hash-chained audit log."""

from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    """One append-only entry; `hash` chains it to the entry before it.

    Entries hold ids and codes only, never personal data: the log itself must be safe
    to show an auditor and to keep for years.
    """

    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField()
    actor_id = models.UUIDField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class AuditChainHead(models.Model):
    """A single row that serialises appends and remembers the newest entry.

    `mac` authenticates `last_seq` and `last_hash` under the chain key, so the head
    cannot be moved back over a cut by someone who can only write to the database.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    mac = models.CharField(max_length=64, default="")

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_single_head")]

    def __str__(self) -> str:
        return f"head at #{self.last_seq}"


class AnchorMailing(models.Model):
    """The head last mailed to the anchor recipients, so a restart mails no head twice.

    Only the mail needs this row: the anchor file's own last line says what it holds.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField()
    last_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_single_anchor_mailing")]

    def __str__(self) -> str:
        return f"anchor mailed at #{self.last_seq}"
