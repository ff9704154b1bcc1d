"""Consents of persons and to statements in documentation, and their withdrawals.

Plain columns are what the export needs to decide without decrypting: who or what the
consent is about (a person or a statement, by id), the scope, the partner or mechanism it
names, when and how it was given. Every consent carries an envelope under the collection
key (corridor.documentation.consent.sealing) even when its note is empty: the envelope binds
those columns, so a row written or changed outside Corridor fails to open and counts as no
consent. A withdrawal is a row of its own; nothing is ever deleted or edited.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from corridor.documentation.models import Body, Collection, Information, Person
from corridor.evacuation.relocation.models import Partner


class Scope(models.TextChoices):
    INTERNAL = "internal", _("Internal use by the organisation")
    PARTNER = "partner", _("A named partner organisation")
    MECHANISM = "mechanism", _("A named mechanism (investigators, courts, UN, OSCE)")
    STATISTICS = "statistics", _("Anonymised statistics")
    PUBLICATION = "publication", _("Anonymised publication")
    MEDIA = "media", _("Media")


# Scopes whose exports carry no name and no identifying field.
ANONYMISED = frozenset({Scope.STATISTICS, Scope.PUBLICATION})

# The bodies a consent may name as a mechanism: those of interventions, except "other"
# (a consent to an unnamed body is no consent to a named one).
MECHANISMS = [(code, label) for code, label in Body.choices if code != Body.OTHER]


class Method(models.TextChoices):
    WRITTEN = "written", _("In writing")
    ORAL_RECORDED = "oral_recorded", _("Orally, recorded")
    HOTLINE = "hotline", _("Through the hotline")


class Consent(models.Model):
    """A person's consent, or consent to one statement, for one scope; standing until withdrawn."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collection = models.ForeignKey(Collection, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
    )
    information = models.ForeignKey(
        Information, null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
    )
    scope = models.CharField(max_length=16, choices=Scope.choices)
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="documentation_consents"
    )
    mechanism = models.CharField(max_length=32, blank=True)  # a Body code
    given_on = models.DateField()
    method = models.CharField(max_length=16, choices=Method.choices)
    sealed = models.BinaryField()  # sealed JSON {"notes": …}, always present: it vouches for the row
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["given_on", "recorded_at"]
        indexes = [
            models.Index(fields=["person", "scope"], name="consent_by_person"),
            models.Index(fields=["information", "scope"], name="consent_by_statement"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=True, information__isnull=False)
                | Q(person__isnull=False, information__isnull=True),
                name="consent_of_a_person_or_a_statement",
            ),
            models.CheckConstraint(
                condition=Q(scope="partner", partner__isnull=False) | (~Q(scope="partner") & Q(partner=None)),
                name="consent_partner_only_for_partner_scope",
            ),
            models.CheckConstraint(
                condition=Q(scope="mechanism") & ~Q(mechanism="") | (~Q(scope="mechanism") & Q(mechanism="")),
                name="consent_mechanism_only_for_mechanism_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id or self.information_id}:{self.scope}"


class Withdrawal(models.Model):
    """A consent withdrawn: when, who recorded it, a note under the collection key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    consent = models.OneToOneField(Consent, on_delete=models.CASCADE, related_name="withdrawal")
    withdrawn_on = models.DateField()
    note = models.BinaryField(default=b"")  # sealed, may be empty
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.consent_id} withdrawn"
