"""Documentation pages: collections, the event list, an event, and the forms that record them.

Every view is for documenters only. A write parses its form, calls one service and
redirects; a refusal shows the form again with the reason and status 400, nothing stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.accounts import unlock
from corridor.accounts.access import user_id_for_username
from corridor.accounts.decorators import role_required
from corridor.accounts.models import Role, User
from corridor.cases.views_common import keys_handled, staff_user
from corridor.documentation import access, edtf, links, reading, revocation, services
from corridor.documentation.forms import (
    ActForm,
    CollectionForm,
    EventForm,
    FilterForm,
    GrantForm,
    InformationForm,
    InterventionForm,
    LinkForm,
    PerpetratorForm,
    ResponseForm,
    SiteForm,
    act_input,
    collection_choices,
)
from corridor.documentation.models import Act, Event, Site
from corridor.hotline import receipts

PAGE_SIZE = 50
documenters = role_required(Role.DOCUMENTER)


def private_key(request: HttpRequest) -> bytes:
    return unlock.user_private_key(request)


def refuse(form: forms.Form, exc: Exception) -> None:
    form.add_error(None, str(exc))


def once(request: HttpRequest, action: Callable[[], str]) -> tuple[str, bool]:
    created, repeated = services.carry_out_once(token=request.POST.get("submission", ""), action=action)
    if repeated:
        messages.info(
            request, _("This was already done: the form was sent twice, and nothing was done again.")
        )
    return created, repeated


# --- collections ------------------------------------------------------------------------------


def _collections_page(
    request: HttpRequest,
    *,
    form: forms.Form | None = None,
    grant: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    user = staff_user(request)
    collections = list(access.readable_collections(user))
    titles = reading.collection_titles(
        user=user, user_private_key=private_key(request), collections=collections
    )
    context = {
        "collections": [(c, titles[c.pk], revocation.holders(c)) for c in collections],
        "form": form or CollectionForm(),
        "grant_form": grant or GrantForm(),
        "submission_token": receipts.new_token(),
    }
    return render(request, "documentation/collections.html", context, status=status)


@require_GET
@documenters
@keys_handled
def collections(request: HttpRequest) -> HttpResponse:
    return _collections_page(request)


@require_POST
@documenters
@keys_handled
def collection_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = CollectionForm(request.POST)
    if form.is_valid():
        try:
            once(
                request,
                lambda: str(services.create_collection(actor=user, title=form.cleaned_data["title"]).pk),
            )
            return redirect("documentation:collections")
        except services.DocumentationRefused as exc:
            refuse(form, exc)
    return _collections_page(request, form=form, status=400)


@require_POST
@documenters
@keys_handled
def collection_grant(request: HttpRequest, collection_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    collection = access.get_collection_for_documenter(user, collection_id)
    form = GrantForm(request.POST)
    if form.is_valid():
        grantee_id = user_id_for_username(form.cleaned_data["username"])
        grantee = User.objects.filter(pk=grantee_id).first() if grantee_id else None
        if grantee is None:
            form.add_error("username", _("There is no such documenter."))
        else:
            try:
                services.grant_collection(
                    actor=user, user_private_key=private_key(request), collection=collection, grantee=grantee
                )
                messages.success(
                    request, _("The collection was given to %(name)s.") % {"name": grantee.username}
                )
                return redirect("documentation:collections")
            except services.DocumentationRefused as exc:
                refuse(form, exc)
    return _collections_page(request, grant=form, status=400)


@require_POST
@documenters
@keys_handled
def collection_revoke(request: HttpRequest, collection_id: uuid.UUID, user_id: uuid.UUID) -> HttpResponse:
    """Take the collection back from a documenter; with "rekey", the collection gets a new key."""
    user = staff_user(request)
    collection = access.get_collection_for_documenter(user, collection_id)
    holder = next((u for u in revocation.holders(collection) if u.pk == user_id), None)
    if holder is None:
        raise Http404
    try:
        revocation.revoke_collection(
            actor=user,
            user_private_key=private_key(request),
            collection=collection,
            user=holder,
            rekey=request.POST.get("rekey") == "yes",
        )
    except services.DocumentationRefused as exc:
        messages.error(request, str(exc))
        return _collections_page(request, status=400)
    messages.success(request, _("The collection was taken back from %(name)s.") % {"name": holder.username})
    return redirect("documentation:collections")


# --- the event list ---------------------------------------------------------------------------


def _filter_from(form: FilterForm, user: User) -> reading.EventFilter:
    data = form.cleaned_data
    start = end = None
    try:
        if data.get("start"):
            start = edtf.parse(data["start"]).earliest
        if data.get("end"):
            end = edtf.parse(data["end"]).latest
    except edtf.EdtfError:
        form.add_error(None, str(services.BAD_DATE))
    site = Site.objects.filter(pk=data["site"]).first() if data.get("site") else None
    return reading.EventFilter(
        start=start,
        end=end,
        place=data.get("place", ""),
        site=site,
        act_type=data.get("act_type", ""),
        perpetrator_type=data.get("perpetrator_type", ""),
    )


def _positions(request: HttpRequest) -> tuple[reading.Position | None, reading.Position | None, bool]:
    """The position a page link carries (after it, or before it), and whether one was refused.

    A link edited by hand, cut short or forged leads to the first page with a notice, never
    to an error: a position only says where the page starts.
    """
    after, before = request.GET.get("after"), request.GET.get("before")
    if after is None and before is None:
        return None, None, False
    if after is not None and before is not None:
        return None, None, True
    position = reading.Position.parse(after if after is not None else before or "")
    if position is None:
        return None, None, True
    return (position, None, False) if after is not None else (None, position, False)


_ANY_EVENT = uuid.UUID(int=0)


def _link_events(listed: list[reading.ListedEvent]) -> None:
    """Each row's link to its event page: the URL reversed once for the page, not once a row."""
    pattern = reverse("documentation:event", kwargs={"event_id": _ANY_EVENT})
    for row in listed:
        row.url = pattern.replace(str(_ANY_EVENT), str(row.event.pk))


@require_GET
@documenters
@keys_handled
def events(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = FilterForm(request.GET or None)
    chosen = reading.EventFilter()
    valid = form.is_valid() if request.GET else True
    if request.GET and valid:
        chosen = _filter_from(form, user)
        valid = not form.errors
    after, before, refused = _positions(request)
    page = reading.EventPage(events=[])
    listed: list[reading.ListedEvent] = []
    collections = {c.pk: c for c in access.readable_collections(user)}
    if valid:
        found = reading.filtered_events(access.readable_events(user), chosen)
        page = reading.page_of_events(
            found, size=PAGE_SIZE, after=after, before=before, collections=collections
        )
        reading.count_acts(page.events)
        listed = reading.list_page(user=user, user_private_key=private_key(request), events=page.events)
        _link_events(listed)
    query = request.GET.copy()
    for name in ("after", "before", "page"):
        query.pop(name, None)
    context = {
        "form": form,
        "listed": listed,
        "shown_codes": "+".join(quote(row.event.code) for row in listed),
        "previous": page.previous,
        "next": page.next,
        "position_refused": refused,
        "query": query.urlencode(),
        "has_collections": bool(collections),
    }
    return render(request, "documentation/events.html", context, status=200 if valid else 400)


# --- one event ---------------------------------------------------------------------------------


def _act_choice(number: int, act: reading.ActView) -> tuple[str, str]:
    person = act.act.victim_person
    victim = " ".join(part for part in (person.code if person else "", act.victim) if part)
    return str(act.act.pk), f"{number}. {act.type_label}: {victim}"


def _intervention_choices(items: list[reading.InterventionView]) -> list[tuple[str, str]]:
    return [
        (
            str(i.intervention.pk),
            f"{i.intervention.code}: {i.type_label} ({i.intervention.get_body_display()})",
        )
        for i in items
    ]


def event_page(
    request: HttpRequest,
    event: Event,
    *,
    perpetrator: forms.Form | None = None,
    link: forms.Form | None = None,
    information: forms.Form | None = None,
    intervention: forms.Form | None = None,
    response: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    user = staff_user(request)
    view = reading.event_for_documenter(user=user, user_private_key=private_key(request), event=event)
    choices = links.origin_choices(user, view.origin)
    perpetrator_form = perpetrator or PerpetratorForm(auto_id="id_perp_%s")
    assert isinstance(perpetrator_form, PerpetratorForm)
    perpetrator_form.set_acts(
        [("", "—"), *(_act_choice(number, a) for number, a in enumerate(view.acts, start=1))]
    )
    context = {
        "view": view,
        "perpetrator_form": perpetrator_form,
        "link_form": link or LinkForm(auto_id="id_link_%s"),
        "information_form": information
        or InformationForm(
            auto_id="id_info_%s", origins=choices, initial={"taken_from": choices[0][0] if choices else ""}
        ),
        "origin": links.describe_origin(user, view.origin),
        "accounts": [(info, links.describe_origin(user, info.origin)) for info in view.information],
        "intervention_form": intervention or InterventionForm(auto_id="id_int_%s"),
        "response_form": response
        or ResponseForm(auto_id="id_resp_%s", interventions=_intervention_choices(view.interventions)),
        "submission_token": receipts.new_token(),
    }
    return render(request, "documentation/event.html", context, status=status)


@require_GET
@documenters
@keys_handled
def event(request: HttpRequest, event_id: uuid.UUID) -> HttpResponse:
    return event_page(request, access.get_event_for_documenter(staff_user(request), event_id))


def collection_options(request: HttpRequest, user: User) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    collections = list(access.readable_collections(user))
    titles = reading.collection_titles(
        user=user, user_private_key=private_key(request), collections=collections
    )
    return collection_choices(collections, titles), {str(c.pk): c for c in collections}


@require_http_methods(["GET", "POST"])
@documenters
@keys_handled
def event_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    options, by_id = collection_options(request, user)
    if not options:
        messages.info(request, _("Create a collection first, or ask a documenter to give you one."))
        return redirect("documentation:collections")
    form = EventForm(request.POST if request.method == "POST" else None, collections=options)
    named = request.POST if request.method == "POST" else request.GET
    origin = links.resolve_origin(user, thread=named.get("thread", ""), case=named.get("case", ""))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            entry = services.EventInput(
                title=data["title"],
                description=data["description"],
                date=data["date"],
                place=data["place"],
                site=data["site"] or None,
            )
            try:
                created, _repeated = once(
                    request,
                    lambda: str(
                        services.record_event_from_testimony(
                            actor=user,
                            user_private_key=private_key(request),
                            collection=by_id[data["collection"]],
                            data=entry,
                            origin=origin,
                        ).pk
                    ),
                )
                return redirect("documentation:event", event_id=created)
            except services.DocumentationRefused as exc:
                refuse(form, exc)
    context = {
        "form": form,
        "submission_token": receipts.new_token(),
        "origin": origin,
        "origin_view": links.describe_origin(user, origin),
    }
    return render(request, "documentation/event_new.html", context, status=status)


def _perpetrator(data: dict[str, Any]) -> services.PerpetratorInput | None:
    if not data.get("perpetrator_kind"):
        return None
    return services.PerpetratorInput(
        kind=data["perpetrator_kind"],
        perpetrator_type=data["perpetrator_type"],
        degree=data["degree"],
        name=data.get("perpetrator_name", ""),
    )


@require_http_methods(["GET", "POST"])
@documenters
@keys_handled
def act_add(request: HttpRequest, event_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    event = access.get_event_for_documenter(user, event_id)
    form = ActForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            entry = act_input(data, perpetrator=_perpetrator(data), victim_person=data["victim_person"])
            try:
                once(
                    request,
                    lambda: str(
                        services.add_act(
                            actor=user, user_private_key=private_key(request), event=event, data=entry
                        ).pk
                    ),
                )
                return redirect("documentation:event", event_id=event.pk)
            except services.DocumentationRefused as exc:
                refuse(form, exc)
    context = {"event": event, "form": form, "submission_token": receipts.new_token()}
    return render(request, "documentation/act_add.html", context, status=status)


@require_POST
@documenters
@keys_handled
def perpetrator_add(request: HttpRequest, event_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    event = access.get_event_for_documenter(user, event_id)
    form = PerpetratorForm(request.POST, auto_id="id_perp_%s")
    form.set_acts([(str(pk), str(pk)) for pk in Act.objects.filter(event=event).values_list("pk", flat=True)])
    if form.is_valid():
        act = Act.objects.select_related("event__collection__key").get(pk=form.cleaned_data["act"])
        entry = _perpetrator(form.cleaned_data)
        assert entry is not None
        try:
            once(
                request,
                lambda: str(
                    services.add_perpetrator(
                        actor=user, user_private_key=private_key(request), act=act, data=entry
                    ).pk
                ),
            )
            return redirect("documentation:event", event_id=event.pk)
        except services.DocumentationRefused as exc:
            refuse(form, exc)
    return event_page(request, event, perpetrator=form, status=400)


@require_POST
@documenters
@keys_handled
def event_link(request: HttpRequest, event_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    event = access.get_event_for_documenter(user, event_id)
    form = LinkForm(request.POST, auto_id="id_link_%s")
    if form.is_valid():
        other = access.readable_events(user).filter(code=form.cleaned_data["other"].strip().upper()).first()
        if other is None:
            form.add_error("other", _("There is no event with this code in your collections."))
        else:
            try:
                services.link_events(actor=user, event=event, other=other, kind=form.cleaned_data["kind"])
                return redirect("documentation:event", event_id=event.pk)
            except services.DocumentationRefused as exc:
                refuse(form, exc)
    return event_page(request, event, link=form, status=400)


# --- sites --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@documenters
def site_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = SiteForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                once(
                    request,
                    lambda: str(
                        services.add_site(
                            actor=user,
                            place=data["place"],
                            site_type=data["site_type"],
                            precision=data["precision"],
                            name=data["name"],
                        ).pk
                    ),
                )
                messages.success(request, _("The site was added."))
                return redirect(reverse("documentation:sites"))
            except services.DocumentationRefused as exc:
                refuse(form, exc)
    context = {"form": form, "submission_token": receipts.new_token()}
    return render(request, "documentation/site_new.html", context, status=status)


@require_GET
@documenters
def sites(request: HttpRequest) -> HttpResponse:
    return render(request, "documentation/sites.html", {"sites": reading.site_rows()})
