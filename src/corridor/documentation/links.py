"""Documentation linked to hotline threads and cases: naming an origin, showing it, linking a person to
their case, and bringing the caseworkers' copies up to date.

A link is shown with its thread's or case's code only to someone who can open that
thread or case; anyone else reads that there is a link, and nothing of what it leads to.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from corridor.accounts.models import User
from corridor.audit.services import record_event
from corridor.cases import access as case_access
from corridor.documentation import sealing
from corridor.documentation.copies import CASE, THREAD, Origin, read_case_link, refresh_copies
from corridor.documentation.keys import open_collection_key
from corridor.documentation.models import Act, Event, Person
from corridor.documentation.services import DocumentationRefused, _require_documenter
from corridor.hotline import access as hotline_access


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


def resolve_origin(user: User, *, thread: str = "", case: str = "") -> Origin | None:
    """The thread or case a form names, if this person can open it (a 404 otherwise); None for neither."""
    if thread and case:
        raise Http404
    if thread:
        return Origin(THREAD, hotline_access.get_thread_for_staff(user, _uuid(thread)).pk)
    if case:
        return Origin(CASE, case_access.get_case_for_staff(user, _uuid(case)).pk)
    return None


@dataclass(frozen=True)
class OriginView:
    """What a page says of a link: a code and a page only for someone who can open what it leads to."""

    kind: str
    label: str
    code: str = ""
    url: str = ""


INTERVIEW = "interview"


def describe_origin(user: User, origin: Origin | None) -> OriginView:
    if origin is None:
        return OriginView(INTERVIEW, _("An interview (no hotline thread or case)"))
    if origin.kind == THREAD:
        label = _("A hotline thread")
        if hotline_access.can_use_hotline(user):
            code = hotline_access.thread_codes_by_id([origin.id]).get(str(origin.id), "")
            if code:
                url = reverse("hotline_staff:thread", kwargs={"thread_id": origin.id})
                return OriginView(THREAD, label, code, url)
        return OriginView(THREAD, label)
    label = _("An evacuation case")
    case = case_access.readable_cases(user).filter(pk=origin.id).first()
    if case is not None:
        return OriginView(CASE, label, case.code, reverse("cases:case", kwargs={"case_id": case.pk}))
    return OriginView(CASE, label)


def describe_case(user: User, case_id: uuid.UUID | None) -> OriginView | None:
    return describe_origin(user, Origin(CASE, case_id)) if case_id is not None else None


@transaction.atomic
def link_person_to_case(*, actor: User, user_private_key: bytes, person: Person, case_code: str) -> int:
    """Seal which evacuation case this person is (one the documenter can open), or unlink with an
    empty code; the copies on the case of every event the person suffered an act in are written.
    Returns how many copies were written."""
    _require_documenter(actor)
    code = (case_code or "").strip().upper()
    case = None
    if code:
        case = case_access.readable_cases(actor).filter(code=code).first()
        if case is None:
            raise DocumentationRefused(_("There is no case with this code among the cases you can open."))
    person = Person.objects.select_for_update().select_related("collection__key").get(pk=person.pk)
    collection = person.collection
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=collection, purpose="link_person_to_case"
    )
    previous = read_case_link(key, person)
    person.case_link = (
        sealing.seal_json(key, collection.key.version, person, "case_link", {"case": str(case.pk)})
        if case is not None
        else b""
    )
    person.save(update_fields=["case_link"])
    # Which case it is stays out of the audit log: the log is read by auditors, who read no case.
    record_event(
        action="documentation.person_linked_to_case" if case else "documentation.person_unlinked_from_case",
        actor_id=actor.pk,
        target_type="person",
        target_id=person.pk,
        data={"changed": previous != (case.pk if case else None)},
    )
    events = Event.objects.filter(
        pk__in=Act.objects.filter(victim_person=person).values("event_id")
    ).select_related("collection__key", "site")
    return refresh_copies(
        actor=actor, user_private_key=user_private_key, key=key, events=list(events), unlinked=previous
    )


@transaction.atomic
def update_case_copies(*, actor: User, user_private_key: bytes, event: Event) -> int:
    """Write again the copies of this event on the linked cases whose key the documenter holds."""
    _require_documenter(actor)
    key = open_collection_key(
        user=actor, user_private_key=user_private_key, collection=event.collection, purpose="case_copies"
    )
    written = refresh_copies(actor=actor, user_private_key=user_private_key, key=key, events=[event])
    record_event(
        action="documentation.case_copies_written",
        actor_id=actor.pk,
        target_type="event",
        target_id=event.pk,
        data={"copies": written},
    )
    return written


def origin_value(origin: Origin) -> str:
    return f"{origin.kind}:{origin.id}"


def origin_from_value(user: User, value: str) -> Origin | None:
    """The origin a form's "thread:<id>" or "case:<id>" names, if this person can open it (else 404)."""
    if not value:
        return None
    kind, _sep, pk = value.partition(":")
    if kind == THREAD:
        return resolve_origin(user, thread=pk)
    if kind == CASE:
        return resolve_origin(user, case=pk)
    raise Http404


def origin_choices(user: User, origin: Origin | None) -> list[tuple[str, str]]:
    """The event's own origin as a choice for an account, if this person can open it."""
    shown = describe_origin(user, origin)
    if origin is None or not shown.code:
        return []
    return [(origin_value(origin), f"{shown.label} {shown.code}")]
