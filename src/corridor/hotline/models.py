"""Hotline threads: a person's contact with the organisation before it becomes a case.

Only what the inbox must sort and filter on is plaintext (urgency, status, channel,
coarse region, timestamps, assignee, a random short code). A thread has two keys: the
conversation key (what the person and staff both read: the person's messages, replies
and the staff copies of their photos), which the person's codename opens, and the
staff key (triage answers, contact details, internal notes), which it never opens.
Originals of photos are sealed to the evidence key.
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
    """Open statuses first, then the outcomes that settle a thread.

    An outcome is any status outside OPEN_STATUSES: a new one (such as "opened as a
    case" once cases exist) is added here and settles threads like the others, leaving
    the inbox and its deadline. A person who writes again reopens any of them.
    """

    NEW = "new", _("New")
    IN_CONVERSATION = "in_conversation", _("In conversation")
    HELPED = "helped", _("Closed: helped")
    REFERRED = "referred", _("Closed: referred elsewhere")
    CLOSED_SPAM = "closed_spam", _("Closed: spam")
    CLOSED_OUT_OF_MANDATE = "closed_out_of_mandate", _("Closed: out of mandate")
    # Set only by opening a case (corridor.cases); the case carries the work on.
    CASE_OPENED = "case_opened", _("Opened as a case")


OPEN_STATUSES = (ThreadStatus.NEW, ThreadStatus.IN_CONVERSATION)


class UrgencyReason(models.TextChoices):
    """Why an operator changed a thread's urgency: a code for the audit log, never free text."""

    DANGER_GREW = "danger_grew", _("The danger has grown")
    DANGER_EASED = "danger_eased", _("The danger has eased")
    TRIAGE_MISMATCH = "triage_mismatch", _("The triage answers do not match what the person wrote")
    COORDINATOR_DECISION = "coordinator_decision", _("Decided with a coordinator")
    OTHER = "other", _("Other (explained in an internal note)")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    MESSENGER = "messenger", _("Messenger")


class ThreadLayout(models.IntegerChoices):
    """How a thread's content is keyed; a legacy thread is upgraded when an operator opens it."""

    LEGACY = 1, _("One key for everything (before the staff key)")
    SPLIT = 2, _("Conversation key and staff key")


class Thread(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=12, unique=True)
    lookup_id = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(max_length=32, choices=ThreadStatus.choices, default=ThreadStatus.NEW)
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices)
    region = models.CharField(max_length=8, blank=True)
    # The thread's two keys; their wraps live in the one wrap table (corridor.cases.keys).
    # A case opened from the thread takes the staff key as its case key.
    conversation_key = models.ForeignKey("cases.DataKey", on_delete=models.PROTECT, related_name="+")
    staff_key = models.ForeignKey("cases.DataKey", on_delete=models.PROTECT, related_name="+")
    layout = models.PositiveSmallIntegerField(choices=ThreadLayout.choices, default=ThreadLayout.SPLIT)
    # Triage answers and contact details, encrypted under the staff key.
    intake = models.BinaryField()
    created_at = models.DateTimeField()
    last_applicant_at = models.DateTimeField()
    first_response_due_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    staff_read_at = models.DateTimeField(null=True, blank=True)
    # Set when the contact details match the provocateur blocklist (corridor.cases).
    security_concern_at = models.DateTimeField(null=True, blank=True)
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


class CopyState(models.TextChoices):
    """Whether the copy without metadata exists yet (plain: it says nothing of the photo)."""

    READY = "ready", _("ready")
    # Made just after the answer went out, in the same process (corridor.hotline.photos).
    PREPARING = "preparing", _("being prepared")
    # The picture could not be decoded, or the process died first; the original is kept.
    FAILED = "failed", _("could not be made")


class Attachment(models.Model):
    """A file: the sealed original as received and a copy with metadata removed.

    `meta` (name, type, size, SHA-256 of the raw bytes, the staff copy's file key) is an
    envelope under the conversation key; `evidence` (the original's file key) is sealed
    to the evidence key; the two blobs are secretstream ciphertext in storage. The copy's
    key is chosen, and sealed in `meta`, when the photo arrives; the copy itself is made
    moments later (`view_state`).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    created_at = models.DateTimeField()
    meta = models.BinaryField()
    evidence = models.BinaryField(default=b"")
    original_blob = models.CharField(max_length=80)
    stripped_blob = models.CharField(max_length=80)
    view_state = models.CharField(max_length=10, choices=CopyState.choices, default=CopyState.READY)

    def __str__(self) -> str:
        return f"attachment {self.id}"


class SubmissionReceipt(models.Model):
    """A sent form's answer, kept for an hour so that sending the same form again shows it again.

    Found by an HMAC of what only the sending browser has (the form's one-time token, or
    its CSRF secret with what was typed); the codename is sealed under a key derived from
    the same material (corridor.hotline.receipts), so the row alone reveals nothing.
    """

    lookup_id = models.CharField(max_length=64, unique=True)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    sealed_codename = models.BinaryField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"receipt for {self.thread_id}"
