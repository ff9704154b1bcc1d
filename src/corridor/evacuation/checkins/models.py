"""Check-in schedules, check-ins and the escalation steps of the dead man's switch.

Plain columns are what the worker needs without any key: the case, whether the schedule
runs, its interval and grace, when the next check-in is due and when the next escalation
step comes, and for each check-in who sent it, the answer and the time. A staff member's
note on a check-in is an envelope under the case key. A message the person adds goes into
their hotline thread, under the conversation key, as any message of theirs.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckInSchedule(models.Model):
    """How often the person of one case checks in, and where the switch stands."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="check_in_schedule")
    active = models.BooleanField(default=True)
    # True: interval and grace are taken again from the case's stage at each check-in.
    follows_stage = models.BooleanField(default=True)
    interval_minutes = models.PositiveIntegerField()
    grace_minutes = models.PositiveIntegerField()
    next_due_at = models.DateTimeField()
    # Escalation steps already taken for the check-in due at next_due_at (0 to 3).
    escalated_steps = models.PositiveSmallIntegerField(default=0)
    # When the next step comes; null when the schedule is paused or every step is taken.
    next_step_at = models.DateTimeField(null=True, blank=True)
    last_check_in_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    changed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["active", "next_step_at"], name="checkins_sweep")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(escalated_steps__lte=3), name="checkins_at_most_three_steps"
            ),
        ]

    def __str__(self) -> str:
        return f"check-ins of {self.case_id}"


class Source(models.TextChoices):
    PERSON = "person", _("The person, from their conversation")
    STAFF = "staff", _("Logged by staff")


class Answer(models.TextChoices):
    SAFE = "safe", _("Safe")
    UNSAFE = "unsafe", _("Not safe")


class Channel(models.TextChoices):
    """How staff heard from the person; the person's own check-ins come through the thread."""

    THREAD = "thread", _("Hotline conversation")
    CALL = "call", _("Phone call")
    MESSENGER = "messenger", _("Messenger")
    IN_PERSON = "in_person", _("In person")
    THROUGH_SOMEONE = "through_someone", _("Through someone else")


class CheckIn(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="check_ins")
    source = models.CharField(max_length=8, choices=Source.choices)
    answer = models.CharField(max_length=8, choices=Answer.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    # A staff member's note: an envelope under the case key.
    note = models.BinaryField(default=b"")

    class Meta:
        indexes = [models.Index(fields=["case", "at"], name="checkins_by_case")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source="person", channel="thread", logged_by__isnull=True)
                | models.Q(source="staff"),
                name="checkins_person_from_thread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.answer} check-in {self.id}"


class Step(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker alerted")
    COORDINATORS = "coordinators", _("Coordinators alerted")
    LOST_CONTACT = "lost_contact", _("Lost-contact flag proposed")
    UNSAFE = "unsafe", _("The person said they are not safe")


# The steps of a missed check-in, in order: step n comes n graces after the due time.
MISSED_STEPS = (Step.CASEWORKER, Step.COORDINATORS, Step.LOST_CONTACT)


class Escalation(models.Model):
    """One step taken, once: the unique constraint is what makes a repeated or resumed sweep harmless."""

    schedule = models.ForeignKey(CheckInSchedule, on_delete=models.CASCADE, related_name="escalations")
    # The missed check-in's due time (for "unsafe", the time of that check-in).
    due_at = models.DateTimeField()
    step = models.CharField(max_length=16, choices=Step.choices)
    at = models.DateTimeField()
    # When the fixed staff alert for this step was put in the queue.
    alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["schedule", "due_at", "step"], name="checkins_one_step_per_due")
        ]
        indexes = [models.Index(fields=["alerted_at"], name="checkins_unalerted")]

    def __str__(self) -> str:
        return f"{self.step} for {self.schedule_id} due {self.due_at:%Y-%m-%d %H:%M}"
