"""Synthetic consent for the documentation demo (called by it, not by the demo command on its own):
the victim's consents to internal use and to the ECHR, for
him and for his statement; one to the Investigative Committee he later withdrew; the newspaper's
account cleared for anonymised statistics.
"""

from __future__ import annotations

from datetime import date

from corridor.accounts.models import User
from corridor.documentation.consent import services
from corridor.documentation.models import Event, Information, Person

MARK = "[Демо: вымышленные сведения]"


def populate(*, actor: User, user_private_key: bytes, event: Event, person: Person) -> None:
    """Consents to the event's statements, as the documenter records them after each conversation."""

    def give(
        about: Person | Information, scope: str, given_on: date, method: str, mechanism: str = ""
    ) -> None:
        data = services.ConsentInput(
            scope=scope, given_on=given_on, method=method, mechanism=mechanism, notes=f"{MARK} {scope}"
        )
        if isinstance(about, Person):
            services.record_person_consent(
                actor=actor, user_private_key=user_private_key, person=about, data=data
            )
        else:
            services.record_statement_consent(
                actor=actor, user_private_key=user_private_key, information=about, data=data
            )

    own: list[Person | Information] = list(
        Information.objects.filter(event=event, source__person=person).select_related(
            "event__collection__key"
        )
    )
    for about in [person, *own]:
        give(about, "internal", date(2017, 4, 20), "written")
        give(about, "mechanism", date(2017, 4, 20), "oral_recorded", mechanism="echr")
    give(person, "mechanism", date(2017, 4, 20), "oral_recorded", mechanism="investigative_committee")
    withdrawn = person.consents.get(mechanism="investigative_committee")
    services.withdraw_consent(
        actor=actor,
        user_private_key=user_private_key,
        consent=withdrawn,
        withdrawn_on=date(2017, 7, 3),
        note=f"{MARK} После отказа в возбуждении дела попросил больше не передавать его показания в СК.",
    )
    others = Information.objects.filter(event=event, source__person__isnull=True).select_related(
        "event__collection__key"
    )
    for about in others:
        give(about, "statistics", date(2017, 4, 25), "written")
