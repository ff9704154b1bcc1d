"""Interventions: complaints and submissions, their responses and follow-ups."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.documentation import interventions, reading, services
from corridor.documentation.models import Intervention
from corridor.hotline import receipts
from tests.documentation.helpers import collection, event
from tests.hotline.helpers import private_key

pytestmark = pytest.mark.django_db
SignedIn = Callable[[User], Client]


def complaint(user: User, on: object, **changes: str) -> Intervention:
    fields = {"intervention_type": "020100000000", "body": "investigative_committee", "date": "2017-05-02"}
    fields.update(changes)
    return interventions.add_intervention(
        actor=user,
        user_private_key=private_key(user),
        event=on,  # type: ignore[arg-type]
        data=interventions.InterventionInput(**fields),
    )


def test_a_complaint_refused_then_appealed(dora: User) -> None:
    detention = event(dora, collection(dora))
    first = complaint(dora, detention, reference="No. 123/17", notes="Filed by the lawyer in Pyatigorsk")
    interventions.record_response(actor=dora, intervention=first, response="X01", date="2017-06~")
    appeal = complaint(
        dora, detention, intervention_type="020200000000", body="court", date="2017-07", follows=first.code
    )
    to_echr = complaint(
        dora, detention, intervention_type="X02", body="echr", date="2019-21", response="030100000000"
    )
    view = reading.event_for_documenter(user=dora, user_private_key=private_key(dora), event=detention)
    by_code = {i.intervention.code: i for i in view.interventions}
    assert by_code[first.code].response_label == "Refused to open a criminal case"
    assert by_code[first.code].reference == "No. 123/17"
    assert by_code[first.code].notes == "Filed by the lawyer in Pyatigorsk"
    assert by_code[appeal.code].intervention.follows == first
    assert by_code[to_echr.code].response_label == "Denied the event"
    assert AuditEvent.objects.filter(action="documentation.response_recorded").count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"intervention_type": "1"}, "Choose"),
        ({"body": "kgb"}, "Choose"),
        ({"date": ""}, "Give a date"),
        ({"date": "May"}, "not a date"),
        ({"response": "9"}, "Choose"),
        ({"response_date": "2017-02-30"}, "not a date"),
        ({"reference": "a\x00"}, "cannot be accepted"),
        ({"follows": "I-NOPE00"}, "no intervention"),
    ],
)
def test_bad_interventions_are_refused(dora: User, changes: dict[str, str], message: str) -> None:
    detention = event(dora, collection(dora))
    with pytest.raises(services.DocumentationRefused, match=message):
        complaint(dora, detention, **changes)
    assert not Intervention.objects.exists()


def test_the_intervention_pages(dora: User, dan: User, alice: User, signed_in: SignedIn) -> None:
    detention = event(dora, collection(dora))
    client = signed_in(dora)
    url = reverse("documentation:intervention_add", kwargs={"event_id": detention.pk})
    form = {
        "intervention_type": "020100000000",
        "body": "prosecutor",
        "date": "2017-05",
        "reference": "Ref 7",
        "follows": "",
        "response": "",
        "response_date": "",
        "notes": "",
        "submission": receipts.new_token(),
    }
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302
    made = Intervention.objects.get()
    assert client.post(url, {**form, "date": "soon", "submission": ""}).status_code == 400
    assert client.post(url, {**form, "body": "", "submission": ""}).status_code == 400
    assert Intervention.objects.count() == 1
    page = client.get(reverse("documentation:event", kwargs={"event_id": detention.pk})).content.decode()
    assert "Ref 7" in page
    assert "No response yet" in page

    respond = reverse("documentation:response_record", kwargs={"event_id": detention.pk})
    assert client.post(respond, {"intervention": str(made.pk), "response": "050000000000"}).status_code == 302
    made.refresh_from_db()
    assert made.response == "050000000000"
    assert client.post(respond, {"intervention": str(made.pk), "response": "nope"}).status_code == 400
    other = event(dora, collection(dora, "Other"))
    elsewhere = complaint(dora, other)
    assert (
        client.post(respond, {"intervention": str(elsewhere.pk), "response": "060000000000"}).status_code
        == 400
    )
    elsewhere.refresh_from_db()
    assert elsewhere.response == ""
    for write in (url, respond):
        assert client.get(write).status_code == 405
        assert signed_in(dan).post(write, form).status_code == 404
        assert signed_in(alice).post(write, form).status_code == 403
