"""Session lifetime and two-factor authentication, enforced for every view.

`TwoFactorMiddleware` runs before every view: a signed-in user whose role requires two-factor
authentication (or who enrolled anyway) and whose session is not verified reaches only the public
pages, the two-factor pages and the logout; anything else sends them to the verification page (or
to the enrolment page when they have no authenticator yet). A view cannot forget it: the rule is
here, not in the views. Under `/api/`, an `Authorization` header (even empty) is the credential
and the API's authentication judges it (tremplin/api/authentication.py), never falling back to
the session; without the header, a session that has not passed its second factor gets a 401
JSON answer here already. The API's documentation page is a page like the others: an unverified
session is sent to the verification page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from .twofactor import API_TWO_FACTOR_REQUIRED, must_verify, totp_device

LOGIN_AT = "tremplin_login_at"
SEEN_AT = "tremplin_seen_at"  # when a request last pushed the idle expiry back
API_PREFIX = "/api/"

View = TypeVar("View", bound=Callable[..., Any])


def two_factor_not_required(view: View) -> View:
    """Mark a view that an unverified session may reach (the two-factor pages, the logout)."""
    view.two_factor_not_required = True  # type: ignore[attr-defined]
    return view


class SessionLifetimeMiddleware:
    """Ends a session SESSION_MAX_HOURS after its login, whatever the activity, and pushes its
    idle expiry back (SESSION_COOKIE_AGE from now) at most once every
    TREMPLIN_SESSION_REFRESH_SECONDS: a page does not write its session back (one UPDATE and
    one commit per request), a request a minute after the last write does."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            login_at = request.session.get(LOGIN_AT)
            now = int(time.time())
            if login_at is None:
                request.session[LOGIN_AT] = now
            elif now - int(login_at) > settings.TREMPLIN_SESSION_MAX_AGE:
                logout(request)
                messages.info(request, "Votre session a expiré : connectez-vous à nouveau.")
                return HttpResponseRedirect(
                    f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}"
                )
            seen_at = request.session.get(SEEN_AT)
            if seen_at is None or now - int(seen_at) >= settings.TREMPLIN_SESSION_REFRESH_SECONDS:
                request.session[SEEN_AT] = now  # modified: saved with a new expiry
        return self.get_response(request)


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        api_page = request.path == reverse("api:docs")  # a page, whatever DRF says of it
        if request.path.startswith(API_PREFIX) and not api_page:
            if "HTTP_AUTHORIZATION" in request.META or not must_verify(request.user):
                return None
            response = JsonResponse(
                {"detail": API_TWO_FACTOR_REQUIRED, "code": "two_factor_required"}, status=401
            )
            response["WWW-Authenticate"] = 'Bearer realm="tremplin"'
            return response
        if getattr(view_func, "two_factor_not_required", False):
            return None
        if not api_page and not getattr(view_func, "login_required", True):
            return None  # a public page
        if not must_verify(request.user):
            return None
        target = "security:verify" if totp_device(request.user) is not None else "security:enrol"
        url = reverse(target)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(url)
