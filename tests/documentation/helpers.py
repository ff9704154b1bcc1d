"""Documentation built through the services, as documenters build it."""

from __future__ import annotations

from corridor.accounts.models import User
from corridor.documentation import services
from corridor.documentation.models import Act, Collection, Event, Site
from tests.hotline.helpers import private_key


def collection(user: User, title: str = "Chechnya 2017") -> Collection:
    return services.create_collection(actor=user, title=title)


def event(
    user: User,
    where: Collection,
    *,
    title: str = "Detentions at the Argun commandant's office",
    date: str = "2017-03~",
    place: str = "RU-CE:argun",
    site: Site | None = None,
    description: str = "",
) -> Event:
    return services.record_event_from_testimony(
        actor=user,
        user_private_key=private_key(user),
        collection=where,
        data=services.EventInput(
            title=title, description=description, date=date, place=place, site=str(site.pk) if site else None
        ),
    )


def act(user: User, on: Event, **changes: object) -> Act:
    fields: dict[str, object] = {
        "act_type": "030102000000",
        "methods": ["030101000000"],
        "victim_kind": "person",
        "victim": "Ruslan",
    }
    fields.update(changes)
    return services.add_act(
        actor=user,
        user_private_key=private_key(user),
        event=on,
        data=services.ActInput(**fields),  # type: ignore[arg-type]
    )


def site(code: str = "argun-commandant") -> Site:
    return Site.objects.get(code=code)
