"""Exports carry only what consent covers on the day: the scope, the partner or mechanism it names,
both the person's consent and the statement's; a withdrawal excludes from every later export."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import time_machine

from corridor.accounts.integrity import IntegrityFailure
from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.documentation import persons
from corridor.documentation.consent.models import Consent
from corridor.documentation.models import PersonMatch
from corridor.documentation.services import DocumentationRefused
from corridor.evacuation.relocation.models import Partner
from corridor.evacuation.relocation.partners import deactivate_partner
from tests.documentation.consent.conftest import World
from tests.documentation.consent.helpers import both, consent, export, statements, withdraw
from tests.documentation.helpers import collection, event
from tests.hotline.helpers import private_key

pytestmark = pytest.mark.django_db

ZELIM = "Zelimkhan was beaten with a hose; Adam saw it."
ADAM = "I saw them take Zelim Bakaev into the yard."
ADAM_MASKED = "I saw them take […] into the yard."  # Zelim's name, where he gave no consent
NEWS = "Twenty men were held in Argun."


def test_consent_withdrawal_excludes_a_statement_from_a_later_export(dora: User, world: World) -> None:
    with time_machine.travel(datetime(2018, 1, 10, 12, tzinfo=UTC), tick=False):
        both(dora, world.zelim, world.zelim_says, "mechanism", mechanism="un")
        both(dora, world.adam, world.adam_says, "mechanism", mechanism="un")
        before = export(dora, [world.event], "mechanism", mechanism="un")
    assert statements(before) == [ZELIM, ADAM]
    assert before.left_out == 1  # the news report: nobody recorded a consent to it

    given = Consent.objects.get(person=world.zelim)
    with time_machine.travel(datetime(2018, 3, 2, 9, tzinfo=UTC), tick=False):
        withdraw(dora, given, on=date(2018, 3, 1), note="He called the hotline: he fears for his mother.")
        after = export(dora, [world.event], "mechanism", mechanism="un")
    # Adam's statement stays; the name of Zelim, who withdrew, is masked in it.
    assert statements(after) == [ADAM_MASKED]
    assert after.left_out == 2
    assert after.document["coverage"]["statements_left_out"] == 2
    assert after.document["events"][0]["statements_left_out"] == 2
    # The file says how many were left out, never whose.
    text = json.dumps(after.document, ensure_ascii=False)
    assert "Zelim Bakaev" not in text
    assert world.zelim.code not in text
    # The consent and its withdrawal both stay on record.
    assert Consent.objects.filter(person=world.zelim).count() == 1
    assert given.withdrawal.withdrawn_on == date(2018, 3, 1)
    audited = AuditEvent.objects.filter(action="consent.exported").order_by("seq").last()
    assert audited is not None
    assert audited.data["statements_included"] == 1
    assert audited.data["statements_left_out"] == 2
    assert audited.data["withdrawn_left_out"] == 1
    assert audited.data["statements"] == [str(world.adam_says.pk)]


def test_a_statement_needs_its_own_consent_and_its_persons(dora: User, world: World) -> None:
    consent(dora, world.zelim, "internal")  # the person, not the statement
    consent(dora, world.adam_says, "internal")  # the statement, not the person
    consent(dora, world.news_says, "internal")  # a publication: no person to ask
    assert statements(export(dora, [world.event], "internal")) == [NEWS]


@pytest.mark.parametrize(
    ("given", "asked", "included"),
    [
        ({"scope": "internal"}, {"scope": "internal"}, True),
        ({"scope": "internal"}, {"scope": "media"}, False),
        ({"scope": "media"}, {"scope": "publication"}, False),
        ({"scope": "publication"}, {"scope": "statistics"}, False),
        ({"scope": "mechanism", "mechanism": "un"}, {"scope": "mechanism", "mechanism": "un"}, True),
        ({"scope": "mechanism", "mechanism": "un"}, {"scope": "mechanism", "mechanism": "echr"}, False),
        ({"scope": "mechanism", "mechanism": "echr"}, {"scope": "internal"}, False),
    ],
)
def test_a_consent_covers_its_own_scope_only(
    dora: User, world: World, given: dict[str, str], asked: dict[str, str], included: bool
) -> None:
    both(dora, world.adam, world.adam_says, **given)  # type: ignore[arg-type]
    made = export(dora, [world.event], **asked)  # type: ignore[arg-type]
    assert statements(made) == ([ADAM_MASKED] if included else [])
    assert made.left_out == (2 if included else 3)


def test_a_consent_to_one_partner_covers_no_other(
    dora: User, world: World, partners: tuple[Partner, Partner]
) -> None:
    haven, shelter = partners
    both(dora, world.adam, world.adam_says, "partner", partner=haven)
    assert statements(export(dora, [world.event], "partner", partner=haven)) == [ADAM_MASKED]
    assert statements(export(dora, [world.event], "partner", partner=shelter)) == []


def test_named_scopes_carry_names_only_of_consenting_persons(dora: User, world: World) -> None:
    both(dora, world.adam, world.adam_says, "mechanism", mechanism="investigative_committee")
    made = export(dora, [world.event], "mechanism", mechanism="investigative_committee")
    exported = made.document["events"][0]
    assert exported["ref"] == world.event.code
    assert exported["title"] == "Detentions at the Argun commandant's office"
    [said] = exported["statements"]
    assert said["source"]["person"] == {"code": world.adam.code, "name": "Adam Umarov"}
    assert said["source"]["description"] == "Adam, a neighbour"
    assert said["consent"] == [
        {"of": "statement", "given_on": "2017-05-14", "method": "written", "method_label": "In writing"},
        {"of": "person", "given_on": "2017-05-14", "method": "written", "method_label": "In writing"},
    ]
    # Zelim, the victim, gave no consent to this mechanism: the act is there, his name is not.
    [act] = exported["acts"]
    assert act["victim"] is None
    assert act["victim_withheld"] is True
    assert "Zelim" not in json.dumps(made.document["events"][0]["acts"], ensure_ascii=False)

    consent(dora, world.zelim, "mechanism", mechanism="investigative_committee")
    again = export(dora, [world.event], "mechanism", mechanism="investigative_committee")
    assert again.document["events"][0]["acts"][0]["victim"] == "Zelim Bakaev"


def test_anonymised_statistics_carry_no_name_no_code_and_no_text(dora: User, world: World) -> None:
    for person, said in ((world.zelim, world.zelim_says), (world.adam, world.adam_says)):
        both(dora, person, said, "statistics")
    made = export(dora, [world.event], "statistics")
    text = json.dumps(made.document, ensure_ascii=False)
    for identifying in (
        "Zelim",
        "Adam",
        "Argun commandant's office",  # the event's title, written by a documenter
        "former commandant's office",  # its description
        "beaten with a hose",
        world.event.code,
        world.zelim.code,
        world.adam.code,
        "+7 928",
    ):
        assert identifying not in text, identifying
    exported = made.document["events"][0]
    assert exported["ref"] == "1"
    assert [s["reliability"] for s in exported["statements"]] == ["B", "B"]
    assert all(
        "statement" not in s and "source" not in s and "consent" not in s for s in exported["statements"]
    )
    assert exported["acts"][0]["act_type"] == "030102000000"
    assert made.document["purpose"]["anonymised"] is True


def test_anonymised_publication_keeps_statements_with_names_masked(dora: User, world: World) -> None:
    for person, said in ((world.zelim, world.zelim_says), (world.adam, world.adam_says)):
        both(dora, person, said, "publication")
    made = export(dora, [world.event], "publication")
    assert statements(made) == [
        "[…] was beaten with a hose; […] saw it.",
        "I saw them take […] into the yard.",
    ]
    assert "source" not in made.document["events"][0]["statements"][0]


def test_an_altered_consent_stops_the_export(dora: User, world: World) -> None:
    both(dora, world.adam, world.adam_says, "internal")
    # A database write turns a consent for internal use into one for the media.
    Consent.objects.filter(information=world.adam_says).update(scope="media")
    Consent.objects.filter(person=world.adam).update(scope="media")
    with pytest.raises(IntegrityFailure):
        export(dora, [world.event], "media")
    assert not AuditEvent.objects.filter(action="consent.exported").exists()


def test_the_audit_names_scope_and_counts_never_content(dora: User, world: World) -> None:
    both(dora, world.adam, world.adam_says, "media")
    export(dora, [world.event], "media")
    audited = AuditEvent.objects.get(action="consent.exported")
    assert audited.actor_id == dora.pk
    assert audited.data["scope"] == "media"
    assert audited.data["events"] == [str(world.event.pk)]
    assert audited.data["statements_included"] == 1
    assert "Adam" not in json.dumps(audited.data)
    assert AuditEvent.objects.filter(
        action="documentation.collection_decrypted", data__purpose="export"
    ).exists()


def test_only_a_named_mechanism_or_partner_and_only_documenters(
    dora: User, alice: User, world: World, partners: tuple[Partner, Partner]
) -> None:
    for scope, partner, mechanism in (
        ("mechanism", "", "other"),
        ("mechanism", "", ""),
        ("partner", "", ""),
        ("internal", str(partners[0].pk), ""),
        ("internal", "", "un"),
        ("everything", "", ""),
    ):
        with pytest.raises(DocumentationRefused):
            __import__("corridor.documentation.consent.exports", fromlist=["x"]).check_purpose(
                scope=scope, partner=partner, mechanism=mechanism
            )
    with pytest.raises(DocumentationRefused):
        export(alice, [world.event], "internal")
    with pytest.raises(DocumentationRefused):
        export(dora, [], "internal")


def test_a_withdrawal_on_another_record_of_the_same_person_counts(dora: User, world: World) -> None:
    # Adam recorded a second time from another testimony, confirmed to be the same man.
    again = persons.add_person(
        actor=dora,
        user_private_key=private_key(dora),
        collection=world.collection,
        identity=persons.Identity(name="Umarov Adam"),
    )
    match = PersonMatch.objects.get()
    persons.decide_match(actor=dora, match=match, same=True)
    both(dora, world.adam, world.adam_says, "media")
    assert statements(export(dora, [world.event], "media")) == [ADAM_MASKED]

    withdraw(dora, consent(dora, again, "media"), on=date(2018, 1, 5))
    assert statements(export(dora, [world.event], "media")) == []
    # Another purpose is not touched; a new consent on that record lets the statement go again.
    both(dora, world.adam, world.adam_says, "internal")
    assert statements(export(dora, [world.event], "internal")) == [ADAM_MASKED]
    consent(dora, again, "media", given_on=date(2018, 2, 1))
    assert statements(export(dora, [world.event], "media")) == [ADAM_MASKED]
    # Records proposed as a match but rejected are different people.
    withdraw(
        dora, Consent.objects.get(person=again, scope="media", withdrawal__isnull=True), on=date(2018, 3, 1)
    )
    persons.decide_match(actor=dora, match=match, same=False)
    assert statements(export(dora, [world.event], "media")) == [ADAM_MASKED]


def test_one_export_of_events_from_two_collections(dora: User, world: World) -> None:
    other = collection(dora, "Ingushetia 2018")
    nazran = event(dora, other, title="Nazran checkpoint", date="2018-02")
    both(dora, world.adam, world.adam_says, "internal")
    made = export(dora, [nazran, world.event], "internal")
    assert [e["ref"] for e in made.document["events"]] == [world.event.code, nazran.code]
    assert made.document["events"][1]["title"] == "Nazran checkpoint"
    assert made.included == 1
    opened = AuditEvent.objects.filter(action="documentation.collection_decrypted", data__purpose="export")
    assert {e.target_id for e in opened} == {str(world.collection.pk), str(other.pk)}


def test_nothing_goes_to_a_partner_no_longer_active(
    dora: User, carol: User, world: World, partners: tuple[Partner, Partner]
) -> None:
    haven, _shelter = partners
    both(dora, world.adam, world.adam_says, "partner", partner=haven)
    deactivate_partner(actor=carol, partner=haven)
    with pytest.raises(DocumentationRefused):
        export(dora, [world.event], "partner", partner=haven)
