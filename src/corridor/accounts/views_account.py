"""A staff member's own account: password, second factors, sessions, keys held."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.accounts import keyring, second_factor, services, unlock
from corridor.accounts.decorators import reauth_required, staff_required
from corridor.accounts.forms import EnrolForm, NameForm, PasswordChangeForm
from corridor.accounts.models import Role, StaffSession, User


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@staff_required
@require_GET
def account_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    entitled = keyring.entitled_kinds(user)
    held = keyring.held_kinds(user)
    context = {
        "roles": [Role(r).label for r in sorted(user.role_codes)],
        "keys": [{"kind": k.label, "held": k.value in held} for k in sorted(entitled)],
        "totp_devices": second_factor.confirmed_totp_devices(user),
        "webauthn_keys": user.webauthn_credentials.order_by("created_at"),
        "sessions": StaffSession.objects.filter(user=user),
        "current_session": request.session.get(unlock.STAFF_SESSION),
    }
    return render(request, "accounts/account.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(
                user=user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                keep_session_key=request.session.session_key,
            )
        except ValidationError as exc:
            code = getattr(exc, "code", None)  # a list of validator errors has none
            if code == "throttled":
                unlock.end_session(request, reason="password_change_throttled")
                return redirect("accounts:login")
            form.add_error("current_password" if code == "wrong_password" else "new_password", exc)
        else:
            unlock.mark_reauthenticated(request)
            messages.success(request, _("Your password is changed. Your other sessions were ended."))
            return redirect("accounts:account")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "forced": user.must_change_password},
        status=400 if form.errors else 200,
    )


@staff_required
@reauth_required
@require_http_methods(["GET", "POST"])
def totp_add_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    device = second_factor.unconfirmed_totp_device(user) or second_factor.start_totp_enrolment(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor.confirm_totp_enrolment(
                user=user, device=device, token=form.cleaned_data["code"], name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            messages.success(request, _("The authenticator app is added."))
            return redirect("accounts:account")
    context = {
        "form": form,
        "qr": second_factor.totp_qr_svg_data_uri(device),
        "secret": second_factor.totp_secret_base32(device),
    }
    return render(request, "accounts/totp_add.html", context, status=400 if form.errors else 200)


@staff_required
@reauth_required
@require_POST
def totp_remove_view(request: HttpRequest, device_id: int) -> HttpResponse:
    user = _user(request)
    try:
        second_factor.remove_totp(user=user, device_id=device_id)
    except second_factor.TOTPDevice.DoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The authenticator app is removed."))
    return redirect("accounts:account")


@staff_required
@reauth_required
@require_http_methods(["GET", "POST"])
def webauthn_add_view(request: HttpRequest) -> HttpResponse:
    """Register a security key; needs JavaScript (the browser's WebAuthn API)."""
    user = _user(request)
    form = NameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor.finish_registration(
                request, user, credential_json=form.cleaned_data["credential"], name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The security key is added."))
            return redirect("accounts:account")
    return render(request, "accounts/webauthn_add.html", {"form": form}, status=400 if form.errors else 200)


@staff_required
@reauth_required
@require_POST
def webauthn_options_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        second_factor.registration_options(request, _user(request)), content_type="application/json"
    )


@staff_required
@reauth_required
@require_POST
def webauthn_remove_view(request: HttpRequest, credential_id: int) -> HttpResponse:
    user = _user(request)
    try:
        second_factor.remove_webauthn(user=user, credential_id=credential_id)
    except second_factor.WebAuthnCredential.DoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The security key is removed."))
    return redirect("accounts:account")


@staff_required
@require_POST
def session_end_view(request: HttpRequest, session_id: str) -> HttpResponse:
    user = _user(request)
    staff_session = StaffSession.objects.filter(user=user, pk=session_id).first()
    if staff_session is None:
        raise Http404
    if str(staff_session.pk) == request.session.get(unlock.STAFF_SESSION):
        unlock.end_session(request, reason="logout")
        return redirect("accounts:login")
    services.end_session_by_id(actor=user, staff_session=staff_session)
    messages.success(request, _("That session is ended."))
    return redirect("accounts:account")
