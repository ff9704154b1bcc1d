"""A hotline file becomes evidence without being uploaded again, with the SHA-256 it had at first contact:
only for a documenter who holds the thread's key and the evidence key; audited; once per collection."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import Role, User
from corridor.audit.models import AuditEvent
from corridor.documentation.evidence import services
from corridor.documentation.evidence.models import CustodyEntry, EvidenceItem, Origin
from corridor.documentation.models import Event
from corridor.hotline import receipts
from corridor.hotline.models import Attachment
from tests.conftest import make_user
from tests.documentation.helpers import collection, event
from tests.hotline.helpers import jpeg_with_gps, open_web_thread, prepared_photo, private_key

pytestmark = pytest.mark.django_db
SignedIn = Callable[[User], Client]


@pytest.fixture
def hotline_event(hanna: User) -> Event:
    return event(hanna, collection(hanna))


@pytest.fixture
def attachment() -> Attachment:
    open_web_thread("Photos of what they did", files=prepared_photo("IMG_0007.jpg"))
    return Attachment.objects.select_related("thread").get()


def promote(user: User, on: Event, attachment: Attachment) -> services.Promoted:
    return services.promote_attachment(
        actor=user,
        user_private_key=private_key(user),
        event=on,
        information=None,
        thread=attachment.thread,
        attachment_id=attachment.pk,
    )


def test_a_hotline_photo_keeps_its_first_contact_hash(
    hanna: User, hotline_event: Event, attachment: Attachment
) -> None:
    promoted = promote(hanna, hotline_event, attachment)

    item = promoted.item
    assert promoted.created
    assert item.origin == Origin.HOTLINE
    exported = services.export_file(actor=hanna, user_private_key=private_key(hanna), item=item)
    assert exported.data == jpeg_with_gps()  # the original, GPS and all
    assert exported.sha256 == hashlib.sha256(jpeg_with_gps()).hexdigest()
    assert exported.name == "IMG_0007.jpg"
    # Encrypted again under a key of its own: not the hotline's ciphertext, not the evidence key's file key.
    with default_storage.open(attachment.original_blob, "rb") as handle:
        assert handle.read() != default_storage.open(item.blob, "rb").read()
    page = services.hotline_files(actor=hanna, user_private_key=private_key(hanna), thread=attachment.thread)
    assert [f.sha256 for f in page] == [exported.sha256]
    assert AuditEvent.objects.filter(action="hotline.original_opened", actor_id=hanna.pk).exists()
    assert AuditEvent.objects.filter(action="hotline.thread_decrypted", data__purpose="evidence").exists()
    promoted_event = AuditEvent.objects.get(action="evidence.promoted")
    assert promoted_event.data == {"origin": "hotline"}
    assert promoted_event.target_id == str(item.pk)
    assert CustodyEntry.objects.get(item=item, seq=1).detail == {"origin": "hotline"}


def test_a_file_is_taken_in_once_per_collection(
    hanna: User, hotline_event: Event, attachment: Attachment
) -> None:
    first = promote(hanna, hotline_event, attachment)
    again = promote(hanna, event(hanna, hotline_event.collection, title="Another"), attachment)
    assert not again.created
    assert again.item.pk == first.item.pk
    elsewhere = promote(hanna, event(hanna, collection(hanna, "Other")), attachment)
    assert elsewhere.created
    assert EvidenceItem.objects.count() == 2
    # Where an item came from is not in the clear: only a keyed tag, different per collection.
    tags = set(EvidenceItem.objects.values_list("source_tag", flat=True))
    assert len(tags) == 2
    assert str(attachment.pk) not in "".join(tags)


def test_a_documenter_without_the_threads_key_cannot(dora: User, attachment: Attachment) -> None:
    with pytest.raises(services.EvidenceRefused, match="whose key you hold"):
        promote(dora, event(dora, collection(dora)), attachment)
    assert EvidenceItem.objects.count() == 0
    assert not AuditEvent.objects.filter(action="hotline.thread_decrypted").exists()


def test_a_documenter_without_the_evidence_key_cannot(
    org: dict[str, object], settings: Any, attachment: Attachment
) -> None:
    settings.CORRIDOR_EVIDENCE_ROLES = ["coordinator"]
    ivan = make_user(org, "ivan", {Role.DOCUMENTER, Role.OPERATOR})
    with pytest.raises(services.EvidenceRefused, match="evidence key"):
        promote(ivan, event(ivan, collection(ivan)), attachment)
    assert EvidenceItem.objects.count() == 0
    assert not AuditEvent.objects.filter(action="hotline.original_opened").exists()


def test_an_original_changed_since_first_contact_is_refused(
    hanna: User, hotline_event: Event, attachment: Attachment
) -> None:
    # Another file's original put in place of this one's: it opens with no key, so it cannot pass.
    open_web_thread("Second", files=prepared_photo("other.jpg"))
    other = Attachment.objects.exclude(pk=attachment.pk).get()
    with default_storage.open(other.original_blob, "rb") as handle:
        swapped = handle.read()
    with default_storage.open(attachment.original_blob, "wb") as handle:
        handle.write(swapped)
    with pytest.raises(services.EvidenceDamaged):
        promote(hanna, hotline_event, attachment)
    assert EvidenceItem.objects.count() == 0


def test_an_attachment_of_another_thread_is_refused(
    hanna: User, hotline_event: Event, attachment: Attachment
) -> None:
    other = open_web_thread("Another person").thread
    with pytest.raises(services.EvidenceRefused, match="Choose a file of this thread"):
        services.promote_attachment(
            actor=hanna,
            user_private_key=private_key(hanna),
            event=hotline_event,
            information=None,
            thread=other,
            attachment_id=attachment.pk,
        )
    assert EvidenceItem.objects.count() == 0


def test_the_pages_list_the_threads_files_and_take_one(
    hanna: User, hotline_event: Event, attachment: Attachment, signed_in: SignedIn
) -> None:
    client = signed_in(hanna)
    url = reverse("evidence:hotline", kwargs={"event_id": hotline_event.pk})
    assert client.get(url).status_code == 200
    page = client.get(url, {"thread": attachment.thread.code.lower()})
    assert page.status_code == 200
    assert "IMG_0007.jpg" in page.content.decode()
    form = {
        "thread": attachment.thread.code,
        "attachment": str(attachment.pk),
        "attach_to": "event",
        "note": "",
        "submission": receipts.new_token(),
    }
    taken = client.post(reverse("evidence:hotline_promote", kwargs={"event_id": hotline_event.pk}), form)
    item = EvidenceItem.objects.get()
    assert taken["Location"] == reverse("evidence:item", kwargs={"item_id": item.pk})
    item_page = client.get(taken["Location"]).content.decode()
    assert attachment.thread.code in item_page
    assert hashlib.sha256(jpeg_with_gps()).hexdigest() in item_page
    again = client.post(
        reverse("evidence:hotline_promote", kwargs={"event_id": hotline_event.pk}),
        {**form, "submission": receipts.new_token()},
    )
    assert again["Location"] == taken["Location"]
    assert EvidenceItem.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"thread": "H-NOSUCH"},
        {"attachment": "not-a-uuid"},
        {"attachment": "00000000-0000-0000-0000-000000000000"},
        {"attach_to": "somewhere"},
        {"note": "a\x00b"},
    ],
)
def test_bad_promotion_forms_are_a_400(
    hanna: User, hotline_event: Event, attachment: Attachment, signed_in: SignedIn, changes: dict[str, str]
) -> None:
    form = {
        "thread": attachment.thread.code,
        "attachment": str(attachment.pk),
        "attach_to": "event",
        "note": "",
        "submission": receipts.new_token(),
        **changes,
    }
    response = signed_in(hanna).post(
        reverse("evidence:hotline_promote", kwargs={"event_id": hotline_event.pk}), form
    )
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert EvidenceItem.objects.count() == 0


def test_an_unknown_thread_code_and_a_thread_not_held_look_the_same(
    dora: User, attachment: Attachment, signed_in: SignedIn
) -> None:
    on = event(dora, collection(dora))
    client = signed_in(dora)
    url = reverse("evidence:hotline", kwargs={"event_id": on.pk})
    unknown = client.get(url, {"thread": "H-NOSUCH"})
    not_held = client.get(url, {"thread": attachment.thread.code})
    assert unknown.status_code == not_held.status_code == 400
    message = "There is no hotline thread with this code whose key you hold."
    assert message in unknown.content.decode()
    assert message in not_held.content.decode()
    assert "IMG_0007.jpg" not in not_held.content.decode()
