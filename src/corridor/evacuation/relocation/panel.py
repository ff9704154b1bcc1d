"""The relocation section of the case page: pathways and milestones, consents, referrals.

It decrypts with the key the case page already opened (and audited) once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from corridor.cases import sealing
from corridor.cases.models import ApprovalStatus
from corridor.cases.panels import PanelContext
from corridor.crypto.errors import CryptoError
from corridor.evacuation.relocation import forms
from corridor.evacuation.relocation.countries import country_name
from corridor.evacuation.relocation.models import (
    Consent,
    Milestone,
    MilestoneKind,
    Pathway,
    Referral,
)
from corridor.evacuation.relocation.referrals import field_codes, field_labels


def _text(key: bytes, row: models.Model, name: str) -> str | None:
    """The decrypted text, or None if its envelope does not open (damaged or moved)."""
    try:
        return sealing.open_text(key, row, name)
    except (CryptoError, ValueError, KeyError):
        return None


@dataclass
class MilestoneView:
    label: str
    date: str
    note: str | None


@dataclass
class PathwayView:
    row: Pathway
    destination: str
    partner: str
    note: str | None
    outcome_note: str | None
    milestones: list[MilestoneView] = field(default_factory=list)


@dataclass
class ConsentView:
    row: Consent
    partner: str
    note: str | None
    withdrawal_note: str | None


@dataclass
class ReferralView:
    row: Referral
    partner: str
    fields: list[str]
    status: str
    message: str | None
    can_sign: bool
    can_download: bool


def _milestones(key: bytes, pathway: Pathway, rows: list[Milestone]) -> list[MilestoneView]:
    latest: dict[str, Milestone] = {}
    for row in rows:  # in recording order: a later entry of a kind supersedes the earlier
        latest[row.kind] = row
    shown = []
    for kind in MilestoneKind:
        if (entry := latest.get(kind.value)) is None:
            continue
        try:
            body = sealing.open_row(key, entry, "body")
            shown.append(MilestoneView(str(kind.label), str(body.get("date", "")), str(body.get("note", ""))))
        except (CryptoError, ValueError, KeyError):
            shown.append(MilestoneView(str(kind.label), "", None))
    return shown


def _pathways(ctx: PanelContext) -> list[PathwayView]:
    rows = list(Pathway.objects.filter(case=ctx.case).select_related("partner").order_by("created_at"))
    by_pathway: dict[Any, list[Milestone]] = {}
    for milestone in Milestone.objects.filter(case=ctx.case).order_by("recorded_at"):
        by_pathway.setdefault(milestone.pathway_id, []).append(milestone)
    return [
        PathwayView(
            row=row,
            destination=country_name(row.destination),
            partner=row.partner.name if row.partner else "",
            note=_text(ctx.key, row, "note"),
            outcome_note=_text(ctx.key, row, "outcome_note"),
            milestones=_milestones(ctx.key, row, by_pathway.get(row.pk, [])),
        )
        for row in rows
    ]


def _referral_status(row: Referral) -> str:
    if bytes(row.packet):
        return _("Signed: ready to download")
    return str(ApprovalStatus(row.approval.status).label)


def build_panel(ctx: PanelContext) -> dict[str, Any] | None:
    """Shown to caseworkers and coordinators (operators do not handle relocation)."""
    from corridor.evacuation.relocation.access import RELOCATION_ROLES

    if not any(ctx.user.has_role(role) for role in RELOCATION_ROLES):
        return None
    case = ctx.case
    consents = [
        ConsentView(
            row=row,
            partner=row.partner.name,
            note=_text(ctx.key, row, "note"),
            withdrawal_note=_text(ctx.key, row, "withdrawal_note"),
        )
        for row in Consent.objects.filter(case=case).select_related("partner").order_by("recorded_at")
    ]
    referrals = []
    for row in (
        Referral.objects.filter(case=case)
        .select_related("partner", "consent", "approval")
        .order_by("requested_at")
    ):
        standing = row.consent.withdrawn_at is None and row.partner.active
        signed = bool(bytes(row.packet))
        referrals.append(
            ReferralView(
                row=row,
                partner=row.partner.name,
                fields=field_labels(field_codes(row)),
                status=_referral_status(row),
                message=_text(ctx.key, row, "message"),
                can_sign=ctx.is_coordinator
                and standing
                and not signed
                and row.approval.status == ApprovalStatus.APPROVED,
                can_download=standing and signed,
            )
        )
    return {
        "pathways": _pathways(ctx),
        "consents": consents,
        "referrals": referrals,
        "is_coordinator": ctx.is_coordinator,
        "pathway_form": forms.PathwayForm(case=case),
        "milestone_form": forms.MilestoneForm(case=case),
        "close_form": forms.ClosePathwayForm(case=case),
        "consent_form": forms.ConsentForm(case=case),
        "withdraw_form": forms.WithdrawConsentForm(case=case),
        "referral_form": forms.ReferralForm(case=case),
    }
