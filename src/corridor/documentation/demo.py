"""Synthetic documentation for `corridor demo`: waves of detentions at several sites, group victims,
uncertain dates, one person recorded from two testimonies, sources that disagree, and complaints
refused and taken further.

Everything goes through the services as the demo documenter (erin) would record it, and
every text is marked as invented.
"""

from __future__ import annotations

from typing import Any

from corridor.accounts import services as account_services
from corridor.accounts.models import User
from corridor.documentation import interventions, persons, services
from corridor.documentation.models import Collection, Event, Information, Site

MARK = "[Демо: вымышленные сведения]"


def _documenter(staff: Any) -> tuple[User, bytes] | None:
    erin = User.objects.filter(username="erin").first()
    if erin is None:
        return None
    key = getattr(staff, "keys", {}).get("erin")
    if key is None:
        from corridor.web.management.commands.demo import DEMO_PASSWORD

        key = account_services.unwrap_user_key(erin, DEMO_PASSWORD)
    return erin, key


def _event(erin: User, key: bytes, collection: Collection, **fields: Any) -> Event:
    site = Site.objects.filter(code=fields.pop("site", "")).first()
    return services.record_event_from_testimony(
        actor=erin,
        user_private_key=key,
        collection=collection,
        data=services.EventInput(
            title=f"{MARK} {fields['title']}",
            description=f"{MARK} {fields.get('description', '')}",
            date=fields["date"],
            place=fields.get("place", ""),
            site=str(site.pk) if site else None,
        ),
    )


def _act(erin: User, key: bytes, event: Event, **fields: Any) -> None:
    perpetrator = fields.pop("perpetrator", None)
    services.add_act(
        actor=erin,
        user_private_key=key,
        event=event,
        data=services.ActInput(
            perpetrator=services.PerpetratorInput(*perpetrator) if perpetrator else None,
            **fields,
        ),
    )


def populate(staff: Any) -> None:
    """The demo's documentation set (nothing if the demo has no documenter)."""
    found = _documenter(staff)
    if found is None:
        return
    erin, key = found
    collection = services.create_collection(actor=erin, title=f"{MARK} Чечня, 2017–2019")
    police = ("institution", "010104000000", "010100000000", "Отдел МВД по г. Аргун")
    ordered = ("institution", "010101000000", "010200000000", "Руководство республиканского МВД")

    wave = _event(
        erin,
        key,
        collection,
        title="Первая волна задержаний, весна 2017",
        description="Серия задержаний мужчин по подозрению в гомосексуальности.",
        date="2017-21",
        place="RU-CE",
    )
    argun = _event(
        erin,
        key,
        collection,
        title="Задержания в здании бывшей комендатуры",
        description="Задержанных держали несколько дней, избивали, требовали назвать знакомых.",
        date="2017-03~",
        site="argun-commandant",
    )
    grozny = _event(
        erin,
        key,
        collection,
        title="Задержание на блокпосту и допрос в районном отделе",
        date="2017-04-XX",
        site="grozny-oktyabrsky-police",
    )
    basement = _event(
        erin,
        key,
        collection,
        title="Содержание в подвале, место неизвестно",
        date="2017-03/2017-04",
        site="grozny-basement",
    )
    second_wave = _event(
        erin,
        key,
        collection,
        title="Вторая волна задержаний",
        date="2018-12/2019-01?",
        site="tsotsi-yurt-police",
    )
    for child in (argun, grozny, basement):
        services.link_events(actor=erin, event=child, other=wave, kind="part_of")

    ruslan = persons.add_person(
        actor=erin,
        user_private_key=key,
        collection=collection,
        identity=persons.Identity(name="Руслан Т.", aliases=["Руся"], birth="1993", notes=MARK),
    )
    # The same man, from a second testimony, written in Latin letters: proposed as a match.
    persons.add_person(
        actor=erin,
        user_private_key=key,
        collection=collection,
        identity=persons.Identity(name="Ruslan T.", notes=f"{MARK} со слов его двоюродного брата"),
    )
    _act(
        erin,
        key,
        argun,
        act_type="030102000000",
        methods=["020600000000", "030101000000", "030800000000", "031501000000"],
        victim_kind="group",
        victim="Мужчины, задержанные в Аргуне",
        count_min=12,
        count_best=20,
        count_max=40,
        status_at_end="X01",
        perpetrator=police,
    )
    _act(
        erin,
        key,
        argun,
        act_type="X03",
        methods=["032103000000"],
        victim_kind="person",
        victim="",
        victim_person=ruslan.code,
        date="2017-03-12?",
        perpetrator=ordered,
    )
    _act(
        erin,
        key,
        argun,
        act_type="X01",
        victim_kind="person",
        victim="",
        victim_person=ruslan.code,
        date="2017-03~",
        status_at_end="X01",
        perpetrator=police,
    )
    _act(
        erin,
        key,
        grozny,
        act_type="X02",
        victim_kind="person",
        victim="Ислам (фамилия неизвестна)",
        status_at_end="020100000000",
        perpetrator=("person", "010104000000", "010100000000", "Сотрудник по прозвищу «Майор»"),
    )
    _act(
        erin,
        key,
        basement,
        act_type="020111110000",
        methods=["030800000000", "031502000000", "031904000000"],
        victim_kind="group",
        victim="Задержанные в подвале",
        count_min=3,
        count_best=5,
        count_max=8,
        perpetrator=("institution", "020101000000", "010600000000", "Неустановленное силовое подразделение"),
    )
    _act(
        erin,
        key,
        second_wave,
        act_type="030102000000",
        victim_kind="group",
        victim="Мужчины, задержанные зимой 2018–2019",
        count_min=20,
        count_best=30,
        count_max=40,
        perpetrator=police,
    )

    # Two sources that disagree on the date and the number: kept side by side.
    witness = persons.add_source(
        actor=erin,
        user_private_key=key,
        collection=collection,
        kind="victim",
        description="",
        person_code=ruslan.code,
    )
    article = persons.add_source(
        actor=erin,
        user_private_key=key,
        collection=collection,
        kind="media",
        description=f"{MARK} Статья в независимой газете, апрель 2017",
    )
    for source, connection, reliability, credibility, date, count, statement in (
        (
            witness,
            "010100000000",
            "B",
            2,
            "2017-03-10/2017-03-14",
            12,
            "В камере было около двенадцати человек.",
        ),
        (article, "030100000000", "C", 3, "2017-21", 40, "Сообщается о десятках задержанных."),
    ):
        persons.add_information(
            actor=erin,
            user_private_key=key,
            event=argun,
            data=persons.InformationInput(
                source_code=source.code,
                connection=connection,
                reliability=reliability,
                credibility=credibility,
                date=date,
                count=count,
                statement=f"{MARK} {statement}",
            ),
        )

    # The complaint the Investigative Committee refused, and the application that followed years later.
    refused = interventions.add_intervention(
        actor=erin,
        user_private_key=key,
        event=argun,
        data=interventions.InterventionInput(
            intervention_type="020100000000",
            body="investigative_committee",
            date="2017-05-XX",
            reference="№ 000/17 (вымышленный)",
            response="X01",
            response_date="2017-06~",
            notes=f"{MARK} Жалоба подана адвокатом от имени пострадавшего.",
        ),
    )
    interventions.add_intervention(
        actor=erin,
        user_private_key=key,
        event=argun,
        data=interventions.InterventionInput(
            intervention_type="X02",
            body="echr",
            date="2019-21",
            follows=refused.code,
            notes=f"{MARK} Жалоба в ЕСПЧ после исчерпания внутренних средств.",
        ),
    )
    interventions.add_intervention(
        actor=erin,
        user_private_key=key,
        event=wave,
        data=interventions.InterventionInput(
            intervention_type="X02", body="osce", date="2018-10", response="030100000000"
        ),
    )

    from corridor.documentation.consent import examples as consent_examples

    consent_examples.populate(actor=erin, user_private_key=key, event=argun, person=ruslan)

    from corridor.documentation.evidence import examples as evidence_examples

    said = Information.objects.filter(event=argun).order_by("created_at").first()
    evidence_examples.add_examples(actor=erin, user_private_key=key, event=argun, information=said)
