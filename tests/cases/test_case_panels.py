"""Sections other apps add to the case page get the key opened for the page: one audited decryption."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.cases import panels, reading, services
from corridor.cases.panels import PanelContext
from corridor.cases.profile import Profile
from tests.cases.test_case_reading import open_case
from tests.hotline.helpers import private_key


@pytest.fixture
def profile_panels() -> Iterator[None]:
    def names(ctx: PanelContext) -> dict[str, Any]:
        # Decrypting with the key the page opened proves it is the case key.
        return {"names": services.read_profile(ctx.key, ctx.case).names, "coordinator": ctx.is_coordinator}

    panels.register(name="test.hidden", template="unused.html", build=lambda ctx: None, order=1)
    panels.register(name="test.names", template="names.html", build=names, order=2)
    yield
    for name in ("test.hidden", "test.names"):
        panels._PANELS.pop(name)


@pytest.mark.django_db
@pytest.mark.usefixtures("profile_panels")
def test_panels_decrypt_with_the_pages_one_opening(olga: User, alice: User) -> None:
    case = open_case(olga, alice)
    ka = private_key(alice)
    services.update_profile(actor=alice, user_private_key=ka, case=case, profile=Profile(names=["Rustam"]))
    case.refresh_from_db()
    before = AuditEvent.objects.filter(action="cases.case_decrypted").count()

    view = reading.case_for_staff(user=alice, user_private_key=ka, case=case)

    # The evacuation and documentation apps add their own sections; this test watches its own.
    own = [(p.name, p.template, p.context) for p in view.panels if p.name.startswith("test.")]
    assert own == [("test.names", "names.html", {"names": ["Rustam"], "coordinator": False})]
    assert AuditEvent.objects.filter(action="cases.case_decrypted").count() == before + 1
