"""The demo's consents: standing ones, one withdrawn, and exports that follow them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from corridor.accounts.models import Role
from corridor.documentation import demo
from corridor.documentation.consent.models import Consent, Withdrawal
from corridor.documentation.models import Event
from tests.conftest import make_user
from tests.documentation.consent.helpers import export, statements
from tests.hotline.helpers import private_key

pytestmark = pytest.mark.django_db


def test_the_demo_has_consents_and_a_withdrawal(org: dict[str, object]) -> None:
    erin = make_user(org, "erin", {Role.DOCUMENTER})
    demo.populate(SimpleNamespace(keys={"erin": private_key(erin)}))
    assert Consent.objects.filter(person__isnull=False).count() == 3
    assert Consent.objects.filter(information__isnull=False).count() == 3
    assert Withdrawal.objects.get().consent.mechanism == "investigative_committee"
    argun = Event.objects.get(site__code="argun-commandant")
    to_echr = export(erin, [argun], "mechanism", mechanism="echr")
    assert len(statements(to_echr)) == 1
    assert to_echr.left_out == 1
    assert statements(export(erin, [argun], "mechanism", mechanism="investigative_committee")) == []
    counted = export(erin, [argun], "statistics")
    assert counted.included == 1
