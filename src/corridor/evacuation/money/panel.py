"""The case page's money section: the case's expenses (details opened with the page's key) and the form."""

from __future__ import annotations

from typing import Any

from corridor.cases.models import Stage
from corridor.cases.panels import PanelContext
from corridor.evacuation.money import access, reading, services
from corridor.evacuation.money.views import expense_form


def build(ctx: PanelContext) -> dict[str, Any] | None:
    if not access.sees_money(ctx.user):
        return None
    rows = reading.case_rows(ctx.key, ctx.case)
    form = expense_form()
    return {
        "case": ctx.case,
        "rows": rows,
        "totals": reading.totals(rows),
        "form": form,
        "can_add": ctx.case.stage != Stage.CLOSED and bool(form.lines),
        "is_coordinator": ctx.is_coordinator,
        "threshold_map": dict(sorted((c, services.threshold(c)) for c in services.currencies())),
    }
