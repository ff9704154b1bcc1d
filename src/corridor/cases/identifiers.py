"""Blind indexes of a case's identifiers: duplicate detection and the provocateur blocklist.

Only HMACs under the index key are stored (corridor.accounts.keyring.blind_index_of),
so a copy of the database cannot be searched for a phone number without that key.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.db.models import Q

from corridor.accounts import keyring
from corridor.cases.models import BlockedIdentifier, Case, CaseIdentifier
from corridor.crypto.blind import IndexKind

Digest = tuple[str, bytes]


def digests_of(index_key: bytes, pairs: Iterable[tuple[str, str]]) -> set[Digest]:
    """Blind indexes of (kind, value) pairs; values with nothing left after normalisation are skipped."""
    result: set[Digest] = set()
    for kind, value in pairs:
        try:
            result.add((kind, keyring.blind_index_of(index_key=index_key, kind=kind, value=value)))
        except ValueError:
            continue
    return result


def _matching(digests: Iterable[Digest]) -> Q:
    query = Q(pk__in=[])
    for kind, digest in digests:
        query |= Q(kind=kind, digest=digest)
    return query


def replace_identifiers(case: Case, digests: set[Digest]) -> None:
    CaseIdentifier.objects.filter(case=case).delete()
    CaseIdentifier.objects.bulk_create(
        CaseIdentifier(case=case, kind=kind, digest=digest) for kind, digest in sorted(digests)
    )


def cases_sharing(digests: set[Digest], *, exclude: Case | None = None) -> list[Case]:
    """Other cases with any of these identifiers (for a minimal card, never their content)."""
    if not digests:
        return []
    # Two short queries rather than one with a subquery: nearly always nothing matches,
    # and then the second is never sent.
    ids = set(CaseIdentifier.objects.filter(_matching(digests)).values_list("case_id", flat=True))
    if exclude is not None:
        ids.discard(exclude.pk)
    if not ids:
        return []
    qs = Case.objects.filter(pk__in=ids).select_related("caseworker").defer("profile")
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return list(qs.order_by("code"))


def blocked(digests: set[Digest]) -> bool:
    return bool(digests) and BlockedIdentifier.objects.filter(_matching(digests)).exists()


def block_sources(digests: set[Digest]) -> set[str]:
    """Ids of the cases whose identifiers put these on the blocklist."""
    if not digests:
        return set()
    rows = BlockedIdentifier.objects.filter(_matching(digests), source_case__isnull=False)
    return {str(pk) for pk in rows.values_list("source_case_id", flat=True)}


# Names are left out: many people share a name, and a blocked name would flag the innocent.
BLOCKED_KINDS = (IndexKind.PHONE, IndexKind.EMAIL, IndexKind.HANDLE, IndexKind.DOCUMENT)


def block_identifiers_of(case: Case) -> int:
    """Put a suspected provocateur's contact identifiers and documents on the blocklist."""
    now = datetime.now(UTC)
    own = list(CaseIdentifier.objects.filter(case=case, kind__in=[kind.value for kind in BLOCKED_KINDS]))
    existing = {
        (kind, bytes(digest))
        for kind, digest in BlockedIdentifier.objects.filter(
            _matching((i.kind, bytes(i.digest)) for i in own)
        ).values_list("kind", "digest")
    }
    new = [
        BlockedIdentifier(kind=i.kind, digest=bytes(i.digest), source_case=case, added_at=now)
        for i in own
        if (i.kind, bytes(i.digest)) not in existing
    ]
    BlockedIdentifier.objects.bulk_create(new)
    return len(new)
