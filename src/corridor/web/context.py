"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from corridor.accounts.models import Role, User
from corridor.hotline import applicant


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    roles = user.role_codes if isinstance(user, User) and user.is_authenticated else set()
    return {
        "org_name": settings.CORRIDOR_ORG_NAME,
        "nav_admin": Role.ADMIN in roles,
        "nav_auditor": Role.AUDITOR in roles,
        "nav_keys": bool(roles & {Role.OPERATOR, Role.COORDINATOR}),
        "nav_hotline": bool(roles & {Role.OPERATOR, Role.COORDINATOR}),
        "nav_cases": bool(roles & {Role.OPERATOR, Role.CASEWORKER, Role.COORDINATOR}),
        "nav_evacuation": bool(roles & {Role.CASEWORKER, Role.COORDINATOR}),
        "nav_documentation": Role.DOCUMENTER in roles,
        # The applicant's layout and error pages need these; their views may be Django's own.
        "applicant_title": applicant.text_setting("CORRIDOR_APPLICANT_TITLE"),
        "applicant_time_zone": settings.CORRIDOR_APPLICANT_TIME_ZONE,
    }
