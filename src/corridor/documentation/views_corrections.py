"""Correcting a person, a statement and an intervention; each page lists the record's earlier versions."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from corridor.accounts.decorators import role_required
from corridor.accounts.models import Role
from corridor.cases.views_common import keys_handled, staff_user
from corridor.documentation import access, corrections, interventions, persons, services, vocabularies
from corridor.documentation.forms_corrections import (
    InformationCorrectionForm,
    InterventionCorrectionForm,
    PersonCorrectionForm,
)
from corridor.documentation.models import Body, Information, Intervention
from corridor.documentation.views import once, private_key, refuse
from corridor.hotline import receipts

documenters = role_required(Role.DOCUMENTER)


def _correct_once(
    request: HttpRequest, form: forms.Form, correct: Callable[[], models.Model], done: str, then: HttpResponse
) -> HttpResponse | None:
    """Make a checked correction once (a form sent twice leads to the first one's outcome).

    Returns where to go next, or None when the correction was refused (the error is on the form).
    """
    try:
        _made, repeated = once(request, lambda: str(correct().pk))
    except services.DocumentationRefused as exc:
        refuse(form, exc)
        return None
    if not repeated:
        messages.success(request, done)
    return then


@require_http_methods(["GET", "POST"])
@documenters
@keys_handled
def person_correct(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """Correct a person's identity; the earlier version is kept and listed here and on their page."""
    user = staff_user(request)
    person = access.get_person_for_documenter(user, person_id)
    form = PersonCorrectionForm(request.POST if request.method == "POST" else None)
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
            answer = _correct_once(
                request,
                form,
                lambda: corrections.correct_person(
                    actor=user,
                    user_private_key=private_key(request),
                    person=person,
                    identity=identity,
                    reason=data["reason"],
                ),
                _("The person was corrected; the earlier version is kept."),
                redirect("documentation:person", person_id=person.pk),
            )
            if answer is not None:
                return answer
    current, earlier = corrections.person_as_recorded(
        user=user, user_private_key=private_key(request), person=person
    )
    if request.method != "POST":
        form = PersonCorrectionForm(initial={**current.as_dict(), "aliases": "\n".join(current.aliases)})
    context = {"person": person, "form": form, "earlier": earlier, "submission_token": receipts.new_token()}
    return render(request, "documentation/person_correct.html", context, status=status)


def _information_rows(version: corrections.EarlierVersion) -> list[tuple[str, Any]]:
    columns = version.columns
    return [
        (_("Connection"), vocabularies.label("source_connections", str(columns.get("connection", "")))),
        (_("Reliability"), columns.get("reliability")),
        (_("Credibility"), columns.get("credibility")),
        (_("Date"), columns.get("date") or "—"),
        (_("Victims"), columns.get("count") or "—"),
        (_("Says"), version.statement or "—"),
    ]


@require_http_methods(["GET", "POST"])
@documenters
@keys_handled
def information_correct(request: HttpRequest, event_id: uuid.UUID, information_id: uuid.UUID) -> HttpResponse:
    """Correct what a source says about the event; the earlier version is kept and listed here."""
    user = staff_user(request)
    event = access.get_event_for_documenter(user, event_id)
    information = Information.objects.filter(event=event, pk=information_id).select_related("source").first()
    if information is None:
        raise Http404
    form = InformationCorrectionForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            entry = persons.InformationInput(
                source_code=information.source.code,
                connection=data["connection"],
                reliability=data["reliability"],
                credibility=data["credibility"],
                date=data["date"],
                count=data["count"],
                statement=data["statement"],
            )
            answer = _correct_once(
                request,
                form,
                lambda: corrections.correct_information(
                    actor=user,
                    user_private_key=private_key(request),
                    information=information,
                    data=entry,
                    reason=data["reason"],
                ),
                _("The statement was corrected; the earlier version is kept."),
                redirect("documentation:event", event_id=event.pk),
            )
            if answer is not None:
                return answer
    current = corrections.information_as_recorded(
        user=user, user_private_key=private_key(request), information=information
    )
    if request.method != "POST":
        form = InformationCorrectionForm(
            initial={
                "connection": information.connection,
                "reliability": information.reliability,
                "credibility": information.credibility,
                "date": information.date,
                "count": information.count,
                "statement": current.sealed["statement"],
            }
        )
    context = {
        "event": event,
        "information": information,
        "form": form,
        "earlier": [(v, _information_rows(v)) for v in current.earlier],
        "submission_token": receipts.new_token(),
    }
    return render(request, "documentation/information_correct.html", context, status=status)


def _intervention_rows(version: corrections.EarlierVersion) -> list[tuple[str, Any]]:
    columns = version.columns
    body = str(columns.get("body", ""))
    return [
        (
            _("Type of intervention"),
            vocabularies.label("intervention_types", str(columns.get("intervention_type", ""))),
        ),
        (_("Addressed to"), Body(body).label if body in Body.values else body),
        (_("Date sent"), columns.get("date") or "—"),
        (_("Reference"), version.reference or "—"),
        (_("Notes"), version.notes or "—"),
    ]


@require_http_methods(["GET", "POST"])
@documenters
@keys_handled
def intervention_correct(
    request: HttpRequest, event_id: uuid.UUID, intervention_id: uuid.UUID
) -> HttpResponse:
    """Correct an intervention's type, body, date, reference and notes; the earlier version is kept."""
    user = staff_user(request)
    event = access.get_event_for_documenter(user, event_id)
    intervention = Intervention.objects.filter(event=event, pk=intervention_id).first()
    if intervention is None:
        raise Http404
    form = InterventionCorrectionForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            entry = interventions.InterventionInput(
                intervention_type=data["intervention_type"],
                body=data["body"],
                date=data["date"],
                reference=data["reference"],
                notes=data["notes"],
            )
            answer = _correct_once(
                request,
                form,
                lambda: corrections.correct_intervention(
                    actor=user,
                    user_private_key=private_key(request),
                    intervention=intervention,
                    data=entry,
                    reason=data["reason"],
                ),
                _("The intervention was corrected; the earlier version is kept."),
                redirect("documentation:event", event_id=event.pk),
            )
            if answer is not None:
                return answer
    current = corrections.intervention_as_recorded(
        user=user, user_private_key=private_key(request), intervention=intervention
    )
    if request.method != "POST":
        form = InterventionCorrectionForm(
            initial={
                "intervention_type": intervention.intervention_type,
                "body": intervention.body,
                "date": intervention.date,
                **current.sealed,
            }
        )
    context = {
        "event": event,
        "intervention": intervention,
        "form": form,
        "earlier": [(v, _intervention_rows(v)) for v in current.earlier],
        "submission_token": receipts.new_token(),
    }
    return render(request, "documentation/intervention_correct.html", context, status=status)
