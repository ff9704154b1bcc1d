"""Evidence for pages: items with their sealed records opened (one audited opening of the collection key)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from corridor.accounts.models import User
from corridor.crypto.errors import CryptoError
from corridor.documentation.evidence import sealing
from corridor.documentation.evidence.models import CustodyEntry, EvidenceItem, ItemKind
from corridor.documentation.evidence.services import is_image
from corridor.documentation.keys import open_collection_key
from corridor.documentation.models import Event


@dataclass
class ItemView:
    item: EvidenceItem
    name: str
    content_type: str
    size: int
    sha256: str
    note: str
    first_contact: datetime | None = None
    thread: str = ""
    parent_sha256: str = ""
    unreadable: bool = False
    custody: list[tuple[CustodyEntry, str]] = field(default_factory=list)  # with the actor's username
    derivatives: list[EvidenceItem] = field(default_factory=list)

    @property
    def has_stripped_copy(self) -> bool:
        return any(d.kind == ItemKind.STRIPPED for d in self.derivatives)

    @property
    def image(self) -> bool:
        return not self.unreadable and is_image(self.content_type)


def _moment(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _view(key: bytes, item: EvidenceItem) -> ItemView:
    try:
        meta: dict[str, Any] = sealing.open_meta(key, item)
    except CryptoError:
        return ItemView(item, "", "", 0, "", "", unreadable=True)
    return ItemView(
        item=item,
        name=str(meta.get("name", "")),
        content_type=str(meta.get("type", "")),
        size=int(meta.get("size", 0)),
        sha256=str(meta.get("sha256", "")),
        note=str(meta.get("note", "")),
        first_contact=_moment(meta.get("first_contact")),
        thread=str(meta.get("thread", "")),
        parent_sha256=str(meta.get("parent_sha256", "")),
    )


def event_items(*, user: User, user_private_key: bytes, event: Event) -> list[ItemView]:
    """The event's items (its own and its statements'), oldest first; the key opened only if there are any."""
    items = list(
        EvidenceItem.objects.filter(event=event)
        .select_related("information__source", "parent")
        .order_by("created_at", "code")
    )
    if not items:
        return []
    key = open_collection_key(
        user=user, user_private_key=user_private_key, collection=event.collection, purpose="evidence_list"
    )
    return [_view(key, item) for item in items]


def item_page(*, user: User, user_private_key: bytes, item: EvidenceItem) -> ItemView:
    """One item with its custody log and the copies made from it."""
    key = open_collection_key(
        user=user, user_private_key=user_private_key, collection=item.collection, purpose="evidence_item"
    )
    view = _view(key, item)
    entries = list(CustodyEntry.objects.filter(item=item).order_by("seq"))
    names = {
        str(pk): username
        for pk, username in User.objects.filter(
            pk__in={e.actor_id for e in entries if e.actor_id}
        ).values_list("pk", "username")
    }
    view.custody = [(entry, names.get(str(entry.actor_id), "")) for entry in entries]
    view.derivatives = list(EvidenceItem.objects.filter(parent=item).order_by("created_at"))
    return view
