"""A collection that holds evidence is re-keyed like the rest of it: every item's sealed record is sealed
again under the new key (the files stay as stored, under their own file keys), a copy of the old key
opens no record, the custody chains still verify, and a hotline file taken in before is not taken in twice."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from corridor.accounts.models import User
from corridor.cases import keys as data_keys
from corridor.crypto.errors import CryptoError
from corridor.documentation import revocation, services
from corridor.documentation.evidence import sealing
from corridor.documentation.evidence import services as evidence
from corridor.documentation.evidence.models import EvidenceItem
from corridor.documentation.keys import open_collection_key
from corridor.documentation.models import Collection, Event
from corridor.hotline.models import Attachment
from tests.documentation.evidence.helpers import upload
from tests.documentation.helpers import collection, event
from tests.hotline.helpers import jpeg_with_gps, open_web_thread, prepared_photo, private_key

pytestmark = pytest.mark.django_db


def test_a_re_key_reaches_the_evidence(hanna: User, dan: User) -> None:
    made = collection(hanna)
    services.grant_collection(actor=hanna, user_private_key=private_key(hanna), collection=made, grantee=dan)
    recorded = event(hanna, made)
    uploaded = upload(hanna, recorded)
    open_web_thread("Photos", files=prepared_photo("IMG_0007.jpg"))
    attachment = Attachment.objects.select_related("thread").get()
    taken = evidence.promote_attachment(
        actor=hanna,
        user_private_key=private_key(hanna),
        event=recorded,
        information=None,
        thread=attachment.thread,
        attachment_id=attachment.pk,
    ).item
    old_key = open_collection_key(
        user=hanna, user_private_key=private_key(hanna), collection=made, purpose="t"
    )
    stored = {item.pk: item.blob_sha256 for item in EvidenceItem.objects.all()}

    revocation.revoke_collection(
        actor=hanna, user_private_key=private_key(hanna), collection=made, user=dan, rekey=True
    )

    made = Collection.objects.select_related("key").get(pk=made.pk)
    assert made.key.version == 2
    assert data_keys.user_wrap(made.key, dan) is None
    for item in EvidenceItem.objects.all():
        assert item.blob_sha256 == stored[item.pk]  # the files were not touched
        with pytest.raises(CryptoError):
            sealing.open_meta(old_key, item)
    exported = evidence.export_file(actor=hanna, user_private_key=private_key(hanna), item=uploaded)
    assert exported.data == jpeg_with_gps()
    again = evidence.promote_attachment(
        actor=hanna,
        user_private_key=private_key(hanna),
        event=Event.objects.select_related("collection__key").get(pk=recorded.pk),
        information=None,
        thread=attachment.thread,
        attachment_id=attachment.pk,
    )
    assert not again.created
    assert again.item.pk == taken.pk
    out = io.StringIO()
    call_command("evidence", "verify", stdout=out)
    assert "evidence intact: 2 item(s)" in out.getvalue()
