"""Day-to-day work on a case: notes, logged contacts, tasks, and requests for access."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from corridor.cases.models.case import Case


class CaseNote(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    body = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["case", "at"], name="cases_note_order")]

    def __str__(self) -> str:
        return f"note {self.id}"


class ContactChannel(models.TextChoices):
    CALL = "call", _("Phone call")
    MESSENGER = "messenger", _("Messenger")
    IN_PERSON = "in_person", _("In person")
    THROUGH_SOMEONE = "through_someone", _("Through someone else")


class ContactLog(models.Model):
    """Staff were in touch with the person: a sign of life for lost-contact detection."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    channel = models.CharField(max_length=16, choices=ContactChannel.choices)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    note = models.BinaryField(default=b"")

    def __str__(self) -> str:
        return f"contact {self.id}"


class TaskKind(models.TextChoices):
    CUSTOM = "custom", _("Task")
    PROPOSE_LOST_CONTACT = (
        "propose_lost_contact",
        _("No contact for too long: decide on the lost-contact flag"),
    )
    # The dead man's switch (corridor.evacuation.checkins): the worker holds no key, so these
    # tasks have no title and their label says what to do.
    MISSED_CHECK_IN = "missed_check_in", _("Missed check-in: reach the person")
    UNSAFE_CHECK_IN = "unsafe_check_in", _('The person answered "not safe": contact them now')


class Task(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=24, choices=TaskKind.choices, default=TaskKind.CUSTOM)
    # What to do, in words (an envelope under the case key); empty for Corridor's own tasks.
    title = models.BinaryField(default=b"")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["assignee", "done_at", "due_at"], name="cases_task_queue"),
            models.Index(fields=["case", "kind", "done_at"], name="cases_task_by_case"),
        ]

    def __str__(self) -> str:
        return f"task {self.id}"


class AccessReason(models.TextChoices):
    TAKING_OVER = "taking_over", _("Taking over the case")
    COVERING = "covering", _("Covering for an absent colleague")
    DUPLICATE_CHECK = "duplicate_check", _("Checking a possible duplicate")
    SECURITY_REVIEW = "security_review", _("Security review")
    DOCUMENTATION = "documentation", _("Documentation of violations")


class AccessRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class AccessRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access_requests")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=24, choices=AccessReason.choices)
    requested_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=AccessRequestStatus.choices, default=AccessRequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "requester"],
                condition=models.Q(status="pending"),
                name="one_pending_request_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"access to {self.case_id}"


class FormReceipt(models.Model):
    """A case-page form that was carried out, found by an HMAC of its one-time token and kept an hour,
    so that the same form sent twice (a double tap, a resent request) is carried out once."""

    lookup_id = models.CharField(max_length=64, unique=True)
    # The id of what the form created, if anything: a repeat shows that same thing again.
    created_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"form receipt {self.pk}"
