"""Money forms: parsing and validation only; the services decide what is allowed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.cases.services import CaseRefused
from corridor.evacuation.money import services
from corridor.evacuation.money.models import BudgetLine, Category, LineKind
from corridor.web.templatetags.staff_time import staff_zone

MONTH_FORMATS = ["%Y-%m"]


def _amount(raw: str, *, limit: Decimal, allow_zero: bool = False) -> Decimal:
    # "30 000", "450,50": how people write amounts, in Russian as in English.
    text = raw.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        return services.clean_amount(text, limit=limit, allow_zero=allow_zero)
    except CaseRefused as exc:
        raise forms.ValidationError(str(exc)) from None


def _currency_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in services.currencies()]


class ExpenseForm(forms.Form):
    budget_line = forms.ChoiceField(
        label=_("Budget line"), error_messages={"invalid_choice": _("Choose an open budget line.")}
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=Category.choices,
        error_messages={"invalid_choice": _("Choose a category from the list.")},
    )
    amount = forms.CharField(
        label=_("Amount"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"required": _("Give the amount.")},
    )
    currency = forms.ChoiceField(
        label=_("Currency"), error_messages={"invalid_choice": _("Choose one of the currencies in the list.")}
    )
    spent_on = forms.DateField(
        label=_("Date spent"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Give the date the money was spent."),
            "invalid": _("Give the date as year-month-day."),
        },
    )
    description = forms.CharField(
        label=_("What it was for"),
        max_length=services.MAX_DETAIL,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say what the money was for.")},
    )
    payee = forms.CharField(label=_("Paid to (optional)"), max_length=services.MAX_DETAIL, required=False)
    receipt = forms.FileField(
        label=_("Receipt (optional)"),
        required=False,
        help_text=_("A photo or a PDF. Photos lose their metadata; the file is stored encrypted."),
    )
    submission = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, lines: list[BudgetLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = {str(line.pk): line for line in lines}
        line_field = self.fields["budget_line"]
        assert isinstance(line_field, forms.ChoiceField)
        line_field.choices = [(pk, f"{line.name} ({line.currency})") for pk, line in self.lines.items()]
        currency = self.fields["currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = _currency_choices()
        if not self.is_bound:
            self.initial.setdefault("spent_on", timezone.localdate(timezone=staff_zone()))

    def clean_amount(self) -> Decimal:
        return _amount(self.cleaned_data["amount"], limit=services.MAX_EXPENSE)

    def line(self) -> BudgetLine:
        return self.lines[self.cleaned_data["budget_line"]]


class BudgetLineForm(forms.Form):
    name = forms.CharField(
        label=_("Code name"),
        max_length=services.MAX_NAME,
        help_text=_("A name that says nothing to an outsider. Keep the donor's real name outside Corridor."),
        error_messages={"required": _("Give the line a name.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=LineKind.choices,
        error_messages={"invalid_choice": _("Choose whether the line is a donor grant or a programme.")},
    )
    currency = forms.ChoiceField(
        label=_("Currency"), error_messages={"invalid_choice": _("Choose one of the currencies in the list.")}
    )
    amount = forms.CharField(
        label=_("Budget"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"required": _("Give the budget.")},
    )
    submission = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        currency = self.fields["currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = _currency_choices()

    def clean_amount(self) -> Decimal:
        return _amount(self.cleaned_data["amount"], limit=services.MAX_BUDGET, allow_zero=True)


class MonthField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(input_formats=MONTH_FORMATS, required=False, **kwargs)


class ReportForm(forms.Form):
    start = MonthField(
        label=_("From (month)"), error_messages={"invalid": _("Give the month as year-month.")}
    )
    end = MonthField(label=_("To (month)"), error_messages={"invalid": _("Give the month as year-month.")})
    line = forms.ChoiceField(
        label=_("Budget line"),
        required=False,
        error_messages={"invalid_choice": _("Choose a budget line from the list.")},
    )

    def __init__(self, *args: Any, lines: list[BudgetLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = {str(line.pk): line for line in lines}
        line_field = self.fields["line"]
        assert isinstance(line_field, forms.ChoiceField)
        line_field.choices = [("", _("All lines")), *((pk, line.name) for pk, line in self.lines.items())]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The first month comes after the last."))
        return data

    def chosen_line(self) -> BudgetLine | None:
        return self.lines.get(self.cleaned_data.get("line") or "")
