"""Sections that other apps add to the case page (placements, check-ins, pathways, expenses).

The case page opens the case key once, audited; each panel gets that key to decrypt its own
rows under it, so showing the page still records one decryption. Apps register their panels
in AppConfig.ready(); a panel's forms post to the app's own views.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from corridor.accounts.models import User
from corridor.cases.models import Case


@dataclass(frozen=True)
class PanelContext:
    user: User
    user_private_key: bytes = field(repr=False)
    case: Case
    # The case key, already opened (and audited) for this page.
    key: bytes = field(repr=False)
    is_coordinator: bool


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    build: Callable[[PanelContext], dict[str, Any] | None]
    order: int


@dataclass(frozen=True)
class ShownPanel:
    name: str
    template: str
    context: dict[str, Any]


_PANELS: dict[str, Panel] = {}


def register(
    *, name: str, template: str, build: Callable[[PanelContext], dict[str, Any] | None], order: int
) -> None:
    """Adds (or replaces, by name) a section of the case page; lower `order` comes first."""
    _PANELS[name] = Panel(name=name, template=template, build=build, order=order)


def build_panels(context: PanelContext) -> list[ShownPanel]:
    """The panels to show on this case page, in order; a panel whose build returns None is left out."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.name)):
        built = panel.build(context)
        if built is not None:
            shown.append(ShownPanel(name=panel.name, template=panel.template, context=built))
    return shown
