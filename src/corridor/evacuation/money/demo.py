"""Synthetic money for `corridor demo`: budget lines, expenses on the demo cases (one waiting for a
coordinator's approval, one approved), a photographed receipt, enough people for the donor report."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from PIL import Image, ImageDraw

from corridor.cases import workflow
from corridor.cases.access import readable_cases
from corridor.cases.demo import MARK, Staff
from corridor.cases.models import Case, Stage
from corridor.crypto.envelope import generate_key
from corridor.crypto.files import encrypt_bytes
from corridor.evacuation.money import services
from corridor.evacuation.money.models import BudgetLine
from corridor.hotline import uploads
from corridor.web.templatetags.staff_time import staff_zone

# What each stage has cost so far: (category, amount, currency, what for, days ago).
COSTS: dict[str, list[tuple[str, str, str, str, int]]] = {
    Stage.SCREENING: [("communication", "900", "RUB", "Новая SIM-карта и пополнение", 40)],
    Stage.PLANNING: [("communication", "1200", "RUB", "Телефон без истории", 38)],
    Stage.IN_TRANSIT: [("transport", "6400", "RUB", "Билеты на автобус до Москвы", 35)],
    Stage.SHELTERED: [
        ("housing", "18000", "RUB", "Две недели в квартире", 30),
        ("food", "7500", "RUB", "Продукты на две недели", 30),
        ("medical", "4200", "RUB", "Приём у врача и лекарства", 25),
    ],
    Stage.RELOCATING: [("documents", "6000", "RUB", "Заграничный паспорт: пошлина", 20)],
    Stage.DEPARTED: [("visas_tickets", "260", "EUR", "Билет на самолёт", 10)],
}
LATER: list[str] = [Stage.SCREENING, Stage.VETTING, Stage.PLANNING, Stage.IN_TRANSIT, Stage.SHELTERED]
LATER += [Stage.RELOCATING, Stage.DEPARTED, Stage.ARRIVED, Stage.FOLLOW_UP]


def _receipt() -> services.PreparedReceipt:
    """A photographed till receipt, as a phone would send it (through the same stripping)."""
    image = Image.new("RGB", (240, 320), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(["DEMO RECEIPT", "BUS TICKETS x2", "TOTAL 6400.00 RUB", "THANK YOU"]):
        draw.text((20, 30 + 40 * i), line, fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, "JPEG")
    data = out.getvalue()
    key = generate_key()
    handle = uploads.nameless_temporary_file()
    handle.write(encrypt_bytes(key, data))
    upload = uploads.EncryptedUpload(
        ciphertext=handle,
        key=key,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        name="receipt.jpg",
        content_type="image/jpeg",
    )
    try:
        return services.prepare_receipt(upload)
    finally:
        upload.discard()


def _costs_for(stage: str) -> list[tuple[str, str, str, str, int]]:
    """Everything a person at this stage has needed on the way."""
    if stage not in LATER:
        return []
    reached = LATER[: LATER.index(stage) + 1]
    return [cost for step in reached for cost in COSTS.get(step, [])]


def populate(staff: Staff) -> None:
    carol, alice = staff.carol, staff.alice
    fund = services.open_budget_line(
        actor=carol, name="Фонд А 2026", kind="donor", currency="EUR", amount=Decimal("50000")
    ).line
    emergency = services.open_budget_line(
        actor=carol, name="Экстренная эвакуация", kind="programme", currency="RUB", amount=Decimal("3000000")
    ).line
    old = services.open_budget_line(
        actor=carol, name="Фонд В 2025", kind="donor", currency="EUR", amount=Decimal("15000")
    ).line
    services.close_budget_line(actor=carol, line=old)
    today = timezone.now().astimezone(staff_zone()).date()
    cases = readable_cases(alice).exclude(stage=Stage.CLOSED).order_by("created_at")
    receipt_given = False
    for case in cases:
        for category, amount, currency, text, days in _costs_for(case.stage):
            line: BudgetLine = fund if currency == "EUR" else emergency
            receipt = None
            if category == "transport" and not receipt_given:
                receipt, receipt_given = _receipt(), True
            services.record_expense(
                actor=alice,
                user_private_key=staff.key(alice),
                case=Case.objects.select_related("key").get(pk=case.pk),
                budget_line=line,
                category=category,
                amount=amount,
                currency=currency,
                spent_on=today - timedelta(days=days),
                description=f"{MARK} {text}",
                payee="",
                receipt=receipt,
            )
    _over_threshold(staff, fund, emergency, today)


def _over_threshold(staff: Staff, fund: BudgetLine, emergency: BudgetLine, today: date) -> None:
    """One spend approved by the coordinator, one still waiting in the approvals queue."""
    relocating = [case for case in readable_cases(staff.alice) if case.stage == Stage.RELOCATING]
    sheltered = [case for case in readable_cases(staff.alice) if case.stage == Stage.SHELTERED]
    if relocating:
        approved = services.record_expense(
            actor=staff.alice,
            user_private_key=staff.key(staff.alice),
            case=Case.objects.select_related("key").get(pk=relocating[0].pk),
            budget_line=fund,
            category="visas_tickets",
            amount="480",
            currency="EUR",
            spent_on=today - timedelta(days=3),
            description=f"{MARK} Гуманитарная виза: сбор и перевод документов",
        ).expense
        if approved.approval is not None:
            workflow.decide_approval(
                actor=staff.carol,
                user_private_key=staff.key(staff.carol),
                approval=approved.approval,
                decision="approve",
            )
    if sheltered:
        services.record_expense(
            actor=staff.alice,
            user_private_key=staff.key(staff.alice),
            case=Case.objects.select_related("key").get(pk=sheltered[0].pk),
            budget_line=emergency,
            category="housing",
            amount="45000",
            currency="RUB",
            spent_on=today - timedelta(days=1),
            description=f"{MARK} Квартира на месяц, пока ждём документы",
        )
