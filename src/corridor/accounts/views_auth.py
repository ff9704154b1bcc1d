"""Sign-in: password, then a second factor (or first enrolment of one), and sign-out."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from corridor.accounts import second_factor, services, unlock
from corridor.accounts.decorators import staff_required
from corridor.accounts.forms import CodeForm, EnrolForm, LoginForm, PasswordForm
from corridor.accounts.models import User
from corridor.audit.services import record_event

NEXT = "corridor_next"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        if services.login_blocked(username):
            form.add_error(
                None,
                _(
                    "Too many failed attempts for this account. Wait a quarter of an hour "
                    "and try again, or ask an administrator."
                ),
            )
        else:
            unlocked = services.unlock_with_password(username, form.cleaned_data["password"])
            if unlocked is None:
                known = User.objects.filter(username__iexact=username.strip()).first()
                services.record_login_failure(username=username, user=known, stage="password")
                form.add_error(None, _("The username or the password is not right."))
            else:
                unlock.begin_pending_login(request, user=unlocked.user, private_key=unlocked.private_key)
                record_event(
                    action="auth.password_verified",
                    actor_id=unlocked.user.pk,
                    target_type="user",
                    target_id=unlocked.user.pk,
                )
                request.session[NEXT] = _safe_next(request, request.GET.get("next"))
                if not second_factor.has_second_factor(unlocked.user):
                    return redirect("accounts:enrol")
                return redirect("accounts:verify")
    return render(request, "accounts/login.html", {"form": form}, status=400 if form.errors else 200)


def _finish(request: HttpRequest, user: User, factor: str) -> str:
    next_url = request.session.pop(NEXT, "")
    unlock.complete_login(request, user=user, factor=factor)
    services.clear_login_failures(user.username)
    if user.must_change_password:
        return reverse("accounts:password_change")
    return _safe_next(request, next_url)


@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    user = unlock.pending_user(request)
    if user is None:
        messages.info(request, _("Sign in again: the sign-in took too long."))
        return redirect("accounts:login")
    if not second_factor.has_second_factor(user):
        return redirect("accounts:enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.login_blocked(user.username):
            unlock.cancel_pending_login(request)
            messages.error(
                request, _("Too many failed attempts for this account. Wait a quarter of an hour.")
            )
            return redirect("accounts:login")
        device = second_factor.verify_totp(user, form.cleaned_data["code"])
        if device is None:
            services.record_login_failure(username=user.username, user=user, stage="second_factor")
            form.add_error(
                "code", _("That code is not right, or it was already used. Wait for the next one.")
            )
        else:
            return redirect(_finish(request, user, "totp"))
    context = {
        "form": form,
        "has_totp": second_factor.confirmed_totp_devices(user).exists(),
        "has_keys": user.webauthn_credentials.exists(),
    }
    return render(request, "accounts/verify.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def enrol_view(request: HttpRequest) -> HttpResponse:
    """First sign-in: a second factor must be set up before the account can be used."""
    user = unlock.pending_user(request)
    if user is None:
        return redirect("accounts:login")
    if second_factor.has_second_factor(user):
        return redirect("accounts:verify")
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
            return redirect(_finish(request, user, "totp"))
    context = {
        "form": form,
        "qr": second_factor.totp_qr_svg_data_uri(device),
        "secret": second_factor.totp_secret_base32(device),
    }
    return render(request, "accounts/enrol.html", context, status=400 if form.errors else 200)


@require_POST
def webauthn_login_options_view(request: HttpRequest) -> HttpResponse:
    user = unlock.pending_user(request)
    if user is None or not user.webauthn_credentials.exists():
        return JsonResponse({"error": _("Sign in again.")}, status=400)
    return HttpResponse(second_factor.authentication_options(request, user), content_type="application/json")


@require_POST
def webauthn_login_view(request: HttpRequest) -> HttpResponse:
    user = unlock.pending_user(request)
    if user is None:
        return JsonResponse({"error": _("Sign in again.")}, status=400)
    if services.login_blocked(user.username):
        unlock.cancel_pending_login(request)
        return JsonResponse({"error": _("Too many failed attempts for this account.")}, status=429)
    credential = second_factor.verify_assertion(
        request, user, credential_json=request.POST.get("credential", "")
    )
    if credential is None:
        services.record_login_failure(username=user.username, user=user, stage="second_factor")
        return JsonResponse({"error": _("The security key was not accepted.")}, status=400)
    return JsonResponse({"redirect": _finish(request, user, "webauthn")})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        unlock.end_session(request, reason="logout")
    else:
        unlock.cancel_pending_login(request)
    messages.info(request, _("You are signed out."))
    return redirect("accounts:login")


@staff_required
@require_http_methods(["GET", "POST"])
def reauth_view(request: HttpRequest) -> HttpResponse:
    """Confirm the password before a sensitive action."""
    user = request.user
    assert isinstance(user, User)
    form = PasswordForm(request.POST or None)
    next_url = _safe_next(request, request.GET.get("next"))
    if request.method == "POST" and form.is_valid():
        if services.login_blocked(user.username):
            unlock.end_session(request, reason="reauth_throttled")
            return redirect("accounts:login")
        if services.unlock_with_password(user.username, form.cleaned_data["password"]) is None:
            services.record_login_failure(username=user.username, user=user, stage="reauth")
            form.add_error("password", _("That password is not right."))
        else:
            unlock.mark_reauthenticated(request)
            record_event(
                action="auth.reauthenticated", actor_id=user.pk, target_type="user", target_id=user.pk
            )
            return redirect(next_url)
    return render(
        request, "accounts/reauth.html", {"form": form, "next": next_url}, status=400 if form.errors else 200
    )
