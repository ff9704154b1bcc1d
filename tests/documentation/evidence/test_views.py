"""Evidence pages: each works for a documenter holding the collection, is a 404 for another documenter,
a 403 for every other role, a 405 for GET on a write; views and downloads are in the custody log and
the audit log; bad input is a clear 400 (413 for a file over the limit) and nothing is kept."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import ExifTags, Image

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.documentation.evidence.models import CustodyEntry, EvidenceItem, ItemKind
from corridor.documentation.models import Event
from corridor.hotline import receipts
from tests.documentation.evidence.helpers import PDF, bomb, cut_png, statement, upload
from tests.hotline.helpers import jpeg_with_gps

pytestmark = pytest.mark.django_db
SignedIn = Callable[[User], Client]


def upload_form(**changes: Any) -> dict[str, Any]:
    return {
        "attach_to": "event",
        "file": SimpleUploadedFile("IMG_0042.jpg", jpeg_with_gps(), content_type="image/jpeg"),
        "note": "The cell",
        "submission": receipts.new_token(),
        **changes,
    }


def event_url(recorded: Event) -> str:
    return reverse("documentation:event", kwargs={"event_id": recorded.pk})


def test_a_documenter_uploads_views_downloads_and_copies(
    dora: User, recorded: Event, signed_in: SignedIn
) -> None:
    client = signed_in(dora)
    said = statement(dora, recorded)
    page = client.get(event_url(recorded)).content.decode()
    assert 'id="evidence"' in page
    assert "No evidence yet." in page

    response = client.post(reverse("evidence:upload", kwargs={"event_id": recorded.pk}), upload_form())
    item = EvidenceItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("evidence:item", kwargs={"item_id": item.pk})
    client.post(
        reverse("evidence:upload", kwargs={"event_id": recorded.pk}),
        upload_form(attach_to=str(said.pk), file=SimpleUploadedFile("scan.pdf", PDF)),
    )
    document = EvidenceItem.objects.exclude(pk=item.pk).get()
    assert document.information_id == said.pk

    page = client.get(event_url(recorded)).content.decode()
    assert item.code in page
    assert "IMG_0042.jpg" in page
    assert f"what {said.source.code} says" in page

    shown = client.get(reverse("evidence:view", kwargs={"item_id": item.pk}))
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/jpeg"
    assert "sandbox" in shown["Content-Security-Policy"]
    assert not Image.open(io.BytesIO(shown.content)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    downloaded = client.post(reverse("evidence:download", kwargs={"item_id": item.pk}))
    assert downloaded.status_code == 200
    assert downloaded.content == jpeg_with_gps()
    assert downloaded["Content-Type"] == "application/octet-stream"
    assert downloaded["Content-Disposition"] == f'attachment; filename="{item.code}.jpg"'

    copied = client.post(reverse("evidence:strip", kwargs={"item_id": item.pk}))
    copy = EvidenceItem.objects.get(kind=ItemKind.STRIPPED)
    assert copied["Location"] == reverse("evidence:item", kwargs={"item_id": copy.pk})
    assert (
        client.post(reverse("evidence:strip", kwargs={"item_id": item.pk}))["Location"] == copied["Location"]
    )
    assert EvidenceItem.objects.filter(kind=ItemKind.STRIPPED).count() == 1

    actions = list(CustodyEntry.objects.filter(item=item).order_by("seq").values_list("action", flat=True))
    assert actions == ["received", "viewed", "exported", "derivative_made"]
    item_page = client.get(reverse("evidence:item", kwargs={"item_id": item.pk})).content.decode()
    for text in ("Custody log", "Viewed", "Exported", "Derivative made", copy.code, "dora"):
        assert text in item_page
    for action in ("evidence.received", "evidence.viewed", "evidence.exported", "evidence.derivative_made"):
        assert AuditEvent.objects.filter(action=action, actor_id=dora.pk).exists(), action
    assert AuditEvent.objects.filter(
        action="documentation.collection_decrypted", data__purpose="evidence_item"
    ).exists()


def test_the_same_form_sent_twice_keeps_one_file(dora: User, recorded: Event, signed_in: SignedIn) -> None:
    client = signed_in(dora)
    token = receipts.new_token()
    url = reverse("evidence:upload", kwargs={"event_id": recorded.pk})
    first = client.post(url, upload_form(submission=token))
    second = client.post(url, upload_form(submission=token))
    assert first["Location"] == second["Location"]
    assert EvidenceItem.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"file": ""}, "Choose a file."),
        ({"file": SimpleUploadedFile("empty.jpg", b"")}, "Choose a file."),
        ({"attach_to": "00000000-0000-0000-0000-000000000000"}, "Select a valid choice"),
        ({"note": "bad \x00 note"}, "Null characters are not allowed."),
        ({"note": "x" * 2001}, "at most 2000 characters"),
        ({"note": "bell \x07 in the note"}, "The text contains characters that cannot be accepted."),
        ({"file": SimpleUploadedFile("bomb.png", bomb())}, "This picture is too large."),
        ({"file": SimpleUploadedFile("cut.png", cut_png())}, "could not be read as a photo"),
    ],
)
def test_a_bad_upload_is_a_400_and_keeps_nothing(
    dora: User, recorded: Event, signed_in: SignedIn, changes: dict[str, Any], message: str
) -> None:
    response = signed_in(dora).post(
        reverse("evidence:upload", kwargs={"event_id": recorded.pk}), upload_form(**changes)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert EvidenceItem.objects.count() == 0
    assert CustodyEntry.objects.count() == 0


def test_a_file_over_the_limit_is_a_413_and_keeps_nothing(
    dora: User, recorded: Event, signed_in: SignedIn, settings: Any
) -> None:
    settings.CORRIDOR_UPLOAD_MAX_FILE_BYTES = 2 * 1024 * 1024
    big = SimpleUploadedFile("big.bin", b"\x01" * (3 * 1024 * 1024))
    response = signed_in(dora).post(
        reverse("evidence:upload", kwargs={"event_id": recorded.pk}), upload_form(file=big)
    )
    assert response.status_code == 413
    assert "The file is too large: at most 2 MB." in response.content.decode()
    assert EvidenceItem.objects.count() == 0


def test_a_hostile_file_name_is_kept_as_text_only(dora: User, recorded: Event, signed_in: SignedIn) -> None:
    client = signed_in(dora)
    name = "../../<img src=x onerror=alert(1)>.jpg"
    client.post(
        reverse("evidence:upload", kwargs={"event_id": recorded.pk}),
        upload_form(file=SimpleUploadedFile(name, jpeg_with_gps())),
    )
    item = EvidenceItem.objects.get()
    assert item.blob.startswith("evidence/")
    page = client.get(reverse("evidence:item", kwargs={"item_id": item.pk})).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.jpg" in page
    assert "../" not in page
    downloaded = client.post(reverse("evidence:download", kwargs={"item_id": item.pk}))
    assert downloaded["Content-Disposition"] == f'attachment; filename="{item.code}.jpg"'


def test_a_document_has_no_view_and_no_copy(dora: User, recorded: Event, signed_in: SignedIn) -> None:
    item = upload(dora, recorded, PDF, name="complaint.pdf")
    client = signed_in(dora)
    page = client.get(reverse("evidence:item", kwargs={"item_id": item.pk})).content.decode()
    assert reverse("evidence:view", kwargs={"item_id": item.pk}) not in page
    assert reverse("evidence:strip", kwargs={"item_id": item.pk}) not in page
    assert client.get(reverse("evidence:view", kwargs={"item_id": item.pk})).status_code == 400
    response = client.post(reverse("evidence:strip", kwargs={"item_id": item.pk}))
    assert response.status_code == 400
    assert "Only photos have a copy without metadata." in response.content.decode()
    assert CustodyEntry.objects.filter(item=item).count() == 1


def test_a_damaged_file_is_a_409_and_not_shown(dora: User, recorded: Event, signed_in: SignedIn) -> None:
    from tests.documentation.evidence.helpers import flip_byte

    item = upload(dora, recorded)
    flip_byte(item, 50)
    response = signed_in(dora).post(reverse("evidence:download", kwargs={"item_id": item.pk}))
    assert response.status_code == 409
    assert "no longer matches the hash taken when it was received" in response.content.decode()
    assert CustodyEntry.objects.filter(item=item).count() == 1


def _urls(recorded: Event, item: EvidenceItem) -> list[tuple[str, str]]:
    return [
        ("get", reverse("evidence:item", kwargs={"item_id": item.pk})),
        ("get", reverse("evidence:view", kwargs={"item_id": item.pk})),
        ("get", reverse("evidence:hotline", kwargs={"event_id": recorded.pk})),
        ("post", reverse("evidence:upload", kwargs={"event_id": recorded.pk})),
        ("post", reverse("evidence:hotline_promote", kwargs={"event_id": recorded.pk})),
        ("post", reverse("evidence:download", kwargs={"item_id": item.pk})),
        ("post", reverse("evidence:strip", kwargs={"item_id": item.pk})),
        ("post", reverse("evidence:redacted", kwargs={"item_id": item.pk})),
    ]


def test_another_documenter_finds_nothing(
    dora: User, dan: User, recorded: Event, signed_in: SignedIn
) -> None:
    item = upload(dora, recorded)
    client = signed_in(dan)
    for method, url in _urls(recorded, item):
        assert getattr(client, method)(url).status_code == 404, url
    assert CustodyEntry.objects.filter(item=item).count() == 1


@pytest.mark.parametrize("persona", ["alice", "carol", "dave", "judy", "olga"])
def test_other_roles_are_refused_everywhere(
    persona: str, dora: User, recorded: Event, signed_in: SignedIn, request: pytest.FixtureRequest
) -> None:
    item = upload(dora, recorded)
    client = signed_in(request.getfixturevalue(persona))
    for method, url in _urls(recorded, item):
        assert getattr(client, method)(url).status_code == 403, url
    assert CustodyEntry.objects.filter(item=item).count() == 1


def test_anonymous_is_sent_to_sign_in(dora: User, recorded: Event, client: Client) -> None:
    item = upload(dora, recorded)
    for method, url in _urls(recorded, item):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))


def test_get_on_a_write_is_a_405(dora: User, recorded: Event, signed_in: SignedIn) -> None:
    item = upload(dora, recorded)
    client = signed_in(dora)
    for method, url in _urls(recorded, item):
        if method == "post":
            assert client.get(url).status_code == 405, url
    assert CustodyEntry.objects.filter(item=item).count() == 1


def test_the_pages_speak_russian(dora: User, recorded: Event, signed_in: SignedIn) -> None:
    from django.conf import settings as django_settings

    item = upload(dora, recorded)
    client = signed_in(dora)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get(event_url(recorded)).content.decode()
    assert "Доказательства" in page
    item_page = client.get(reverse("evidence:item", kwargs={"item_id": item.pk})).content.decode()
    assert "Журнал хранения" in item_page
    assert "Получен" in item_page


def test_a_body_cut_short_is_a_400_and_keeps_nothing(
    dora: User, recorded: Event, signed_in: SignedIn
) -> None:
    boundary = "----evidencetest"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="attach_to"\r\n\r\nevent\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode() + PDF[:20]
    response = signed_in(dora).generic(
        "POST",
        reverse("evidence:upload", kwargs={"event_id": recorded.pk}),
        body,
        CONTENT_TYPE=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400
    assert "The form arrived incomplete. Send it again, please." in response.content.decode()
    assert EvidenceItem.objects.count() == 0
