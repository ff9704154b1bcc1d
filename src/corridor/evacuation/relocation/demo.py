"""Synthetic pathways abroad, two partner organisations and a signed referral for `corridor demo`.

The partners' private keys are generated here and the first one is written to the demo's
own data directory, so a packet downloaded from the demo can be opened with
`corridor referral open` (see docs/partners.md). The organisations are invented.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.conf import settings

from corridor.cases import workflow
from corridor.cases.demo import MARK, Staff
from corridor.cases.models import Case, Stage
from corridor.crypto import keys, referral
from corridor.crypto.words import fingerprint_words
from corridor.evacuation.relocation import partners, referrals, services
from corridor.evacuation.relocation.models import Partner, Pathway

PARTNER_KEY_FILE = "demo-partner.key"


def _cases(stage: str) -> list[Case]:
    return list(
        Case.objects.filter(stage=stage, caseworker__isnull=False)
        .select_related("key")
        .order_by("created_at")
    )


def _partner(staff: Staff, name: str, country: str, *, keep_key: bool) -> Partner:
    pair = keys.generate_keypair()
    if keep_key:
        path = settings.DATA_DIR / PARTNER_KEY_FILE
        path.write_text(referral.encode_private(pair.private))
        path.chmod(0o600)
    return partners.add_partner(
        actor=staff.carol,
        name=name,
        country=country,
        public_key=referral.encode_public(pair.public),
        fingerprint=fingerprint_words(pair.public),
    )


def _milestones(staff: Staff, case: Case, pathway: Pathway, steps: list[tuple[str, date, str]]) -> None:
    for kind, day, note in steps:
        services.record_milestone(
            actor=staff.alice,
            user_private_key=staff.key(staff.alice),
            case=case,
            pathway=pathway,
            kind=kind,
            on=day,
            note=note,
        )


def populate(staff: Staff) -> None:
    """Pathways for the cases relocating, departed and arrived; a consent and a signed referral."""
    today = datetime.now(UTC).date()
    ka = staff.key(staff.alice)
    maple = _partner(staff, "Maple Welcome Circle (demo)", "CA", keep_key=True)
    nordlicht = _partner(staff, "Nordlicht Refuge e.V. (demo)", "DE", keep_key=False)

    relocating = _cases(Stage.RELOCATING)
    if relocating:
        case = relocating[0]
        visa = services.add_pathway(
            actor=staff.alice,
            user_private_key=ka,
            case=case,
            kind="humanitarian_visa",
            destination="DE",
            partner=nordlicht,
            note=f"{MARK} Виза по §22 через посольство в Ереване.",
        )
        _milestones(
            staff,
            case,
            visa,
            [
                ("documents", today - timedelta(days=20), "Паспорт, справка из шелтера."),
                ("applied", today - timedelta(days=12), ""),
                ("interview", today + timedelta(days=9), "Посольство, 10:30; взять оригиналы."),
            ],
        )
        sponsorship = services.add_pathway(
            actor=staff.alice,
            user_private_key=ka,
            case=case,
            kind="private_sponsorship",
            destination="CA",
            partner=maple,
            note=f"{MARK} Запасной вариант, если Германия откажет.",
        )
        _milestones(staff, case, sponsorship, [("documents", today - timedelta(days=3), "")])
        services.record_consent(
            actor=staff.alice,
            user_private_key=ka,
            case=case,
            partner=maple,
            given_on=today - timedelta(days=4),
            channel="in_person",
            note=f"{MARK} Объяснили, что уйдут только имя и год рождения.",
        )
        made = referrals.request_referral(
            actor=staff.alice,
            user_private_key=ka,
            case=case,
            partner=maple,
            fields=["names", "birth"],
            pathway=sponsorship,
            message="Demo referral: please confirm you can sponsor one adult.",
        )
        workflow.decide_approval(
            actor=staff.carol,
            user_private_key=staff.key(staff.carol),
            approval=made.approval,
            decision="approve",
        )
        referrals.sign_referral(
            actor=staff.carol, user_private_key=staff.key(staff.carol), case=case, referral=made
        )

    for stage, outcome in ((Stage.DEPARTED, ""), (Stage.ARRIVED, "arrived"), (Stage.FOLLOW_UP, "arrived")):
        for case in _cases(stage)[:1]:
            pathway = services.add_pathway(
                actor=staff.alice,
                user_private_key=ka,
                case=case,
                kind="resettlement",
                destination="CA",
                partner=maple,
                note=f"{MARK} Направление через УВКБ ООН.",
            )
            steps = [
                ("documents", today - timedelta(days=90), ""),
                ("applied", today - timedelta(days=80), ""),
                ("interview", today - timedelta(days=50), ""),
                ("visa", today - timedelta(days=20), ""),
                ("tickets", today - timedelta(days=10), "Рейс через Стамбул."),
                ("departed", today - timedelta(days=6), ""),
            ]
            if outcome:
                steps.append(("arrived", today - timedelta(days=5), "Встретили в аэропорту."))
            _milestones(staff, case, pathway, steps)
            if outcome:
                services.close_pathway(
                    actor=staff.alice, user_private_key=ka, case=case, pathway=pathway, outcome=outcome
                )

    sheltered = _cases(Stage.SHELTERED)
    if sheltered:
        case = sheltered[0]
        services.add_pathway(
            actor=staff.alice,
            user_private_key=ka,
            case=case,
            kind="family_reunification",
            destination="DE",
            note=f"{MARK} Брат живёт в Германии; ждём его документы.",
        )
        consent = services.record_consent(
            actor=staff.alice,
            user_private_key=ka,
            case=case,
            partner=nordlicht,
            given_on=today - timedelta(days=15),
            channel="messenger",
        )
        services.withdraw_consent(
            actor=staff.alice,
            user_private_key=ka,
            case=case,
            consent=consent,
            note=f"{MARK} Передумал: боится, что узнают родственники.",
        )
