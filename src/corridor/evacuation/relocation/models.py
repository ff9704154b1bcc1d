"""Relocation abroad: pathways with milestones, partner organisations, consents and referrals.

Plain columns are what the workflow and statistics need: the pathway's kind, destination
country (ISO 3166-1 alpha-2) and outcome, the partner it goes through, the milestone's
kind, the consent's date and channel, which profile fields a referral carries (codes),
and timestamps. Every note, every milestone's date, and the referral packet itself are
envelopes under the case key (registered with corridor.cases.sealing). A partner's
public key is plain (it is public) and vouched for by a MAC under the integrity key.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from corridor.cases.models import Approval, Case


class Partner(models.Model):
    """A receiving organisation abroad. Its name is its public (or code) name: never a person's."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    country = models.CharField(max_length=2)
    # X25519, as the partner's `corridor referral keygen` printed it; sealed to only while
    # `integrity` (a MAC under the integrity key over id, name, country and key) checks out.
    public_key = models.BinaryField(max_length=32)
    integrity = models.BinaryField(max_length=32)
    active = models.BooleanField(default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField()
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["public_key"], name="one_partner_per_key")]

    def __str__(self) -> str:
        return self.name


class PathwayKind(models.TextChoices):
    HUMANITARIAN_VISA = "humanitarian_visa", _("Humanitarian visa")
    RESETTLEMENT = "resettlement", _("Resettlement referral")
    PRIVATE_SPONSORSHIP = "private_sponsorship", _("Private sponsorship")
    FAMILY_REUNIFICATION = "family_reunification", _("Family reunification")
    OTHER = "other", _("Other pathway")


class PathwayOutcome(models.TextChoices):
    ARRIVED = "arrived", _("Arrived in the destination")
    REFUSED = "refused", _("Refused by the destination")
    WITHDRAWN = "withdrawn", _("Withdrawn by the person")
    DROPPED = "dropped", _("Dropped for another pathway")


class Pathway(models.Model):
    """One way abroad being tried for a case; several may run in parallel."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pathways")
    kind = models.CharField(max_length=24, choices=PathwayKind.choices)
    destination = models.CharField(max_length=2)
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="pathways"
    )
    outcome = models.CharField(max_length=16, choices=PathwayOutcome.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    note = models.BinaryField(default=b"")
    outcome_note = models.BinaryField(default=b"")

    class Meta:
        indexes = [
            models.Index(fields=["case", "created_at"], name="relocation_pathway_order"),
            models.Index(fields=["destination", "outcome"], name="relocation_pathway_stats"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.destination}"


class MilestoneKind(models.TextChoices):
    DOCUMENTS = "documents", _("Documents gathered")
    APPLIED = "applied", _("Applied")
    INTERVIEW = "interview", _("Embassy interview")
    VISA = "visa", _("Visa issued")
    TICKETS = "tickets", _("Tickets bought")
    DEPARTED = "departed", _("Departed")
    ARRIVED = "arrived", _("Arrived")


class Milestone(models.Model):
    """A step of a pathway; append-only, the latest of each kind counts. Its date is a travel
    date, so it is sealed with the note, never a plain column."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=16, choices=MilestoneKind.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()
    # The date (ISO 8601) and the note, one envelope.
    body = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["pathway", "recorded_at"], name="relocation_milestone_order")]

    def __str__(self) -> str:
        return f"{self.pathway_id}:{self.kind}"


class ConsentChannel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    CALL = "call", _("Phone call")
    MESSENGER = "messenger", _("Messenger")
    WRITTEN = "written", _("Signed in writing")
    THROUGH_SOMEONE = "through_someone", _("Through someone the person trusts")


class Consent(models.Model):
    """The person agreed that their details may go to this partner; withdrawable, never edited."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="consents")
    given_on = models.DateField()
    channel = models.CharField(max_length=16, choices=ConsentChannel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()
    note = models.BinaryField(default=b"")
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_note = models.BinaryField(default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "partner"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_standing_consent_per_partner",
            )
        ]

    def __str__(self) -> str:
        return f"consent {self.case_id} → {self.partner_id}"


class Referral(models.Model):
    """A minimal packet for one partner: chosen profile fields, approved by a coordinator,
    signed with the organisation's key and sealed to the partner; the packet is kept only as
    an envelope under the case key, so crypto-shredding the case shreds it too."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="referrals")
    pathway = models.ForeignKey(
        Pathway, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="referrals")
    approval = models.OneToOneField(Approval, on_delete=models.PROTECT, related_name="+")
    # Codes of the profile fields the packet carries, comma-separated (never their values).
    fields = models.CharField(max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    # A message to the partner, carried in the packet.
    message = models.BinaryField(default=b"")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    packet = models.BinaryField(default=b"")

    class Meta:
        indexes = [models.Index(fields=["case", "requested_at"], name="relocation_referral_order")]

    def __str__(self) -> str:
        return f"referral {self.id}"
