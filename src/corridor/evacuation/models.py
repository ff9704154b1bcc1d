"""Safe houses, placements, movements, exposures and seized phones.

Plain columns are what the scheduler, the occupancy board and the burn view query: ids,
code names, coarse regions, capacity, statuses, planned times, links between rows. Where a
house is (address, contacts, notes) is an envelope under the house's own key; where a person
goes (exact places, route, travel details, an external escort) is an envelope under the
person's case key. Every envelope binds the plain columns that give it its meaning.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from corridor.cases.models import Case, DataKey, Task

HOUSE_KEY_PURPOSE = "house"


class SafeHouse(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code_name = models.CharField(max_length=40, unique=True)
    region = models.CharField(max_length=8)
    capacity = models.PositiveSmallIntegerField()
    # The house key: address, contacts and notes are sealed under it, never the case key.
    key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    # Address, contacts, notes: one envelope under the house key.
    details = models.BinaryField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    # A compromised house takes no new placements (its people are moved out).
    compromised_at = models.DateTimeField(null=True, blank=True)
    compromised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="house_holds_someone")
        ]

    def __str__(self) -> str:
        return self.code_name


class Placement(models.Model):
    """A person housed in a safe house from `starts_at` until `ends_at` (open while None)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="placements")
    house = models.ForeignKey(SafeHouse, on_delete=models.PROTECT, related_name="placements")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    # Free text (arrangements, what the person was told): under the case key, bound to the house.
    note = models.BinaryField(default=b"")

    class Meta:
        indexes = [
            models.Index(fields=["house", "ends_at"], name="evac_placement_by_house"),
            models.Index(fields=["case", "starts_at"], name="evac_placement_by_case"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=models.F("starts_at")),
                name="placement_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"placement {self.id}"


class TravelMode(models.TextChoices):
    CAR = "car", _("Car")
    BUS = "bus", _("Bus")
    TRAIN = "train", _("Train")
    PLANE = "plane", _("Plane")
    ON_FOOT = "on_foot", _("On foot")
    OTHER = "other", _("Other")


class MovementStatus(models.TextChoices):
    # "Planned" and "Arrived" are also case stages, worded otherwise in Russian.
    PLANNED = "planned", pgettext_lazy("leg", "Planned")
    UNDER_WAY = "under_way", pgettext_lazy("leg", "Under way")
    ARRIVED = "arrived", pgettext_lazy("leg", "Arrived")
    ABORTED = "aborted", pgettext_lazy("leg", "Aborted")


class Movement(models.Model):
    """One leg of a person's journey: coarse regions and planned times plain, everything else sealed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="movements")
    origin_region = models.CharField(max_length=8)
    destination_region = models.CharField(max_length=8)
    mode = models.CharField(max_length=16, choices=TravelMode.choices)
    status = models.CharField(max_length=16, choices=MovementStatus.choices, default=MovementStatus.PLANNED)
    # The scheduler's columns: when the leg should leave and arrive (an overdue arrival alarms).
    planned_departure_at = models.DateTimeField()
    planned_arrival_at = models.DateTimeField()
    status_changed_at = models.DateTimeField()
    # A staff escort is a user row anyway (plain, so the escort sees the leg and is exposed).
    escort = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Exact origin and destination, route, travel details, actual times, an external escort's
    # code name: one envelope under the case key, bound to the regions, mode and escort.
    details = models.BinaryField()
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["case", "planned_departure_at"], name="evac_movement_by_case"),
            models.Index(fields=["status", "planned_arrival_at"], name="evac_movement_schedule"),
            models.Index(fields=["escort", "status"], name="evac_movement_by_escort"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_arrival_at__gte=models.F("planned_departure_at")),
                name="movement_arrives_after_it_leaves",
            )
        ]

    def __str__(self) -> str:
        return f"movement {self.id}"


class AssetKind(models.TextChoices):
    HOUSE = "house", _("Safe house")
    MOVEMENT = "movement", _("Movement")
    STAFF = "staff", _("Staff member")
    CASE = "case", _("Another person")


class ExposureSource(models.TextChoices):
    PLACEMENT = "placement", _("Placed in the house")
    ESCORT = "escort", _("Named as escort")
    MOVEMENT = "movement", _("Travelled on the leg")
    MANUAL = "manual", _("Recorded by staff")


class Exposure(models.Model):
    """A secret asset disclosed to the person of `case`: exactly one asset column is set."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exposures")
    kind = models.CharField(max_length=16, choices=AssetKind.choices)
    house = models.ForeignKey(SafeHouse, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    movement = models.ForeignKey(Movement, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    other_case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=16, choices=ExposureSource.choices)
    disclosed_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What was disclosed and how, in words: under the case key, bound to the asset.
    note = models.BinaryField(default=b"")

    class Meta:
        indexes = [
            models.Index(fields=["case", "kind"], name="evac_exposure_by_case"),
            models.Index(fields=["house"], name="evac_exposure_by_house"),
            models.Index(fields=["other_case"], name="evac_exposure_by_other"),
            models.Index(fields=["staff"], name="evac_exposure_by_staff"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="house",
                        house__isnull=False,
                        movement__isnull=True,
                        staff__isnull=True,
                        other_case__isnull=True,
                    )
                    | models.Q(
                        kind="movement",
                        house__isnull=True,
                        movement__isnull=False,
                        staff__isnull=True,
                        other_case__isnull=True,
                    )
                    | models.Q(
                        kind="staff",
                        house__isnull=True,
                        movement__isnull=True,
                        staff__isnull=False,
                        other_case__isnull=True,
                    )
                    | models.Q(
                        kind="case",
                        house__isnull=True,
                        movement__isnull=True,
                        staff__isnull=True,
                        other_case__isnull=False,
                    )
                ),
                name="exposure_names_one_asset",
            ),
            # What Corridor records itself is recorded once per asset.
            models.UniqueConstraint(
                fields=["case", "house"],
                condition=models.Q(kind="house") & ~models.Q(source="manual"),
                name="one_automatic_house_exposure",
            ),
            models.UniqueConstraint(
                fields=["case", "movement"],
                condition=models.Q(kind="movement") & ~models.Q(source="manual"),
                name="one_automatic_movement_exposure",
            ),
            models.UniqueConstraint(
                fields=["case", "staff"],
                condition=models.Q(kind="staff") & ~models.Q(source="manual"),
                name="one_automatic_staff_exposure",
            ),
        ]

    def __str__(self) -> str:
        return f"exposure {self.id}"


class PhoneSeizure(models.Model):
    """The person reports their phone seized (or lost to someone hostile): a burn trigger."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="phone_seizures")
    reported_at = models.DateTimeField()
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Under the case key: what happened, what the phone held.
    note = models.BinaryField(default=b"")
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "cleared_at"], name="evac_seizure_by_case")]

    def __str__(self) -> str:
        return f"seized phone {self.id}"


class WarningKind(models.TextChoices):
    WARN_PERSON = "warn_person", _("Warn the person")
    MOVE_PERSON = "move_person", _("Move the person")
    WARN_STAFF = "warn_staff", _("Warn the staff member")
    CHECK_HOUSE = "check_house", _("Decide whether the house is compromised")


class BurnProposal(models.Model):
    """A task Corridor proposed from a burn view: one per burned case, kind and target."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="burn_proposals")
    kind = models.CharField(max_length=16, choices=WarningKind.choices)
    # The target's id as text (a case, a user or a house): one column keeps the key simple.
    target = models.CharField(max_length=64)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "target"], name="one_proposal_per_target")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.target}"
