"""Vetting: is this person who they say they are? Checklist, references, interviews, red flags.

The decision itself is an approval of kind "vetting" (two reviewers). Item and red flag
codes are plain (they gate and count); who vouched and what was said are envelopes
under the case key.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from corridor.cases.models.case import Case


class CheckResult(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    CONCERN = "concern", _("Raises a concern")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class VettingCheck(models.Model):
    """One checklist item as it stands; re-checking adds a row, the latest counts."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="vetting_checks")
    item = models.CharField(max_length=32)
    result = models.CharField(max_length=16, choices=CheckResult.choices)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["case", "item", "at"], name="cases_check_latest")]

    def __str__(self) -> str:
        return f"{self.item}: {self.result}"


class RecordKind(models.TextChoices):
    REFERENCE = "reference", _("Reference")
    INTERVIEW = "interview", _("Interview")


class VettingRecord(models.Model):
    """A reference (who vouched, how they know the person) or interview notes: one envelope."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="vetting_records")
    kind = models.CharField(max_length=16, choices=RecordKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    body = models.BinaryField()

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


class RedFlagCode(models.TextChoices):
    STORY_CHANGES = "story_changes", _("The account changes between conversations")
    ASKS_FOR_LOCATIONS = "asks_for_locations", _("Asks where others are hidden or who helps")
    ASKS_ABOUT_STAFF = "asks_about_staff", _("Asks for names or details of staff")
    UNKNOWN_TO_REFERENCES = "unknown_to_references", _("References do not know the person")
    PRESSURE_TO_MEET = "pressure_to_meet", _("Pushes for a meeting in the region")
    CONTACT_REUSED = "contact_reused", _("Phone or handle used by another case")
    DOCUMENTS_INCONSISTENT = "documents_inconsistent", _("Documents do not match the account")
    OTHER = "other", _("Other (explained in the note)")


class RedFlag(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="red_flags")
    code = models.CharField(max_length=32, choices=RedFlagCode.choices)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    note = models.BinaryField(default=b"")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.code}"
