"""Task forms: parsing and validation only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import User
from corridor.cases.services import CaseRefused
from corridor.cases.tasks import MAX_TITLE, clean_title
from corridor.web.templatetags.staff_time import staff_zone

DUE_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


class StaffDateTimeField(forms.DateTimeField):
    """A wall-clock time as staff read it: in the staff time zone, whatever the server's."""

    def to_python(self, value: Any) -> datetime | None:
        with timezone.override(staff_zone()):
            return super().to_python(value)


class TaskForm(forms.Form):
    title = forms.CharField(
        label=_("What has to be done"),
        # The length is checked by the service's rule, so its message is the one shown.
        widget=forms.TextInput(attrs={"maxlength": MAX_TITLE}),
        error_messages={"required": _("Write what has to be done.")},
    )
    assignee = forms.ChoiceField(
        label=_("Who does it"),
        help_text=_("Only people who can read the case."),
        error_messages={"invalid_choice": _("Choose someone from the list.")},
    )
    due_at = StaffDateTimeField(
        label=_("Due"),
        input_formats=DUE_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Give the date the task is due."),
            "invalid": _("Give the date as year-month-day and the time as hours:minutes."),
        },
    )

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(user.pk): user for user in people}
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ChoiceField)
        assignee.choices = [(pk, user.username) for pk, user in self.people.items()]

    def clean_title(self) -> str:
        try:
            return clean_title(self.cleaned_data["title"])
        except CaseRefused as exc:
            raise forms.ValidationError(str(exc)) from None

    def assignee_user(self) -> User:
        return self.people[self.cleaned_data["assignee"]]
