"""Documentation on the HURIDOCS events model: collections, sites, events, acts, involvements.

Plain columns are codes (vocabularies, gazetteer places), counts, dates and ids, so that
lists and statistics never decrypt anything. Every free text and every name is sealed
under the collection's key (see corridor.documentation.sealing), bound to the row's
meaning-bearing columns.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from corridor.cases.models import DataKey


class Collection(models.Model):
    """A body of documentation under one key: its documenters hold that key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=16, unique=True)
    key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="collection")
    title = models.BinaryField()  # sealed
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Precision(models.TextChoices):
    BUILDING = "building", _("The building")
    STREET = "street", _("The street")
    LOCALITY = "locality", _("The village or locality")
    DISTRICT = "district", _("The district")
    CITY = "city", _("The city, place in it unknown")


class Site(models.Model):
    """A named place where acts happen (plain data, never where a victim lives or hides)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Sites from the data file carry their code; sites added by documenters have none.
    code = models.CharField(max_length=64, null=True, blank=True, unique=True)
    place = models.CharField(max_length=64)
    site_type = models.CharField(max_length=16)
    precision = models.CharField(max_length=16, choices=Precision.choices)
    name = models.CharField(max_length=200)
    name_ru = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["place", "name"]
        indexes = [models.Index(fields=["place"], name="doc_site_by_place")]

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collection = models.ForeignKey(Collection, on_delete=models.PROTECT, related_name="events")
    code = models.CharField(max_length=16, unique=True)
    title = models.BinaryField()  # sealed
    description = models.BinaryField(default=b"")  # sealed, may be empty
    date = models.CharField(max_length=64)  # EDTF
    earliest = models.DateField(null=True, blank=True)
    latest = models.DateField(null=True, blank=True)
    place = models.CharField(max_length=64, blank=True)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-earliest", "code"]
        indexes = [
            models.Index(fields=["collection", "earliest"], name="doc_event_by_date"),
            models.Index(fields=["place"], name="doc_event_by_place"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(earliest__isnull=True)
                | Q(latest__isnull=True)
                | Q(earliest__lte=models.F("latest")),
                name="doc_event_bounds_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.code


class LinkKind(models.TextChoices):
    PART_OF = "part_of", _("is part of")
    CAUSED = "caused", _("caused")


class EventLink(models.Model):
    """`from_event` is part of, or caused, `to_event` (within one collection)."""

    from_event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="links_out")
    to_event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=16, choices=LinkKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_event", "to_event", "kind"], name="doc_one_link_of_a_kind"),
            models.CheckConstraint(
                condition=~Q(from_event=models.F("to_event")), name="doc_no_link_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_event_id} {self.kind} {self.to_event_id}"


class VictimKind(models.TextChoices):
    PERSON = "person", _("A person")
    GROUP = "group", _("A group")


class Act(models.Model):
    """One act against one victim (a person, or a group counted with a minimum, best and maximum)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="acts")
    act_type = models.CharField(max_length=16)
    methods = models.JSONField(default=list)  # codes
    victim_kind = models.CharField(max_length=8, choices=VictimKind.choices)
    victim = models.BinaryField()  # sealed: who (a person's name or a group's description)
    count_min = models.PositiveIntegerField(default=1)
    count_best = models.PositiveIntegerField(default=1)
    count_max = models.PositiveIntegerField(default=1)
    date = models.CharField(max_length=64, blank=True)  # EDTF; empty: the event's
    earliest = models.DateField(null=True, blank=True)
    latest = models.DateField(null=True, blank=True)
    place = models.CharField(max_length=64, blank=True)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, related_name="acts")
    status_at_end = models.CharField(max_length=16, blank=True)
    notes = models.BinaryField(default=b"")  # sealed, may be empty
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["act_type", "event"], name="doc_act_by_type"),
            models.Index(fields=["site", "event"], name="doc_act_by_site"),
            models.Index(fields=["place", "event"], name="doc_act_by_place"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(count_min__gte=1, count_min__lte=models.F("count_best"))
                & Q(count_best__lte=models.F("count_max")),
                name="doc_act_counts_in_order",
            ),
            models.CheckConstraint(
                condition=~Q(victim_kind="person") | Q(count_min=1, count_best=1, count_max=1),
                name="doc_act_person_counts_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.act_type}"


class PerpetratorKind(models.TextChoices):
    PERSON = "person", _("A person")
    INSTITUTION = "institution", _("An institution")


class Involvement(models.Model):
    """A perpetrator's part in an act: a person (name sealed) or an institution (named in the clear)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    act = models.ForeignKey(Act, on_delete=models.CASCADE, related_name="involvements")
    # Repeated from the act so the list filters by perpetrator type with one index.
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="involvements")
    perpetrator_kind = models.CharField(max_length=16, choices=PerpetratorKind.choices)
    perpetrator_type = models.CharField(max_length=16)
    degree = models.CharField(max_length=16)
    institution = models.CharField(max_length=200, blank=True)
    person = models.BinaryField(default=b"")  # sealed when perpetrator_kind is person
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["perpetrator_type", "event"], name="doc_inv_by_type")]
        constraints = [
            models.CheckConstraint(
                condition=Q(perpetrator_kind="institution") | Q(perpetrator_kind="person", institution=""),
                name="doc_inv_person_names_no_institution",
            )
        ]

    def __str__(self) -> str:
        return f"{self.act_id}:{self.degree}"


class FormReceipt(models.Model):
    """A documentation form already carried out (its one-time token's HMAC) and what it created."""

    lookup_id = models.CharField(max_length=64, unique=True)
    created_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.lookup_id
