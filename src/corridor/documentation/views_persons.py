"""Persons, their match proposals, sources and what sources say about an event, interventions."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.accounts.decorators import role_required
from corridor.accounts.models import Role
from corridor.cases.views_common import keys_handled, staff_user
from corridor.documentation import access, corrections, interventions, links, persons, reading, services
from corridor.documentation.forms import (
    ActCorrectionForm,
    CorrectionForm,
    InformationForm,
    InterventionForm,
    MatchForm,
    PersonCaseForm,
    PersonForm,
    ResponseForm,
    SourceForm,
    act_input,
)
from corridor.documentation.models import Act, Intervention
from corridor.documentation.views import collection_options, event_page, once, private_key, refuse
from corridor.hotline import receipts

PAGE_SIZE = 50
documenters = role_required(Role.DOCUMENTER)


@require_GET
@documenters
@keys_handled
def person_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    rows = list(
        access.readable_persons(user).select_related("collection__key").order_by("-created_at")[:PAGE_SIZE]
    )
    named = reading.person_names(user=user, user_private_key=private_key(request), persons=rows)
    return render(request, "documentation/persons.html", {"named": named})


@require_http_methods(["GET", "POST"])
@documenters
@keys_handled
def person_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    options, by_id = collection_options(request, user)
    if not options:
        return redirect("documentation:collections")
    form = PersonForm(request.POST if request.method == "POST" else None, collections=options)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            identity = persons.Identity(
                name=data["name"],
                aliases=data["aliases"].splitlines(),
                birth=data["birth"],
                phone=data["phone"],
                notes=data["notes"],
            )
            try:
                created, _repeated = once(
                    request,
                    lambda: str(
                        persons.add_person(
                            actor=user,
                            user_private_key=private_key(request),
                            collection=by_id[data["collection"]],
                            identity=identity,
                        ).pk
                    ),
                )
                return redirect("documentation:person", person_id=created)
            except services.DocumentationRefused as exc:
                refuse(form, exc)
    context = {"form": form, "submission_token": receipts.new_token()}
    return render(request, "documentation/person_new.html", context, status=status)


def _person_page(
    request: HttpRequest,
    person_id: uuid.UUID,
    *,
    match_form: forms.Form | None = None,
    case_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    user = staff_user(request)
    person = access.get_person_for_documenter(user, person_id)
    view = reading.person_for_documenter(user=user, user_private_key=private_key(request), person=person)
    context = {
        "view": view,
        "match_form": match_form or MatchForm(),
        "case_form": case_form or PersonCaseForm(auto_id="id_case_%s"),
        "case_link": links.describe_case(user, view.case_id),
        "earlier": corrections.person_versions(
            user=user, user_private_key=private_key(request), person=person
        ),
    }
    return render(request, "documentation/person.html", context, status=status)


@require_GET
@documenters
@keys_handled
def person(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    return _person_page(request, person_id)


@require_POST
@documenters
@keys_handled
def match_decide(request: HttpRequest, match_id: uuid.UUID, person_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    access.get_person_for_documenter(user, person_id)
    match = access.get_match_for_documenter(user, match_id)
    if person_id not in {match.person_id, match.other_id}:
        raise Http404
    form = MatchForm(request.POST)
    if form.is_valid():
        persons.decide_match(actor=user, match=match, same=form.cleaned_data["same"])
        return redirect("documentation:person", person_id=person_id)
    return _person_page(request, person_id, match_form=form, status=400)


@require_http_methods(["GET", "POST"])
@documenters
@keys_handled
def source_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    options, by_id = collection_options(request, user)
    if not options:
        return redirect("documentation:collections")
    form = SourceForm(request.POST if request.method == "POST" else None, collections=options)
    status = 200
    created_code = ""
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                created, _repeated = once(
                    request,
                    lambda: str(
                        persons.add_source(
                            actor=user,
                            user_private_key=private_key(request),
                            collection=by_id[data["collection"]],
                            kind=data["kind"],
                            description=data["description"],
                            person_code=data["person"],
                        ).code
                    ),
                )
                created_code = created
                form = SourceForm(collections=options)
                status = 200
            except services.DocumentationRefused as exc:
                refuse(form, exc)
    context = {"form": form, "created_code": created_code, "submission_token": receipts.new_token()}
    return render(request, "documentation/source_new.html", context, status=status)


@require_POST
@documenters
@keys_handled
def information_add(request: HttpRequest, event_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    event = access.get_event_for_documenter(user, event_id)
    taken_from = links.origin_from_value(user, request.POST.get("taken_from", ""))
    form = InformationForm(
        request.POST,
        auto_id="id_info_%s",
        origins=[(links.origin_value(taken_from), "")] if taken_from else [],
    )
    if form.is_valid():
        data = form.cleaned_data
        entry = persons.InformationInput(
            source_code=data["source"],
            connection=data["connection"],
            reliability=data["reliability"],
            credibility=data["credibility"],
            date=data["date"],
            count=data["count"],
            statement=data["statement"],
        )
        try:
            once(
                request,
                lambda: str(
                    persons.add_information(
                        actor=user,
                        user_private_key=private_key(request),
                        event=event,
                        data=entry,
                        origin=taken_from,
                    ).pk
                ),
            )
            return redirect("documentation:event", event_id=event.pk)
        except services.DocumentationRefused as exc:
            refuse(form, exc)
    return event_page(request, event, information=form, status=400)


@require_POST
@documenters
@keys_handled
def intervention_add(request: HttpRequest, event_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    event = access.get_event_for_documenter(user, event_id)
    form = InterventionForm(request.POST, auto_id="id_int_%s")
    if form.is_valid():
        data = form.cleaned_data
        entry = interventions.InterventionInput(
            intervention_type=data["intervention_type"],
            body=data["body"],
            date=data["date"],
            reference=data["reference"],
            response=data["response"],
            response_date=data["response_date"],
            notes=data["notes"],
            follows=data["follows"],
        )
        try:
            once(
                request,
                lambda: str(
                    interventions.add_intervention(
                        actor=user, user_private_key=private_key(request), event=event, data=entry
                    ).pk
                ),
            )
            return redirect("documentation:event", event_id=event.pk)
        except services.DocumentationRefused as exc:
            refuse(form, exc)
    return event_page(request, event, intervention=form, status=400)


@require_POST
@documenters
@keys_handled
def response_record(request: HttpRequest, event_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    event = access.get_event_for_documenter(user, event_id)
    own = {str(i.pk): i for i in Intervention.objects.filter(event=event)}
    form = ResponseForm(request.POST, auto_id="id_resp_%s", interventions=[(pk, pk) for pk in own])
    if form.is_valid():
        data = form.cleaned_data
        try:
            interventions.record_response(
                actor=user,
                intervention=own[data["intervention"]],
                response=data["response"],
                date=data["response_date"],
            )
            return redirect("documentation:event", event_id=event.pk)
        except services.DocumentationRefused as exc:
            refuse(form, exc)
    return event_page(request, event, response=form, status=400)


@require_POST
@documenters
@keys_handled
def person_case(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """Link a person to their evacuation case (or remove the link)."""
    user = staff_user(request)
    person = access.get_person_for_documenter(user, person_id)
    form = PersonCaseForm(request.POST, auto_id="id_case_%s")
    if form.is_valid():
        try:
            written = links.link_person_to_case(
                actor=user,
                user_private_key=private_key(request),
                person=person,
                case_code=form.cleaned_data["case"],
            )
            messages.success(
                request,
                ngettext(
                    "The link was recorded; %(count)d copy on the case was written.",
                    "The link was recorded; %(count)d copies on the case were written.",
                    written,
                )
                % {"count": written},
            )
            return redirect("documentation:person", person_id=person.pk)
        except services.DocumentationRefused as exc:
            refuse(form, exc)
    return _person_page(request, person_id, case_form=form, status=400)


@require_POST
@documenters
@keys_handled
def event_copies(request: HttpRequest, event_id: uuid.UUID) -> HttpResponse:
    """Bring the caseworkers' copies of this event up to date, on the cases this documenter holds."""
    user = staff_user(request)
    event = access.get_event_for_documenter(user, event_id)
    written = links.update_case_copies(actor=user, user_private_key=private_key(request), event=event)
    messages.success(
        request,
        ngettext("%(count)d copy on a case was written.", "%(count)d copies on cases were written.", written)
        % {"count": written},
    )
    return redirect("documentation:event", event_id=event.pk)


@require_http_methods(["GET", "POST"])
@documenters
@keys_handled
def event_correct(request: HttpRequest, event_id: uuid.UUID) -> HttpResponse:
    """Correct an event's title and description; the earlier version is kept and listed here."""
    user = staff_user(request)
    event = access.get_event_for_documenter(user, event_id)
    status = 200
    if request.method == "POST":
        form = CorrectionForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                corrections.correct_event(
                    actor=user,
                    user_private_key=private_key(request),
                    event=event,
                    title=data["title"],
                    description=data["description"],
                    reason=data["reason"],
                )
                messages.success(request, _("The event was corrected; the earlier version is kept."))
                return redirect("documentation:event", event_id=event.pk)
            except services.DocumentationRefused as exc:
                refuse(form, exc)
    current = corrections.event_with_versions(user=user, user_private_key=private_key(request), event=event)
    if request.method != "POST":
        form = CorrectionForm(initial={"title": current.title, "description": current.description})
    context = {"event": event, "form": form, "current": current}
    return render(request, "documentation/event_correct.html", context, status=status)


def _act_initial(act: Act, victim: str, notes: str) -> dict[str, object]:
    return {
        "act_type": act.act_type,
        "methods": act.methods,
        "victim_kind": act.victim_kind,
        "victim": victim,
        "count_min": act.count_min,
        "count_best": act.count_best,
        "count_max": act.count_max,
        "date": act.date,
        "place": act.place,
        "site": str(act.site_id or ""),
        "status_at_end": act.status_at_end,
        "notes": notes,
    }


@require_http_methods(["GET", "POST"])
@documenters
@keys_handled
def act_correct(request: HttpRequest, event_id: uuid.UUID, act_id: uuid.UUID) -> HttpResponse:
    """Correct an act's fields; the earlier version is kept with the event's earlier versions."""
    user = staff_user(request)
    event = access.get_event_for_documenter(user, event_id)
    act = access.get_act_for_documenter(user, act_id)
    if act.event_id != event.pk:
        raise Http404
    status = 200
    form = ActCorrectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            entry = act_input(data)
            try:
                corrections.correct_act(
                    actor=user,
                    user_private_key=private_key(request),
                    act=act,
                    data=entry,
                    reason=data["reason"],
                )
                messages.success(request, _("The act was corrected; the earlier version is kept."))
                return redirect("documentation:event", event_id=event.pk)
            except services.DocumentationRefused as exc:
                refuse(form, exc)
    else:
        current = corrections.act_as_recorded(user=user, user_private_key=private_key(request), act=act)
        form = ActCorrectionForm(initial=_act_initial(act, current[0], current[1]))
    context = {"event": event, "act": act, "form": form}
    return render(request, "documentation/act_correct.html", context, status=status)
