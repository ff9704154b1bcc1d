"""The only way a relocation view obtains its objects: through a case the person may read.

A pathway, consent or referral is looked up within its case, which
corridor.cases.access.get_case_for_staff has already shown the person may read; a row of
another case, or none, is a 404 either way. Partners are the coordinators' list.
"""

from __future__ import annotations

import uuid

from django.http import Http404

from corridor.accounts.models import Role, User
from corridor.cases.access import get_case_for_staff
from corridor.cases.models import Case
from corridor.evacuation.relocation.models import Partner, Referral

RELOCATION_ROLES = (Role.CASEWORKER, Role.COORDINATOR)


def get_case_for_relocation(user: User, case_id: uuid.UUID) -> Case:
    if not any(user.has_role(role) for role in RELOCATION_ROLES):
        raise Http404
    return get_case_for_staff(user, case_id)


def get_referral(case: Case, referral_id: uuid.UUID) -> Referral:
    referral = Referral.objects.filter(pk=referral_id, case=case).first()
    if referral is None:
        raise Http404
    return referral


def get_partner_for_coordinator(user: User, partner_id: uuid.UUID) -> Partner:
    if not user.has_role(Role.COORDINATOR):
        raise Http404
    partner = Partner.objects.filter(pk=partner_id).first()
    if partner is None:
        raise Http404
    return partner
