"""Data keys and their wraps: the one table that says who can open a thread's or a case's key.

A data key is 32 random bytes that encrypt rows; its value is never stored, only sealed
to its holders (the hotline key, the person's codename key, the recovery key, staff
users). `DataKey` is its identity and current version; `DataKeyWrap` is one sealing of
one version to one holder, with a commitment to the key under the integrity key held
in configuration, so a wrap of another key written into the database is refused.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class KeyPurpose(models.TextChoices):
    # What the person and staff both read (messages, replies, photo copies).
    CONVERSATION = "conversation", _("Conversation key")
    # What only staff read: a thread's intake and notes, and the whole case record.
    # The value is "staff" because commitments written before cases existed bind it.
    CASE = "staff", _("Case key")


class WrapRecipient(models.TextChoices):
    HOTLINE = "hotline", _("Hotline key")
    APPLICANT = "applicant", _("Applicant's codename key")
    RECOVERY = "recovery", _("Recovery key")
    USER = "user", _("Staff member")


class DataKey(models.Model):
    """The identity of one data key; `owner` is bound into every wrap's commitment and never changes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.CharField(max_length=80)
    purpose = models.CharField(max_length=16, choices=KeyPurpose.choices)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    rekeyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "purpose"], name="one_data_key_per_owner")]

    def __str__(self) -> str:
        return f"{self.owner}:{self.purpose} v{self.version}"


class DataKeyWrap(models.Model):
    """One version of a data key sealed to one holder."""

    key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="wraps")
    # Repeated from the key so that the database itself refuses a case key sealed to a person.
    purpose = models.CharField(max_length=16, choices=KeyPurpose.choices)
    version = models.PositiveIntegerField()
    recipient = models.CharField(max_length=16, choices=WrapRecipient.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="data_key_wraps",
    )
    sealed = models.BinaryField()
    key_check = models.BinaryField(default=b"")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "version", "recipient"],
                condition=models.Q(user__isnull=True),
                name="one_org_wrap_per_key_version",
            ),
            models.UniqueConstraint(
                fields=["key", "version", "user"],
                condition=models.Q(user__isnull=False),
                name="one_user_wrap_per_key_version",
            ),
            models.CheckConstraint(
                condition=models.Q(recipient="user", user__isnull=False)
                | (~models.Q(recipient="user") & models.Q(user__isnull=True)),
                name="user_wrap_names_its_user",
            ),
            # The person's codename never opens what only staff may read.
            models.CheckConstraint(
                condition=~models.Q(purpose="staff", recipient="applicant"),
                name="case_key_never_to_applicant",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "purpose"], name="cases_wrap_by_user"),
            models.Index(fields=["recipient", "purpose"], name="cases_wrap_by_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.key_id} v{self.version} → {self.recipient}"
