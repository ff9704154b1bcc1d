"""The demo's documentation set is built through the services and reads back."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from corridor.accounts.models import Role
from corridor.documentation import demo, reading
from corridor.documentation.models import Act, Event, Information, PersonMatch
from tests.conftest import make_user
from tests.hotline.helpers import private_key

pytestmark = pytest.mark.django_db


def test_the_demo_documentation_set(org: dict[str, object]) -> None:
    erin = make_user(org, "erin", {Role.DOCUMENTER})
    demo.populate(SimpleNamespace(keys={"erin": private_key(erin)}))
    assert Event.objects.count() == 5
    assert Act.objects.filter(victim_kind="group").count() == 3
    assert PersonMatch.objects.count() == 1
    assert list(Information.objects.values_list("count", flat=True).order_by("count")) == [12, 40]
    argun = Event.objects.get(site__code="argun-commandant")
    view = reading.event_for_documenter(user=erin, user_private_key=private_key(erin), event=argun)
    assert view.title.startswith(demo.MARK)
    assert len(view.acts) == 3
    assert [i.response_label for i in view.interventions] == ["Refused to open a criminal case", ""]


def test_no_documenter_no_documentation(org: dict[str, object]) -> None:
    demo.populate(SimpleNamespace(keys={}))
    assert not Event.objects.exists()
