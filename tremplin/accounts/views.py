"""The account's security pages: two-factor enrolment and verification, recovery codes, password
change, logout from every device, and the national coordination's administration of accounts
(password reset links, two-factor reset, unlocking after repeated failures)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_encode
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from tremplin.core.audit import Action, record
from tremplin.core.http import uncompressed
from tremplin.core.roles import Role

from . import services, twofactor
from .forms import ChangePasswordForm, CodeForm, EnrolForm, NewPasswordForm
from .middleware import two_factor_not_required
from .models import User

NEW_CODES = "tremplin_new_recovery_codes"
THROTTLED = "Trop d'essais successifs : patientez quelques secondes avant de réessayer."
WRONG_CODE = (
    "Ce code n'est pas le bon. Saisissez le code affiché maintenant par votre application "
    "(vérifiez que l'heure de votre téléphone est juste) ou un code de secours."
)


def security_event(
    request: HttpRequest, target: User | None, summary: str, *, actor: Any = None
) -> None:
    if target is not None and type(target) is not User:
        target = User.objects.get(pk=target.pk)  # request.user is a lazy object
    record(request, Action.SECURITY, target if target is not None else User, summary, user=actor)


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, request: HttpRequest) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next_url(request)})}"


def _verified(request: HttpRequest, device: Any) -> None:
    otp_login(request, device)
    request.session.cycle_key()  # a new session key once the second factor is checked


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The page django-axes shows instead of logging in a locked-out account or address."""
    return render(
        request,
        "accounts/locked_out.html",
        {
            "title": "Connexion bloquée",
            "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )


# --------------------------------------------------------------------------------------------
# Two-factor authentication


@two_factor_not_required
@uncompressed  # the authenticator's secret, the same at every reload
def enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    if twofactor.totp_device(user) is not None:
        # Already enrolled: verify (or carry on when the session is verified).
        if user.is_verified():  # type: ignore[union-attr]
            return redirect(_next_url(request))
        return redirect(_with_next("security:verify", request))
    device = twofactor.pending_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = twofactor.normalise(form.cleaned_data["code"])
        if twofactor.throttled(device):
            form.add_error("code", THROTTLED)
        elif twofactor.check_totp(device, code):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            _verified(request, device)
            request.session[NEW_CODES] = twofactor.new_recovery_codes(user)
            security_event(request, user, "double authentification activée")  # type: ignore[arg-type]
            messages.success(request, "La double authentification est activée.")
            return redirect(_with_next("security:recovery_codes", request))
        else:
            form.add_error("code", WRONG_CODE)
            security_event(request, user, "échec de vérification du code à l'activation")  # type: ignore[arg-type]
    return render(
        request,
        "accounts/enrol.html",
        {
            "title": "Activer la double authentification",
            "form": form,
            "qr_code": twofactor.qr_code_svg(device),
            "secret": twofactor.secret_of(device),
            "next": _next_url(request),
            "required": twofactor.required_for(user),
        },
    )


@two_factor_not_required
def verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_verified():  # type: ignore[union-attr]
        return redirect(_next_url(request))
    device = twofactor.totp_device(user)
    if device is None:
        return redirect(_with_next("security:enrol", request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = twofactor.normalise(form.cleaned_data["code"])
        is_totp = twofactor.TOTP_CODE.match(code) is not None
        candidate = device if is_totp else twofactor.recovery_device(user)
        if candidate is not None and twofactor.throttled(candidate):
            form.add_error("code", THROTTLED)
            security_event(request, user, "vérification refusée : trop d'essais")  # type: ignore[arg-type]
        else:
            checked = (
                verify_token(user, candidate.persistent_id, code) if candidate is not None else None
            )
            if checked is not None:
                _verified(request, checked)
                if not is_totp:
                    left = twofactor.recovery_codes_left(user)
                    security_event(
                        request,
                        user,  # type: ignore[arg-type]
                        f"code de secours utilisé ({left} restant{'s' if left > 1 else ''})",
                    )
                    messages.warning(
                        request,
                        f"Vous vous êtes connecté avec un code de secours : il ne servira plus. "
                        f"Il vous en reste {left}.",
                    )
                return redirect(_next_url(request))
            form.add_error("code", WRONG_CODE)
            security_event(
                request,
                user,  # type: ignore[arg-type]
                "échec de vérification du code de double authentification"
                if is_totp
                else "échec de vérification d'un code de secours",
            )
    return render(
        request,
        "accounts/verify.html",
        {"title": "Double authentification", "form": form, "next": _next_url(request)},
    )


@uncompressed  # the recovery codes
def recovery_codes(request: HttpRequest) -> HttpResponse:
    user = request.user
    codes = request.session.pop(NEW_CODES, None)
    return render(
        request,
        "accounts/recovery_codes.html",
        {
            "title": "Codes de secours",
            "codes": [twofactor.display_code(c) for c in codes or []],
            "left": twofactor.recovery_codes_left(user),
            "enrolled": twofactor.totp_device(user) is not None,
            "next": _next_url(request),
        },
    )


@require_POST
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if twofactor.totp_device(user) is None:
        return redirect("security:enrol")
    request.session[NEW_CODES] = twofactor.new_recovery_codes(user)
    security_event(request, user, "nouveaux codes de secours générés")  # type: ignore[arg-type]
    return redirect("security:recovery_codes")


# --------------------------------------------------------------------------------------------
# The account


def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "title": "Sécurité de mon compte",
            "enrolled": twofactor.totp_device(user) is not None,
            "required": twofactor.required_for(user),
            "left": twofactor.recovery_codes_left(user),
            "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
        },
    )


@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    user = request.user
    services.logout_everywhere(user)
    security_event(request, user, "déconnexion de tous les appareils")  # type: ignore[arg-type]
    logout(request)
    messages.success(request, "Vous êtes déconnecté de tous les appareils.")
    return redirect(settings.LOGIN_URL)


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ChangePasswordForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("security:account")
    extra_context = {"title": "Changer mon mot de passe"}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        security_event(self.request, form.user, "mot de passe changé")
        messages.success(
            self.request,
            "Votre mot de passe est changé ; vos autres sessions sont fermées.",
        )
        return response


# --------------------------------------------------------------------------------------------
# Password reset through a link made by the national coordination


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("security:password_reset_done")
    post_reset_login = False
    extra_context = {"title": "Choisir un nouveau mot de passe"}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        security_event(
            self.request, form.user, "mot de passe réinitialisé par lien", actor=form.user
        )
        return response


password_reset_confirm = two_factor_not_required(PasswordResetConfirmView.as_view())
password_reset_done = two_factor_not_required(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_done.html",
        extra_context={"title": "Mot de passe changé"},
    )
)


# --------------------------------------------------------------------------------------------
# Administration of accounts (national coordination)


def _require_administrator(request: HttpRequest) -> None:
    user = request.user
    if not (user.is_superuser or getattr(user, "role", None) == Role.NATIONAL_COORDINATOR):
        raise PermissionDenied


def _locked_out() -> list[AccessAttempt]:
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return list(AccessAttempt.objects.filter(attempt_time__gte=since).order_by("-attempt_time"))


def users(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    people = list(User.objects.order_by("username"))
    enrolled = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    attempts = _locked_out()
    limit = settings.AXES_FAILURE_LIMIT
    # Locks are per account (AXES_LOCKOUT_PARAMETERS): an address alone is never locked.
    failures_by_user: dict[str, int] = {}
    for attempt in attempts:
        if attempt.username:
            failures_by_user[attempt.username] = (
                failures_by_user.get(attempt.username, 0) + attempt.failures_since_start
            )
    rows = [
        {
            "user": person,
            "enrolled": person.pk in enrolled,
            "locked": failures_by_user.get(person.username, 0) >= limit,
        }
        for person in people
    ]
    return render(
        request,
        "accounts/users.html",
        {
            "title": "Comptes et sécurité",
            "rows": rows,
            "locked_usernames": sorted(name for name, n in failures_by_user.items() if n >= limit),
            "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
    )


@require_POST
def user_reset_link(request: HttpRequest, pk: int) -> HttpResponse:
    _require_administrator(request)
    person = get_object_or_404(User, pk=pk)
    path = reverse(
        "security:password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(person.pk)),
            default_token_generator.make_token(person),
        ],
    )
    security_event(
        request, person, f"lien de réinitialisation du mot de passe créé pour {person.username}"
    )
    return render(
        request,
        "accounts/reset_link.html",
        {
            "title": "Lien de réinitialisation",
            "person": person,
            "link": request.build_absolute_uri(path),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
    )


@require_POST
def user_reset_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    _require_administrator(request)
    person = get_object_or_404(User, pk=pk)
    services.reset_two_factor(person)
    security_event(request, person, f"double authentification réinitialisée pour {person.username}")
    messages.success(
        request,
        f"La double authentification de {person.username} est réinitialisée : "
        "le compte en activera une nouvelle à sa prochaine connexion.",
    )
    return redirect("security:users")


@require_POST
def unlock(request: HttpRequest) -> HttpResponseBase:
    _require_administrator(request)
    username = request.POST.get("username", "").strip()
    if username:
        axes_reset(username=username)
        target = User.objects.filter(username=username).first()
        security_event(request, target, f"compte débloqué : {username}")
        messages.success(request, f"Le compte {username} est débloqué.")
    return redirect("security:users")
