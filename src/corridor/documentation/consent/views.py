"""Consent pages of a person and of a statement, their record and withdraw forms, and the export.

Documenters holding the collection key only. A write parses its form, calls one service and
redirects; a refusal shows the page again with the reason and status 400, nothing stored.
An export answers with the file itself (never kept on the server) or the form with its error.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.cases.views_common import keys_handled, staff_user
from corridor.documentation import access, sealing
from corridor.documentation.consent import exports, reading, services
from corridor.documentation.consent.access import get_consent_for_documenter, get_statement_for_documenter
from corridor.documentation.consent.forms import ConsentForm, ExportForm, WithdrawForm
from corridor.documentation.consent.models import Withdrawal
from corridor.documentation.keys import open_collection_key
from corridor.documentation.models import Information, Person
from corridor.documentation.persons import read_identity
from corridor.documentation.services import DocumentationRefused
from corridor.documentation.views import documenters, once, private_key, refuse
from corridor.hotline import receipts


def _consent_input(data: dict[str, Any]) -> services.ConsentInput:
    return services.ConsentInput(
        scope=data["scope"],
        given_on=data["given_on"],
        method=data["method"],
        partner=data["partner"],
        mechanism=data["mechanism"],
        notes=data["notes"],
    )


def _page(
    request: HttpRequest,
    *,
    person: Person | None = None,
    information: Information | None = None,
    form: forms.Form | None = None,
    withdraw: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = staff_user(request)
    about = person if person is not None else information
    assert about is not None
    collection = about.collection if isinstance(about, Person) else about.event.collection
    key = open_collection_key(
        user=user, user_private_key=private_key(request), collection=collection, purpose="consent_page"
    )
    context: dict[str, Any] = {
        "form": form or ConsentForm(),
        "withdraw_form": WithdrawForm(),
        "withdraw_errors_for": withdraw[0] if withdraw else "",
        "withdraw_failed": withdraw[1] if withdraw else None,
        "submission_token": receipts.new_token(),
    }
    if person is not None:
        context["person"] = person
        context["name"] = read_identity(key, person).name
        context["consents"] = reading.consent_views(key, reading.consents_of(person=person))
        template = "consent/person.html"
    else:
        assert information is not None
        source_person = information.source.person
        context["information"] = information
        context["statement"] = sealing.open_text(key, information, "statement")
        context["source_description"] = sealing.open_text(key, information.source, "description")
        context["source_person"] = source_person
        context["source_person_name"] = read_identity(key, source_person).name if source_person else ""
        context["consents"] = reading.consent_views(key, reading.consents_of(information=information))
        context["person_consents"] = (
            reading.consent_views(key, reading.consents_of(person=source_person)) if source_person else []
        )
        template = "consent/statement.html"
    return render(request, template, context, status=status)


@require_GET
@documenters
@keys_handled
def person(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    return _page(request, person=access.get_person_for_documenter(staff_user(request), person_id))


@require_POST
@documenters
@keys_handled
def person_record(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    found = access.get_person_for_documenter(user, person_id)
    form = ConsentForm(request.POST)
    if form.is_valid():
        entry = _consent_input(form.cleaned_data)
        try:
            once(
                request,
                lambda: str(
                    services.record_person_consent(
                        actor=user, user_private_key=private_key(request), person=found, data=entry
                    ).pk
                ),
            )
            return redirect("consent:person", person_id=found.pk)
        except DocumentationRefused as exc:
            refuse(form, exc)
    return _page(request, person=found, form=form, status=400)


@require_GET
@documenters
@keys_handled
def statement(request: HttpRequest, information_id: uuid.UUID) -> HttpResponse:
    return _page(request, information=get_statement_for_documenter(staff_user(request), information_id))


@require_POST
@documenters
@keys_handled
def statement_record(request: HttpRequest, information_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    found = get_statement_for_documenter(user, information_id)
    form = ConsentForm(request.POST)
    if form.is_valid():
        entry = _consent_input(form.cleaned_data)
        try:
            once(
                request,
                lambda: str(
                    services.record_statement_consent(
                        actor=user, user_private_key=private_key(request), information=found, data=entry
                    ).pk
                ),
            )
            return redirect("consent:statement", information_id=found.pk)
        except DocumentationRefused as exc:
            refuse(form, exc)
    return _page(request, information=found, form=form, status=400)


@require_POST
@documenters
@keys_handled
def withdraw(request: HttpRequest, consent_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    consent = get_consent_for_documenter(user, consent_id)
    about: dict[str, Any] = (
        {"person": access.get_person_for_documenter(user, consent.person_id)}
        if consent.person_id is not None
        else {"information": get_statement_for_documenter(user, _required(consent.information_id))}
    )
    back = (
        redirect("consent:person", person_id=consent.person_id)
        if consent.person_id
        else redirect("consent:statement", information_id=consent.information_id)
    )
    if Withdrawal.objects.filter(consent=consent).exists():
        # The form sent twice (a double tap, a reload): the withdrawal stands, nothing more to do.
        messages.info(request, _("This consent was already withdrawn."))
        return back
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.withdraw_consent(
                actor=user,
                user_private_key=private_key(request),
                consent=consent,
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                note=form.cleaned_data["note"],
            )
            return back
        except DocumentationRefused as exc:
            refuse(form, exc)
    return _page(request, **about, withdraw=(str(consent.pk), form), status=400)


def _required(value: uuid.UUID | None) -> uuid.UUID:
    assert value is not None  # a consent is of a person or of a statement (a constraint holds it)
    return value


@require_http_methods(["GET", "POST"])
@documenters
@keys_handled
def export(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if request.method == "GET":
        form = ExportForm(initial={"events": request.GET.get("events", "")[:2_000], "format": "json"})
        return render(request, "consent/export.html", {"form": form})
    form = ExportForm(request.POST)
    if form.is_valid():
        codes = form.codes()
        found = list(
            access.readable_events(user).filter(code__in=codes).select_related("collection__key", "site")
        )
        missing = sorted(set(codes) - {e.code for e in found})
        if missing:
            form.add_error("events", _no_events(missing))
        else:
            try:
                purpose = exports.check_purpose(
                    scope=form.cleaned_data["scope"],
                    partner=form.cleaned_data["partner"],
                    mechanism=form.cleaned_data["mechanism"],
                )
                made = exports.export_events(
                    actor=user, user_private_key=private_key(request), events=found, purpose=purpose
                )
                return _download(made, form.cleaned_data["format"])
            except DocumentationRefused as exc:
                refuse(form, exc)
    return render(request, "consent/export.html", {"form": form}, status=400)


def _no_events(codes: list[str]) -> str:
    return _("There is no event with this code in your collections: %(codes)s") % {
        "codes": ", ".join(codes[:10])
    }


def _download(made: exports.Export, kind: str) -> HttpResponse:
    if kind == "text":
        body = render_to_string("consent/export.txt", {"doc": made.document})
        response = HttpResponse(body, content_type="text/plain; charset=utf-8")
        name = f"{made.filename}.txt"
    else:
        response = HttpResponse(
            json.dumps(made.document, ensure_ascii=False, indent=2), content_type="application/json"
        )
        name = f"{made.filename}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
