"""Administration of staff accounts and the granting of organisation keys."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.accounts import access, keyring, services, unlock
from corridor.accounts.decorators import reauth_required, role_required
from corridor.accounts.forms import RolesForm, UserCreateForm
from corridor.accounts.models import OrgKeyKind, Role, User


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _show_temporary_password(request: HttpRequest, user: User, password: str, *, reset: bool) -> HttpResponse:
    return render(
        request,
        "accounts/admin/temporary_password.html",
        {"subject": user, "password": password, "reset": reset},
    )


@role_required(Role.ADMIN)
@require_GET
def user_list_view(request: HttpRequest) -> HttpResponse:
    users = access.list_users_for_admin(_actor(request))
    rows = [{"user": u, "roles": [Role(r).label for r in sorted(u.role_codes)]} for u in users]
    return render(request, "accounts/admin/user_list.html", {"rows": rows})


@role_required(Role.ADMIN)
@reauth_required
@require_http_methods(["GET", "POST"])
def user_create_view(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = services.generate_temporary_password()
        try:
            user = services.create_user(
                actor=actor,
                actor_private_key=unlock.user_private_key(request),
                username=form.cleaned_data["username"],
                password=password,
                roles=set(form.cleaned_data["roles"]),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _show_temporary_password(request, user, password, reset=False)
    return render(
        request, "accounts/admin/user_create.html", {"form": form}, status=400 if form.errors else 200
    )


def _render_detail(request: HttpRequest, subject: User, form: RolesForm) -> HttpResponse:
    held = keyring.held_kinds(subject)
    context = {
        "subject": subject,
        "form": form,
        "held": sorted(OrgKeyKind(k).label for k in held),
        "missing": sorted(OrgKeyKind(k).label for k in keyring.entitled_kinds(subject) - held),
    }
    return render(request, "accounts/admin/user_detail.html", context, status=400 if form.errors else 200)


@role_required(Role.ADMIN)
@require_GET
def user_detail_view(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    subject = access.get_user_for_admin(_actor(request), user_id)
    return _render_detail(request, subject, RolesForm(initial={"roles": sorted(subject.role_codes)}))


@role_required(Role.ADMIN)
@reauth_required
@require_POST
def user_roles_view(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    actor = _actor(request)
    subject = access.get_user_for_admin(actor, user_id)
    form = RolesForm(request.POST)
    if form.is_valid():
        try:
            services.set_roles(actor=actor, user=subject, roles=set(form.cleaned_data["roles"]))
        except ValidationError as exc:
            form.add_error("roles", exc)
        else:
            messages.success(request, _("The roles are saved."))
            return redirect("accounts:user_detail", user_id=subject.pk)
    return _render_detail(request, subject, form)


@role_required(Role.ADMIN)
@reauth_required
@require_POST
def user_reset_password_view(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    actor = _actor(request)
    subject = access.get_user_for_admin(actor, user_id)
    password = services.generate_temporary_password()
    try:
        services.reset_password(
            actor=actor,
            actor_private_key=unlock.user_private_key(request),
            user=subject,
            new_password=password,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:user_detail", user_id=subject.pk)
    return _show_temporary_password(request, subject, password, reset=True)


@role_required(Role.ADMIN)
@reauth_required
@require_POST
def user_reset_factors_view(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    actor = _actor(request)
    subject = access.get_user_for_admin(actor, user_id)
    try:
        services.reset_second_factors(actor=actor, user=subject)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The second factors are removed. The user sets up a new one at next sign-in.")
        )
    return redirect("accounts:user_detail", user_id=subject.pk)


@role_required(Role.ADMIN)
@reauth_required
@require_POST
def user_disable_view(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    actor = _actor(request)
    subject = access.get_user_for_admin(actor, user_id)
    try:
        services.disable_user(actor=actor, user=subject)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The account is disabled and its sessions are ended."))
    return redirect("accounts:user_detail", user_id=subject.pk)


@role_required(Role.ADMIN)
@reauth_required
@require_POST
def user_enable_view(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    actor = _actor(request)
    subject = access.get_user_for_admin(actor, user_id)
    services.enable_user(actor=actor, user=subject)
    messages.success(request, _("The account is enabled."))
    return redirect("accounts:user_detail", user_id=subject.pk)


@role_required(Role.OPERATOR, Role.COORDINATOR)
@require_GET
def key_grants_view(request: HttpRequest) -> HttpResponse:
    """Keys that read or search cases are granted by people who hold them, never by administrators."""
    actor = _actor(request)
    held = keyring.held_kinds(actor)
    pending = [p for p in keyring.pending_grants() if p.kind.value in held]
    return render(request, "accounts/key_grants.html", {"pending": pending})


@role_required(Role.OPERATOR, Role.COORDINATOR)
@reauth_required
@require_POST
def key_grant_view(request: HttpRequest, user_id: uuid.UUID, kind: str) -> HttpResponse:
    actor = _actor(request)
    try:
        key_kind = OrgKeyKind(kind)
    except ValueError:
        raise Http404 from None
    recipient = User.objects.filter(pk=user_id, is_active=True).first()
    # Only what the grants page offers: a key the actor holds, the recipient needs and lacks.
    if (
        recipient is None
        or key_kind.value not in keyring.held_kinds(actor)
        or key_kind not in keyring.entitled_kinds(recipient)
        or key_kind.value in keyring.held_kinds(recipient)
    ):
        raise Http404
    keyring.grant_org_key(
        actor=actor, actor_private_key=unlock.user_private_key(request), recipient=recipient, kind=key_kind
    )
    messages.success(request, _("The key is granted."))
    return redirect("accounts:key_grants")
