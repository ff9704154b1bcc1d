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
    # Sealed: the hotline thread or case the testimony came from; empty for an interview.
    origin = models.BinaryField(default=b"")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-earliest", "code"]
        indexes = [
            models.Index(fields=["collection", "earliest"], name="doc_event_by_date"),
            # The list's order, with what every listed event is checked against (the period's
            # other end, the collection held), so the rows a page skips or refuses are never read.
            models.Index(fields=["-earliest", "code", "latest", "collection"], name="doc_event_list_scan"),
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
    # The person in documentation this act's victim is, when known (the same person across testimonies).
    victim_person = models.ForeignKey(
        "Person", null=True, blank=True, on_delete=models.PROTECT, related_name="acts_suffered"
    )
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


class Person(models.Model):
    """A person named in documentation (victim, witness, source): identity sealed, names blind-indexed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collection = models.ForeignKey(Collection, on_delete=models.PROTECT, related_name="persons")
    code = models.CharField(max_length=16, unique=True)
    identity = models.BinaryField()  # sealed JSON: name, aliases, birth, phone, notes
    case_link = models.BinaryField(default=b"")  # sealed: the person's evacuation case, if linked
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class PersonIndex(models.Model):
    """A blind index (HMAC under the index key) of one name or phone of a person."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="indexes")
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    digest = models.BinaryField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["collection", "kind", "digest"], name="doc_person_index")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.kind}"


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed: the same person")
    REJECTED = "rejected", _("Rejected: different people")


class PersonMatch(models.Model):
    """Two persons who share a blind index: maybe one person; a documenter confirms or rejects."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The pair in a fixed order (the lower id first), so it is proposed once.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="matches_as_first")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="matches_as_second")
    kinds = models.JSONField(default=list)  # which kinds of index matched: name, phone
    status = models.CharField(max_length=16, choices=MatchStatus.choices, default=MatchStatus.PROPOSED)
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "other"], name="doc_one_match_per_pair"),
            models.CheckConstraint(condition=Q(person__lt=models.F("other")), name="doc_match_pair_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}~{self.other_id}"


class SourceKind(models.TextChoices):
    VICTIM = "victim", _("The victim")
    WITNESS = "witness", _("A witness")
    RELATIVE = "relative", _("A relative")
    MEDIA = "media", _("Media")
    NGO_REPORT = "ngo_report", _("An NGO report")
    OFFICIAL = "official", _("An official document")
    OTHER = "other", _("Other source")


class Source(models.Model):
    """Where information comes from: a person (linked) or a publication, described under the key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collection = models.ForeignKey(Collection, on_delete=models.PROTECT, related_name="sources")
    code = models.CharField(max_length=16, unique=True)
    kind = models.CharField(max_length=16, choices=SourceKind.choices)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="sources"
    )
    description = models.BinaryField()  # sealed: who or what the source is
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Reliability(models.TextChoices):
    A = "A", _("A: completely reliable")
    B = "B", _("B: usually reliable")
    C = "C", _("C: fairly reliable")
    D = "D", _("D: not usually reliable")
    E = "E", _("E: unreliable")
    F = "F", _("F: reliability cannot be judged")


class Credibility(models.IntegerChoices):
    CONFIRMED = 1, _("1: confirmed by other sources")
    PROBABLE = 2, _("2: probably true")
    POSSIBLE = 3, _("3: possibly true")
    DOUBTFUL = 4, _("4: doubtful")
    IMPROBABLE = 5, _("5: improbable")
    UNKNOWN = 6, _("6: truth cannot be judged")


class Information(models.Model):
    """What one source says about one event: kept as given, beside what other sources say."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="information")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="information")
    connection = models.CharField(max_length=16)  # HURIDOCS micro-thesaurus 19
    reliability = models.CharField(max_length=1, choices=Reliability.choices)
    credibility = models.PositiveSmallIntegerField(choices=Credibility.choices)
    # What this source says of the date and of the number of victims (empty: it does not say).
    date = models.CharField(max_length=64, blank=True)
    earliest = models.DateField(null=True, blank=True)
    latest = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    statement = models.BinaryField(default=b"")  # sealed: what the source says, in short
    # Sealed: the hotline thread or case this account was taken from; empty for an interview.
    origin = models.BinaryField(default=b"")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(credibility__gte=1, credibility__lte=6), name="doc_info_credibility"
            ),
            models.CheckConstraint(condition=Q(reliability__in=list("ABCDEF")), name="doc_info_reliability"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} on {self.event_id}"


class Body(models.TextChoices):
    INVESTIGATIVE_COMMITTEE = "investigative_committee", _("Investigative Committee")
    PROSECUTOR = "prosecutor", _("Prosecutor's office")
    POLICE = "police", _("Police")
    OMBUDSMAN = "ombudsman", _("Human rights commissioner (ombudsman)")
    COURT = "court", _("Court")
    OSCE = "osce", _("OSCE mechanism")
    UN = "un", _("UN body")
    ECHR = "echr", _("European Court of Human Rights")
    OTHER = "other", _("Other body")


class Intervention(models.Model):
    """A complaint or submission about an event, the response it got, and what followed it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="interventions")
    code = models.CharField(max_length=16, unique=True)
    intervention_type = models.CharField(max_length=16)  # HURIDOCS micro-thesaurus 20, or local
    body = models.CharField(max_length=32, choices=Body.choices)
    date = models.CharField(max_length=64)  # EDTF
    earliest = models.DateField(null=True, blank=True)
    latest = models.DateField(null=True, blank=True)
    # The intervention this one follows up (an appeal against a refusal, a second complaint).
    follows = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups"
    )
    response = models.CharField(max_length=16, blank=True)  # HURIDOCS micro-thesaurus 27, or local
    response_date = models.CharField(max_length=64, blank=True)  # EDTF
    reference = models.BinaryField(default=b"")  # sealed: the body's reference number
    notes = models.BinaryField(default=b"")  # sealed
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["earliest", "created_at"]

    def __str__(self) -> str:
        return self.code


class CaseCopy(models.Model):
    """What a caseworker reads of one event linked to their case: a copy sealed under the case key.

    Which event it is, and everything shown, is inside the envelope (bound to this row and its
    case); at rest a case shows only how many copies it has.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    copy = models.BinaryField()  # sealed under the case key (corridor.cases.sealing)
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["case"], name="doc_copy_by_case")]

    def __str__(self) -> str:
        return str(self.pk)


class EventRevision(models.Model):
    """An earlier version of an event's title and description, kept when a documenter corrects them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    content = models.BinaryField()  # sealed: the previous title, description and the reason for the change
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaced_at = models.DateTimeField()

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["event", "number"], name="doc_one_revision_number")]

    def __str__(self) -> str:
        return f"{self.event_id}#{self.number}"


class PersonRevision(models.Model):
    """An earlier version of a person's identity, kept when a documenter corrects it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    content = models.BinaryField()  # sealed: the previous identity and the reason for the change
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaced_at = models.DateTimeField()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["person", "number"], name="doc_one_person_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}#{self.number}"
