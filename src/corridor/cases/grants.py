"""Need-to-know: granting a colleague a case, revoking (and re-keying), and requests for access.

A grant seals the case key (and, for a case from a thread, the conversation key, so the
person's messages show on the case page) to the colleague's certified public key. Only
someone who holds the case key can grant it: the server never holds it.

Revoking deletes the colleague's wraps. With re-key, the case gets a new key: every
encrypted row of the case (and of its thread's staff side) is opened with the old key
and sealed with the new one in one transaction, and every remaining wrap is replaced,
so a copy of the old wrap opens nothing of the case any more.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from corridor.accounts.models import Role, User
from corridor.audit.services import record_event
from corridor.cases import access, sealing
from corridor.cases import keys as data_keys
from corridor.cases.models import (
    AccessReason,
    AccessRequest,
    AccessRequestStatus,
    Case,
    DataKey,
)
from corridor.cases.services import CaseRefused, open_case_key
from corridor.crypto.envelope import generate_key
from corridor.hotline import keys as thread_keys
from corridor.hotline.models import Message, MessageKind, Thread


def _now() -> datetime:
    return datetime.now(UTC)


def holders(case: Case) -> list[User]:
    return data_keys.user_holders(case.key)


def _settle_requests(case: Case, grantee: User, actor: User) -> None:
    """A waiting request for access is answered by the grant, whoever made it."""
    AccessRequest.objects.filter(case=case, requester=grantee, status=AccessRequestStatus.PENDING).update(
        status=AccessRequestStatus.GRANTED, decided_by=actor, decided_at=_now()
    )


@transaction.atomic
def grant_case_access(*, actor: User, user_private_key: bytes, case: Case, grantee: User) -> bool:
    """Seal the case key to a colleague who works on cases; False if they already hold it."""
    if not access.can_use_cases(grantee) or not grantee.is_active:
        raise CaseRefused(_("This person's role does not work on cases."))
    key_row = DataKey.objects.get(pk=case.key_id)
    if data_keys.user_wrap(key_row, grantee) is not None:
        _settle_requests(case, grantee, actor)
        return False
    key = open_case_key(user=actor, user_private_key=user_private_key, case=case, purpose="grant")
    data_keys.seal_to_user(key_row, key, grantee, granted_by=actor)
    if case.thread_id is not None:
        thread = Thread.objects.select_related("conversation_key").get(pk=case.thread_id)
        opener = data_keys.StaffOpener(user=actor, user_private_key=user_private_key)
        conversation = opener.open(thread.conversation_key)
        data_keys.seal_to_user(thread.conversation_key, conversation, grantee, granted_by=actor)
    # The case has a named holder now: it no longer needs the hotline key's wrap.
    if grantee == case.caseworker:
        data_keys.revoke_org_wrap(key_row, "hotline")
    _settle_requests(case, grantee, actor)
    record_event(
        action="cases.access_granted",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"user": str(grantee.pk)},
    )
    return True


def _rekey_rows(case: Case, old: bytes, new: bytes, version: int) -> int:
    """Seals every registered field of the case's rows again (any app's), then the thread's staff side."""
    count = 0
    by_model: dict[type[models.Model], tuple[str, list[str]]] = {}
    for sealed in sealing.registered():
        by_model.setdefault(sealed.model, (sealed.relation, []))[1].append(sealed.field)
    for model, (relation, fields) in by_model.items():
        lookup = {"pk": case.pk} if relation == "" else {relation: case}
        rows = list(model._default_manager.filter(**lookup))
        changed = []
        for row in rows:
            for field in fields:
                if bytes(getattr(row, field)):
                    value = sealing.open_row(old, row, field)
                    setattr(row, field, sealing.seal_row(new, version, row, field, value))
                    count += 1
            changed.append(row)
        if changed:
            model._default_manager.bulk_update(changed, fields)
    if case.thread_id is not None:
        thread = Thread.objects.get(pk=case.thread_id)
        intake_ctx = thread_keys.intake_context(thread)
        thread_row = str(thread.pk)
        intake = thread_keys.open_json(
            old,
            bytes(thread.intake),
            model="hotline.Thread",
            row=thread_row,
            field="intake",
            context=intake_ctx,
        )
        thread.intake = thread_keys.seal_json(
            new,
            intake,
            model="hotline.Thread",
            row=thread_row,
            field="intake",
            version=version,
            context=intake_ctx,
        )
        thread.save(update_fields=["intake"])
        notes = list(Message.objects.filter(thread=thread, kind=MessageKind.NOTE))
        for note in notes:
            context = thread_keys.message_context(note)
            body = thread_keys.open_json(
                old,
                bytes(note.body),
                model="hotline.Message",
                row=str(note.pk),
                field="body",
                context=context,
            )
            note.body = thread_keys.seal_json(
                new,
                body,
                model="hotline.Message",
                row=str(note.pk),
                field="body",
                version=version,
                context=context,
            )
        Message.objects.bulk_update(notes, ["body"])
        count += 1 + len(notes)
    return count


@transaction.atomic
def revoke_case_access(
    *, actor: User, user_private_key: bytes, case: Case, user: User, rekey: bool = False
) -> int:
    """Take the case away from a colleague; with `rekey`, a new case key for every row. Returns
    how many envelopes were sealed again (0 without re-key)."""
    if user == actor and not rekey:
        raise CaseRefused(_("You cannot revoke your own access."))
    case = Case.objects.select_for_update().select_related("key").get(pk=case.pk)
    old = open_case_key(user=actor, user_private_key=user_private_key, case=case, purpose="revoke")
    removed = data_keys.revoke_user_wrap(case.key, user)
    if case.thread_id is not None:
        thread = Thread.objects.select_related("conversation_key").get(pk=case.thread_id)
        data_keys.revoke_user_wrap(thread.conversation_key, user)
    if not removed and not rekey:
        return 0
    resealed = 0
    if rekey:
        new = generate_key()
        version = case.key.version + 1
        resealed = _rekey_rows(case, old, new, version)
        data_keys.replace_key(case.key, new, actor=actor)
    record_event(
        action="cases.access_revoked",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"user": str(user.pk), "rekeyed": rekey, **({"rows": resealed} if rekey else {})},
    )
    return resealed


@transaction.atomic
def request_access(*, actor: User, case: Case, reason: str) -> AccessRequest:
    """Ask for a case one found in search; a coordinator decides. Asking again returns the waiting request."""
    if reason not in AccessReason.values:
        raise CaseRefused(_("Choose a reason from the list."))
    if not access.can_use_cases(actor):
        raise CaseRefused(_("Your role does not work on cases."))
    waiting = AccessRequest.objects.filter(
        case=case, requester=actor, status=AccessRequestStatus.PENDING
    ).first()
    if waiting is not None:
        return waiting
    try:
        with transaction.atomic():
            request = AccessRequest.objects.create(
                id=uuid.uuid4(), case=case, requester=actor, reason=reason, requested_at=_now()
            )
    except IntegrityError:
        # A double tap: the other request stored the waiting one first.
        return AccessRequest.objects.get(case=case, requester=actor, status=AccessRequestStatus.PENDING)
    record_event(
        action="cases.access_requested",
        actor_id=actor.pk,
        target_type="case",
        target_id=case.pk,
        data={"request": str(request.pk), "reason": reason},
    )
    return request


@transaction.atomic
def decide_access_request(
    *, actor: User, user_private_key: bytes, request: AccessRequest, grant: bool
) -> AccessRequest:
    """A coordinator who holds the case key grants (sealing it to the requester) or refuses."""
    if not actor.has_role(Role.COORDINATOR):
        raise CaseRefused(_("Only a coordinator decides on access."))
    request = (
        AccessRequest.objects.select_for_update().select_related("case__key", "requester").get(pk=request.pk)
    )
    if request.status != AccessRequestStatus.PENDING:
        raise CaseRefused(_("This request was already decided."))
    if grant:
        grant_case_access(
            actor=actor, user_private_key=user_private_key, case=request.case, grantee=request.requester
        )
        request.refresh_from_db()
    else:
        request.status, request.decided_by, request.decided_at = AccessRequestStatus.REFUSED, actor, _now()
        request.save(update_fields=["status", "decided_by", "decided_at"])
        record_event(
            action="cases.access_refused",
            actor_id=actor.pk,
            target_type="case",
            target_id=request.case_id,
            data={"request": str(request.pk), "user": str(request.requester_id)},
        )
    return request
