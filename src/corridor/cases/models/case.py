"""The case record: one person's path from first contact to safety.

Plain columns are what the pipeline sorts, counts and gates on (codes, stage, outcome,
urgency, deadlines, coarse region, assignee, timestamps). Everything that says who the
person is or where they are is an envelope under the case key (`profile`), and every
identifier in it has a blind index in `CaseIdentifier`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from corridor.cases.models.keys import DataKey


class Stage(models.TextChoices):
    INTAKE = "intake", _("Intake")
    SCREENING = "screening", _("Screening")
    VETTING = "vetting", _("Vetting")
    PLANNING = "planning", _("Planning")
    IN_TRANSIT = "in_transit", _("In transit")
    SHELTERED = "sheltered", _("Sheltered")
    RELOCATING = "relocating", _("Relocating abroad")
    DEPARTED = "departed", _("Departed")
    ARRIVED = "arrived", _("Arrived")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    RESETTLED_ABROAD = "resettled_abroad", _("Resettled abroad")
    RESETTLED_IN_COUNTRY = "resettled_in_country", _("Resettled in the country")
    DECLINED = "declined", _("Declined help")
    FAILED_VETTING = "failed_vetting", _("Failed vetting")
    TRANSFERRED = "transferred", _("Transferred to another organisation")
    RETURNED = "returned", _("Returned home")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    DECEASED = "deceased", _("Deceased")


class VettingFailure(models.TextChoices):
    """The reason codes of a failed_vetting outcome."""

    OUT_OF_MANDATE = "out_of_mandate", _("Out of mandate")
    UNVERIFIABLE = "unverifiable", _("Could not be verified")
    INCONSISTENT = "inconsistent", _("Inconsistent account")
    SUSPECTED_PROVOCATEUR = "suspected_provocateur", _("Suspected provocateur")


class Origin(models.TextChoices):
    HOTLINE = "hotline", _("Hotline thread")
    PARTNER = "partner", _("Referred by a partner")
    IN_PERSON = "in_person", _("Met in person")


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=12, unique=True)
    origin = models.CharField(max_length=16, choices=Origin.choices)
    thread = models.OneToOneField(
        "hotline.Thread", null=True, blank=True, on_delete=models.PROTECT, related_name="case"
    )
    # The case key: for a case opened from a thread, the thread's staff key itself.
    key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.INTAKE)
    outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True)
    outcome_reason = models.CharField(max_length=24, choices=VettingFailure.choices, blank=True)
    # Incremented when a closed case is reopened: approvals count only within one cycle.
    cycle = models.PositiveIntegerField(default=1)
    urgency = models.PositiveSmallIntegerField()
    response_due_at = models.DateTimeField(null=True, blank=True)
    region = models.CharField(max_length=8, blank=True)
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    stage_changed_at = models.DateTimeField()
    # The last sign of life: a message from the person or a contact logged by staff.
    last_contact_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    # Names, aliases, birth date, contacts, documents, exact location, family and risk
    # notes: one envelope under the case key.
    profile = models.BinaryField()

    class Meta:
        indexes = [
            models.Index(fields=["stage", "urgency", "stage_changed_at"], name="cases_board_order"),
            models.Index(fields=["caseworker", "stage"], name="cases_by_caseworker"),
            models.Index(fields=["stage", "last_contact_at"], name="cases_by_last_contact"),
        ]

    def __str__(self) -> str:
        return self.code


class CaseIdentifier(models.Model):
    """The blind index of one identifier in a case's profile (or its thread's intake)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=16)
    digest = models.BinaryField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["kind", "digest"], name="cases_identifier_lookup")]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "digest"], name="one_identifier_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}"


class BlockedIdentifier(models.Model):
    """An identifier of a case closed as a failed vetting: blind index only, never the value."""

    kind = models.CharField(max_length=16)
    digest = models.BinaryField(max_length=32)
    source_case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "digest"], name="one_block_per_identifier")]

    def __str__(self) -> str:
        return f"blocked {self.kind}"
