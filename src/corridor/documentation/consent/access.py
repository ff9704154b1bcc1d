"""The only way a consent view obtains a statement or a consent: through the documenter's collections.

A statement or consent of a collection this documenter does not hold is a 404, the same as
one that does not exist (corridor.documentation.access decides who holds what).
"""

from __future__ import annotations

import uuid

from django.http import Http404

from corridor.accounts.models import User
from corridor.documentation.access import readable_collections, readable_events
from corridor.documentation.consent.models import Consent
from corridor.documentation.models import Information


def get_statement_for_documenter(user: User, information_id: uuid.UUID) -> Information:
    information = (
        Information.objects.filter(event__in=readable_events(user), pk=information_id)
        .select_related("event__collection__key", "source__person")
        .first()
    )
    if information is None:
        raise Http404
    return information


def get_consent_for_documenter(user: User, consent_id: uuid.UUID) -> Consent:
    consent = (
        Consent.objects.filter(collection__in=readable_collections(user), pk=consent_id)
        .select_related("collection__key")
        .first()
    )
    if consent is None:
        raise Http404
    return consent
