"""Hotline threads: a person's contact with the organisation before it becomes a case.

Only what the inbox must sort and filter on is plaintext (urgency, status, channel,
coarse region, timestamps, assignee, a random short code). Triage answers, messages,
notes and files are encrypted under the thread's key.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Urgency(models.IntegerChoices):
    """Lower is more urgent; the first-response deadline follows from it."""

    CRITICAL = 1, _("Critical")
    HIGH = 2, _("High")
    NORMAL = 3, _("Normal")
    LOW = 4, _("Low")


class ThreadStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_CONVERSATION = "in_conversation", _("In conversation")
    CLOSED_SPAM = "closed_spam", _("Closed: spam")
    CLOSED_OUT_OF_MANDATE = "closed_out_of_mandate", _("Closed: out of mandate")


OPEN_STATUSES = (ThreadStatus.NEW, ThreadStatus.IN_CONVERSATION)


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    MESSENGER = "messenger", _("Messenger")


class Thread(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=12, unique=True)
    lookup_id = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(max_length=32, choices=ThreadStatus.choices, default=ThreadStatus.NEW)
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices)
    region = models.CharField(max_length=8, blank=True)
    key_version = models.PositiveIntegerField(default=1)
    # Triage answers and contact details, encrypted under the thread key.
    intake = models.BinaryField()
    created_at = models.DateTimeField()
    last_applicant_at = models.DateTimeField()
    first_response_due_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    staff_read_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["status", "urgency", "last_applicant_at"], name="hotline_inbox_order"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def unread(self) -> bool:
        return self.staff_read_at is None or self.staff_read_at < self.last_applicant_at


class WrapRecipient(models.TextChoices):
    HOTLINE = "hotline", _("Hotline key")
    APPLICANT = "applicant", _("Applicant's codename key")
    RECOVERY = "recovery", _("Recovery key")


class ThreadKeyWrap(models.Model):
    """The thread key sealed to one holder: the hotline key, the applicant, or recovery."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="key_wraps")
    recipient = models.CharField(max_length=16, choices=WrapRecipient.choices)
    key_version = models.PositiveIntegerField(default=1)
    sealed = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["thread", "recipient", "key_version"], name="one_thread_wrap_per_holder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.thread_id}:{self.recipient}"


class MessageKind(models.TextChoices):
    APPLICANT = "applicant", _("From the person")
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")


class Message(models.Model):
    """One message; `body` is an envelope under the thread key (text, and for replies the signature)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    body = models.BinaryField()

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["thread", "created_at"], name="hotline_message_order")]

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


class Attachment(models.Model):
    """A file: the sealed original as received and a copy with metadata removed.

    `meta` (name, type, size, SHA-256 of the raw bytes, the file keys) is an envelope
    under the thread key; the two blobs are secretstream ciphertext in storage.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    created_at = models.DateTimeField()
    meta = models.BinaryField()
    original_blob = models.CharField(max_length=80)
    stripped_blob = models.CharField(max_length=80)

    def __str__(self) -> str:
        return f"attachment {self.id}"
