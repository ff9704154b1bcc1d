"""Evidence: files attached to an event or to what a source says, each with a hash-chained custody log.

Plain columns are what checking needs without a key: ids, codes, the storage name, the
SHA-256 and size of the stored ciphertext (taken at receipt), how an item came in and
the parent it derives from. The file's name, type, size, its SHA-256 as received and
its file key are sealed in `meta` under the collection key (corridor.documentation.evidence.sealing).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from corridor.documentation.models import Collection, Event, Information


class ItemKind(models.TextChoices):
    ORIGINAL = "original", _("Original, as received")
    STRIPPED = "stripped", _("Copy without metadata")
    REDACTED = "redacted", _("Redacted copy")


class Origin(models.TextChoices):
    UPLOAD = "upload", _("Uploaded by a documenter")
    HOTLINE = "hotline", _("From a hotline message")
    DERIVATIVE = "derivative", _("Made from another item")


class EvidenceItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collection = models.ForeignKey(Collection, on_delete=models.PROTECT, related_name="evidence_items")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="evidence_items")
    # What a source says, when the file belongs to that statement rather than to the event as a whole.
    information = models.ForeignKey(
        Information, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence_items"
    )
    code = models.CharField(max_length=16, unique=True)
    kind = models.CharField(max_length=16, choices=ItemKind.choices)
    origin = models.CharField(max_length=16, choices=Origin.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="derivatives"
    )
    # The parent's stored-file hash when this item was made from it: the link by hash.
    parent_hash = models.CharField(max_length=64, blank=True)
    blob = models.CharField(max_length=120)
    blob_sha256 = models.CharField(max_length=64)  # of the stored ciphertext, taken at receipt
    blob_size = models.BigIntegerField()
    # HMAC under the collection key of where the file came from (a hotline attachment), so the same
    # file is taken in once per collection without its origin in the clear.
    source_tag = models.CharField(max_length=64, blank=True)
    meta = models.BinaryField()  # sealed
    # MAC of the custody log's last entry under the configuration's chain key.
    custody_mac = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "source_tag"],
                condition=~Q(source_tag=""),
                name="evidence_one_item_per_source",
            ),
            models.UniqueConstraint(
                fields=["parent", "kind"],
                condition=Q(kind="stripped"),
                name="evidence_one_stripped_copy",
            ),
            models.CheckConstraint(
                condition=(Q(kind="original") & Q(parent__isnull=True) & ~Q(origin="derivative"))
                | (~Q(kind="original") & Q(parent__isnull=False) & Q(origin="derivative")),
                name="evidence_derivatives_have_a_parent",
            ),
        ]
        indexes = [models.Index(fields=["event", "created_at"], name="evidence_by_event")]

    def __str__(self) -> str:
        return self.code


class CustodyAction(models.TextChoices):
    RECEIVED = "received", _("Received")
    VIEWED = "viewed", _("Viewed")
    EXPORTED = "exported", _("Exported")
    DERIVATIVE_MADE = "derivative_made", _("Derivative made")


class CustodyEntry(models.Model):
    """One link of an item's custody chain: who did what to the file, when, and the hashes that tie it."""

    id = models.BigAutoField(primary_key=True)
    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="custody")
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    actor_id = models.UUIDField(null=True, blank=True)
    action = models.CharField(max_length=16, choices=CustodyAction.choices)
    file_hash = models.CharField(max_length=64)  # the stored file's SHA-256 at that moment
    detail = models.JSONField(default=dict, blank=True)  # codes and ids only
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["item", "seq"]
        constraints = [models.UniqueConstraint(fields=["item", "seq"], name="evidence_custody_seq_once")]

    def __str__(self) -> str:
        return f"{self.item_id}#{self.seq} {self.action}"
