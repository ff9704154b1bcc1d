"""Parsing the check-in forms: log a check-in, set the schedule, the person's two choices."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from corridor.cases.models import Case
from corridor.evacuation.checkins.models import Answer, Channel, CheckInSchedule
from corridor.evacuation.checkins.services import MAX_NOTE, stage_defaults

# What staff choose from (minutes): a list, so a tired hand cannot type 1440 as 14400.
INTERVALS = [60, 120, 180, 240, 360, 480, 720, 1440, 2880, 4320, 10080]
GRACES = [15, 30, 60, 120, 240, 360, 720, 1440]
STAGE_DEFAULT = ""


def duration(minutes: int) -> str:
    """Minutes in words: "30 minutes", "3 hours", "2 days"."""
    if minutes % 1440 == 0:
        days = minutes // 1440
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


class _TokenForm(forms.Form):
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class LogCheckInForm(_TokenForm):
    answer = forms.ChoiceField(
        label=gettext_lazy("How is the person?"), choices=Answer.choices, widget=forms.RadioSelect
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("How did you hear from them?"),
        choices=[(c.value, c.label) for c in Channel if c != Channel.THREAD],
    )
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Only staff who hold the case read it."),
    )


class ScheduleForm(_TokenForm):
    interval = forms.TypedChoiceField(label=gettext_lazy("Check in every"), coerce=int, empty_value=None)
    grace = forms.TypedChoiceField(
        label=gettext_lazy("Alert after a missed check-in by"),
        coerce=int,
        empty_value=None,
        help_text=gettext_lazy(
            "After this the caseworker is alerted, after twice this the coordinators, "
            "after three times a lost-contact flag is proposed."
        ),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Check-ins"),
        choices=[("active", gettext_lazy("Running")), ("paused", gettext_lazy("Paused"))],
    )

    def __init__(self, *args: Any, stage: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stage = stage
        interval, grace = stage_defaults(stage)
        as_stage = _("As for the stage (%(duration)s)")
        interval_field = self.fields["interval"]
        grace_field = self.fields["grace"]
        assert isinstance(interval_field, forms.TypedChoiceField)
        assert isinstance(grace_field, forms.TypedChoiceField)
        interval_field.choices = [
            (STAGE_DEFAULT, as_stage % {"duration": duration(interval)}),
            *[(m, duration(m)) for m in INTERVALS],
        ]
        interval_field.required = False
        grace_field.choices = [
            (STAGE_DEFAULT, as_stage % {"duration": duration(grace)}),
            *[(m, duration(m)) for m in GRACES],
        ]
        grace_field.required = False

    @classmethod
    def for_schedule(cls, schedule: CheckInSchedule | None, case: Case, token: str) -> ScheduleForm:
        initial: dict[str, Any] = {"submission": token, "status": "active"}
        if schedule is not None:
            initial["status"] = "active" if schedule.active else "paused"
            if not schedule.follows_stage:
                initial["interval"], initial["grace"] = schedule.interval_minutes, schedule.grace_minutes
        return cls(initial=initial, stage=case.stage)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Following the stage means both: a custom interval with the stage's grace is a custom schedule.
        if (data.get("interval") is None) != (data.get("grace") is None):
            interval, grace = stage_defaults(self.stage)
            data["interval"] = data.get("interval") or interval
            data["grace"] = data.get("grace") or grace
        return data


class PersonCheckInForm(forms.Form):
    """The person's two choices; an optional message goes into their conversation."""

    check_in = forms.ChoiceField(choices=Answer.choices)
    submission = forms.CharField(max_length=64)
    message = forms.CharField(required=False, max_length=20_000)
