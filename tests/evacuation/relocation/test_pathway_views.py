"""Pathways, milestones, outcomes and consents through the case page's forms: works / another case
→ 404 / wrong role → 403 / GET on a write → 405 / audited / bad input → 400 with nothing stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import time_machine
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import grants, sealing
from corridor.cases import services as case_services
from corridor.cases.models import Case
from corridor.evacuation.relocation import services
from corridor.evacuation.relocation.models import Consent, Milestone, Partner, Pathway
from tests.hotline.helpers import private_key

SignedIn = Callable[[User], Client]


def _pathway(alice: User, case: Case, partner: Partner | None = None) -> Pathway:
    return services.add_pathway(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        kind="humanitarian_visa",
        destination="DE",
        partner=partner,
        note="Embassy appointment pending",
    )


def _consent(alice: User, case: Case, partner: Partner) -> Consent:
    return services.record_consent(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        partner=partner,
        given_on=date(2026, 11, 30),
        channel="call",
        note="agreed on the phone",
    )


def _open(alice: User, case: Case, row: Model, field: str) -> Any:
    key = case_services.open_case_key(user=alice, user_private_key=private_key(alice), case=case, purpose="t")
    return sealing.open_row(key, row, field)


# Each write: its URL name, a setup giving valid data, the model it creates, and its audit action.
Setup = Callable[[User, Case, Partner], dict[str, Any]]


def _pathway_data(alice: User, case: Case, partner: Partner) -> dict[str, Any]:
    return {"kind": "resettlement", "destination": "CA", "partner": str(partner.pk), "note": "UNHCR file"}


def _milestone_data(alice: User, case: Case, partner: Partner) -> dict[str, Any]:
    pathway = _pathway(alice, case)
    return {"pathway": str(pathway.pk), "kind": "interview", "on": "2026-12-20", "note": "bring passport"}


def _close_data(alice: User, case: Case, partner: Partner) -> dict[str, Any]:
    pathway = _pathway(alice, case)
    return {"pathway": str(pathway.pk), "outcome": "refused", "note": "visa refused"}


def _consent_data(alice: User, case: Case, partner: Partner) -> dict[str, Any]:
    return {
        "partner": str(partner.pk),
        "given_on": "2026-11-30",
        "channel": "in_person",
        "note": "signed form",
    }


def _withdraw_data(alice: User, case: Case, partner: Partner) -> dict[str, Any]:
    consent = _consent(alice, case, partner)
    return {"consent": str(consent.pk), "note": "no longer wants Canada"}


WRITES: list[tuple[str, Setup, str]] = [
    ("pathway_add", _pathway_data, "relocation.pathway_added"),
    ("milestone_add", _milestone_data, "relocation.milestone_recorded"),
    ("pathway_close", _close_data, "relocation.pathway_closed"),
    ("consent_add", _consent_data, "relocation.consent_recorded"),
    ("consent_withdraw", _withdraw_data, "relocation.consent_withdrawn"),
]


def _state() -> tuple[int, ...]:
    return (
        Pathway.objects.count(),
        Pathway.objects.exclude(outcome="").count(),
        Milestone.objects.count(),
        Consent.objects.count(),
        Consent.objects.filter(withdrawn_at__isnull=False).count(),
    )


@pytest.mark.parametrize(("name", "setup", "action"), WRITES)
def test_each_write_works_and_is_audited(
    signed_in: SignedIn, alice: User, case: Case, partner: Partner, name: str, setup: Setup, action: str
) -> None:
    data = setup(alice, case, partner)
    before = _state()
    response = signed_in(alice).post(reverse(f"relocation:{name}", args=[case.pk]), data)
    assert response.status_code == 302, response.content
    assert response["Location"] == reverse("cases:case", args=[case.pk])
    assert _state() != before
    assert AuditEvent.objects.filter(action=action, target_id=str(case.pk), actor_id=str(alice.pk)).exists()


@pytest.mark.parametrize(("name", "setup", "action"), WRITES)
def test_each_write_guards(
    signed_in: SignedIn,
    alice: User,
    olga: User,
    dave: User,
    judy: User,
    case: Case,
    other_case: Case,
    partner: Partner,
    name: str,
    setup: Setup,
    action: str,
) -> None:
    data = setup(alice, case, partner)
    before = _state()
    # Alice does not hold the other case: 404, as for a case that does not exist.
    assert signed_in(alice).post(reverse(f"relocation:{name}", args=[other_case.pk]), data).status_code == 404
    # Operators, administrators and auditors do not handle relocation.
    for person in (olga, dave, judy):
        assert signed_in(person).post(reverse(f"relocation:{name}", args=[case.pk]), data).status_code == 403
    assert signed_in(alice).get(reverse(f"relocation:{name}", args=[case.pk])).status_code == 405
    assert _state() == before
    assert not AuditEvent.objects.filter(action=action).exists()


BAD: list[tuple[str, Setup, dict[str, Any]]] = [
    ("pathway_add", _pathway_data, {"kind": "tourism"}),
    ("pathway_add", _pathway_data, {"destination": "RU"}),
    ("pathway_add", _pathway_data, {"destination": ""}),
    ("pathway_add", _pathway_data, {"partner": "00000000-0000-0000-0000-000000000000"}),
    ("pathway_add", _pathway_data, {"note": "nul \x00 byte"}),
    ("pathway_add", _pathway_data, {"note": "x" * 5001}),
    ("pathway_add", _pathway_data, {"note": "bell \x07"}),
    ("milestone_add", _milestone_data, {"on": "20.12.2026x"}),
    ("milestone_add", _milestone_data, {"on": ""}),
    ("milestone_add", _milestone_data, {"kind": "party"}),
    ("milestone_add", _milestone_data, {"pathway": "not-a-pathway"}),
    ("milestone_add", _milestone_data, {"note": "<script>\x00</script>"}),
    ("pathway_close", _close_data, {"outcome": "fine"}),
    ("pathway_close", _close_data, {"pathway": ""}),
    ("consent_add", _consent_data, {"given_on": "2999-01-01"}),
    ("consent_add", _consent_data, {"given_on": "yesterday"}),
    ("consent_add", _consent_data, {"channel": "telepathy"}),
    ("consent_add", _consent_data, {"partner": ""}),
    ("consent_withdraw", _withdraw_data, {"consent": "00000000-0000-0000-0000-000000000000"}),
    ("consent_withdraw", _withdraw_data, {"note": "x" * 5001}),
]


@pytest.mark.parametrize(("name", "setup", "change"), BAD)
def test_bad_input_is_400_and_changes_nothing(
    signed_in: SignedIn,
    alice: User,
    case: Case,
    partner: Partner,
    name: str,
    setup: Setup,
    change: dict[str, Any],
) -> None:
    data = {**setup(alice, case, partner), **change}
    before = _state()
    with time_machine.travel("2026-12-03 10:00Z"):
        response = signed_in(alice).post(reverse(f"relocation:{name}", args=[case.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert _state() == before


def test_a_pathway_of_another_case_is_not_offered(
    signed_in: SignedIn, alice: User, bob: User, case: Case, other_case: Case
) -> None:
    theirs = _pathway(bob, other_case)
    response = signed_in(alice).post(
        reverse("relocation:milestone_add", args=[case.pk]),
        {"pathway": str(theirs.pk), "kind": "applied", "on": "2026-12-01"},
    )
    assert response.status_code == 400
    assert not Milestone.objects.exists()


def test_a_second_standing_consent_is_refused(
    signed_in: SignedIn, alice: User, case: Case, partner: Partner
) -> None:
    _consent(alice, case, partner)
    response = signed_in(alice).post(
        reverse("relocation:consent_add", args=[case.pk]), _consent_data(alice, case, partner)
    )
    assert response.status_code == 400
    assert "already recorded" in response.content.decode()
    assert Consent.objects.count() == 1


def test_a_closed_pathway_takes_no_milestone(alice: User, case: Case) -> None:
    pathway = _pathway(alice, case)
    services.close_pathway(
        actor=alice, user_private_key=private_key(alice), case=case, pathway=pathway, outcome="dropped"
    )
    with pytest.raises(case_services.CaseRefused):
        services.record_milestone(
            actor=alice,
            user_private_key=private_key(alice),
            case=case,
            pathway=pathway,
            kind="applied",
            on=date(2026, 12, 1),
        )


def test_milestone_dates_and_notes_are_sealed_and_the_latest_counts(
    signed_in: SignedIn, alice: User, case: Case, partner: Partner
) -> None:
    pathway = _pathway(alice, case, partner)
    key = private_key(alice)
    for day in (date(2026, 12, 10), date(2026, 12, 17)):
        services.record_milestone(
            actor=alice,
            user_private_key=key,
            case=case,
            pathway=pathway,
            kind="interview",
            on=day,
            note="embassy",
        )
    first = Milestone.objects.order_by("recorded_at").first()
    assert first is not None
    assert _open(alice, case, first, "body") == {"date": "2026-12-10", "note": "embassy"}
    page = signed_in(alice).get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "2026-12-17" in page
    assert "2026-12-10" not in page  # superseded
    assert "Embassy appointment pending" in page
    assert "Rainbow Haven" in page


def test_moved_rows_do_not_open(
    signed_in: SignedIn, alice: User, bob: User, case: Case, other_case: Case
) -> None:
    """A database write that moves a milestone to another pathway leaves an envelope that does not open."""
    mine = _pathway(alice, case)
    other = _pathway(alice, case)
    services.record_milestone(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        pathway=mine,
        kind="applied",
        on=date(2026, 12, 1),
        note="filed online",
    )
    Milestone.objects.update(pathway=other)
    page = signed_in(alice).get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "filed online" not in page
    assert "cannot be decrypted" in page


def test_a_rekey_reseals_relocation_rows(alice: User, carol: User, case: Case, partner: Partner) -> None:
    pathway = _pathway(alice, case, partner)
    consent = _consent(alice, case, partner)
    services.record_milestone(
        actor=alice,
        user_private_key=private_key(alice),
        case=case,
        pathway=pathway,
        kind="visa",
        on=date(2026, 12, 24),
        note="visa D",
    )
    grants.revoke_case_access(
        actor=alice, user_private_key=private_key(alice), case=case, user=carol, rekey=True
    )
    case = Case.objects.select_related("key").get(pk=case.pk)
    assert case.key.version == 2
    assert _open(alice, case, Pathway.objects.get(pk=pathway.pk), "note") == {
        "text": "Embassy appointment pending"
    }
    assert _open(alice, case, Consent.objects.get(pk=consent.pk), "note") == {"text": "agreed on the phone"}
    milestone = Milestone.objects.get()
    assert _open(alice, case, milestone, "body") == {"date": "2026-12-24", "note": "visa D"}


def test_the_panel_is_for_caseworkers_and_coordinators(
    signed_in: SignedIn, alice: User, carol: User, olga: User, case: Case, partner: Partner
) -> None:
    assert "Relocation abroad" in signed_in(alice).get(reverse("cases:case", args=[case.pk])).content.decode()
    page = signed_in(carol).get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "Relocation abroad" in page
    assert reverse("relocation:partners") in page
    # Olga (an operator) still reads the case through the hotline key while it is unassigned: a
    # case of her own shows no relocation section.
    from tests.evacuation.relocation.conftest import open_case

    hers = open_case(olga, None)
    page = signed_in(olga).get(reverse("cases:case", args=[hers.pk])).content.decode()
    assert "Relocation abroad" not in page


def test_the_section_and_its_refusals_speak_russian(
    signed_in: SignedIn, settings: Any, alice: User, carol: User, case: Case, partner: Partner
) -> None:
    _pathway(alice, case, partner)
    client = signed_in(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    for text in (
        "Выезд за границу",
        "Гуманитарная виза",
        "Германия",
        "Записать согласие",
        "Подготовить передачу",
    ):
        assert text in page
    assert "Relocation abroad" not in page
    response = client.post(
        reverse("relocation:consent_add", args=[case.pk]),
        {"partner": str(partner.pk), "given_on": "2999-01-01", "channel": "call"},
    )
    assert response.status_code == 400
    assert "Согласие не может быть дано в будущем." in response.content.decode()
    coordinator = signed_in(carol)
    coordinator.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    assert "Организации-партнёры" in coordinator.get(reverse("relocation:partners")).content.decode()


def test_a_refused_form_comes_back_to_be_sent_again(signed_in: SignedIn, alice: User, case: Case) -> None:
    """The 400 page shows the form again, posting to its own named URL, with a new one-time token."""
    url = reverse("relocation:pathway_add", args=[case.pk])
    response = signed_in(alice).post(url, {"kind": "humanitarian_visa", "destination": "ZZ", "note": "kept"})
    assert response.status_code == 400
    body = response.content.decode()
    assert f'action="{url}"' in body
    assert 'name="submission"' in body
    assert "kept" in body  # what was typed is not lost
    assert reverse("cases:case", args=[case.pk]) in body
