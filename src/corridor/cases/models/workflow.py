"""What happens to a case over time: stage changes, flags, risk assessments and approvals.

All of it is append-only except a flag's clearing, which is its own columns. Free text
(a note on a change, why a flag was raised) is an envelope under the case key; reasons
are codes.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from corridor.cases.models.case import Case


class ChangeReason(models.TextChoices):
    """Why a stage changed: a code for statistics and the audit log; details go in the note."""

    PROGRESS = "progress", _("Next step reached")
    SHORTCUT = "shortcut", _("Already out of the region")
    STEP_BACK = "step_back", _("Plan changed, step back")
    OUTCOME = "outcome", _("Case closed with an outcome")
    REOPENED = "reopened", _("Reopened")
    CORRECTION = "correction", _("Correcting a mistake")


class StageChange(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=16)
    to_stage = models.CharField(max_length=16)
    outcome = models.CharField(max_length=24, blank=True)
    outcome_reason = models.CharField(max_length=24, blank=True)
    reason = models.CharField(max_length=16, choices=ChangeReason.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    note = models.BinaryField(default=b"")

    class Meta:
        indexes = [models.Index(fields=["case", "at"], name="cases_change_order")]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class FlagKind(models.TextChoices):
    LOST_CONTACT = "lost_contact", _("Lost contact")
    DETAINED = "detained", _("Detained")
    ON_HOLD = "on_hold", _("On hold")
    SECURITY_CONCERN = "security_concern", _("Security concern")
    MEDICAL_HOLD = "medical_hold", _("Medical hold")
    RELOCATION_REFUSED = "relocation_refused", _("Relocation refused")


class FlagReason(models.TextChoices):
    STAFF_REPORT = "staff_report", _("Reported by staff")
    PERSON_REPORT = "person_report", _("Reported by the person")
    BLOCKLIST_MATCH = "blocklist_match", _("An identifier matches the blocklist")
    NO_CONTACT = "no_contact", _("No contact for too long")
    THIRD_PARTY = "third_party", _("Reported by a relative or a partner")
    OTHER = "other", _("Other (explained in the note)")


class CaseFlag(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=24, choices=FlagKind.choices)
    reason = models.CharField(max_length=24, choices=FlagReason.choices)
    # None when raised by Corridor itself (a blocklist match).
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField()
    note = models.BinaryField(default=b"")
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    clear_note = models.BinaryField(default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=models.Q(cleared_at__isnull=True),
                name="one_open_flag_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}"


class RiskAssessment(models.Model):
    """One assessment: the factors (codes, encrypted: they say what happened) and the urgency they give."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    urgency = models.PositiveSmallIntegerField()
    response_due_at = models.DateTimeField()
    from_triage = models.BooleanField(default=False)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    factors = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["case", "at"], name="cases_assessment_order")]

    def __str__(self) -> str:
        return f"{self.case_id}: urgency {self.urgency}"


class ApprovalKind(models.TextChoices):
    ELIGIBILITY = "eligibility", _("Eligibility")
    VETTING = "vetting", _("Vetting decision")
    GO_NO_GO = "go_no_go", _("Evacuation go / no-go")
    SPEND = "spend", _("Spend over the threshold")
    PARTNER_REFERRAL = "partner_referral", _("Partner referral")
    DEPARTURE = "departure", _("Departure abroad")
    CLOSURE = "closure", _("Closing the case")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Approval(models.Model):
    """A request for a decision. Decisions are rows of their own; `status` follows from them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="approvals")
    kind = models.CharField(max_length=24, choices=ApprovalKind.choices)
    # What exactly is to be decided, as codes: the outcome and reason of a closure, or
    # an amount in minor units with its currency for a spend.
    subject = models.CharField(max_length=64, blank=True)
    cycle = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.BinaryField(default=b"")

    class Meta:
        indexes = [
            models.Index(fields=["status", "requested_at"], name="cases_approval_queue"),
            models.Index(fields=["case", "kind", "cycle"], name="cases_approval_by_case"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.case_id}"


class DecisionChoice(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


class ApprovalDecision(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    approval = models.ForeignKey(Approval, on_delete=models.CASCADE, related_name="decisions")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=8, choices=DecisionChoice.choices)
    at = models.DateTimeField()
    note = models.BinaryField(default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["approval", "decided_by"], name="one_decision_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.decision} {self.approval_id}"
