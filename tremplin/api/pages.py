"""The web pages of the API: each user's tokens; the national coordinator's webhooks."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from tremplin.accounts.models import User
from tremplin.core.audit import Action, record
from tremplin.core.http import uncompressed
from tremplin.core.scope import scope_of

from .forms import EndpointForm, TokenForm
from .models import ApiToken, WebhookDelivery, WebhookEndpoint
from .tokens import create_token, revoke_token
from .webhooks import new_secret, retry

SHOWN_DELIVERIES = 100


def _user(request: HttpRequest) -> User:
    """The signed-in user (LoginRequiredMiddleware lets no one else through)."""
    assert isinstance(request.user, User)
    return request.user


@require_http_methods(["GET", "POST"])
@uncompressed  # the new token, once
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None, request=request)
    secret = None
    if request.method == "POST" and form.is_valid():
        token, secret = create_token(
            _user(request),
            name=form.cleaned_data["name"],
            expires_at=form.expires_at(),
            read_only=form.cleaned_data["read_only"],
        )
        record(request, Action.CREATE, token, f"jeton d'API {token.prefix}… « {token.name} »")
        form = TokenForm(request=request)
    context = {
        "title": "Jetons d'accès à l'API",
        "form": form,
        "secret": secret,
        "tokens": ApiToken.objects.filter(user=_user(request)),
    }
    # Never stored (the page may show a secret): tremplin.core.http.PrivateCacheMiddleware.
    return render(
        request, "api/tokens.html", context, status=400 if form.is_bound and form.errors else 200
    )


@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=_user(request))
    if token.revoked_at is None:
        revoke_token(token)
        record(request, Action.UPDATE, token, f"jeton d'API {token.prefix}… révoqué")
        messages.success(request, f"Le jeton « {token.name} » ({token.prefix}…) est révoqué.")
    return redirect("api_pages:tokens")


def _require_national(request: HttpRequest) -> None:
    if not scope_of(request.user).everything:
        raise PermissionDenied("Les webhooks sont réservés à la coordination nationale.")


@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest) -> HttpResponse:
    _require_national(request)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        endpoint = WebhookEndpoint.objects.create(
            url=form.cleaned_data["url"],
            description=form.cleaned_data["description"],
            events=form.cleaned_data["events"],
            active=form.cleaned_data["active"],
            secret=new_secret(),
            created_by=_user(request),
        )
        messages.success(
            request, "Destinataire ajouté : transmettez-lui le secret de signature ci-dessous."
        )
        return redirect("api_pages:endpoint", pk=endpoint.pk)
    status_filter = request.GET.get("etat", "")
    deliveries = WebhookDelivery.objects.select_related("endpoint")
    if status_filter in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status_filter)
    context = {
        "title": "Webhooks",
        "form": form,
        "endpoints": WebhookEndpoint.objects.all(),
        "deliveries": deliveries[:SHOWN_DELIVERIES],
        "statuses": WebhookDelivery.Status.choices,
        "status_filter": status_filter,
    }
    return render(request, "api/webhooks.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@uncompressed  # the signing secret, at every request
def endpoint(request: HttpRequest, pk: int) -> HttpResponse:
    _require_national(request)
    found = get_object_or_404(WebhookEndpoint, pk=pk)
    if request.method == "POST" and request.POST.get("new_secret"):
        found.secret = new_secret()
        found.save(update_fields=["secret"])
        messages.success(request, "Nouveau secret : l'ancien ne signe plus les envois.")
        return redirect("api_pages:endpoint", pk=found.pk)
    initial = {
        "url": found.url,
        "description": found.description,
        "events": found.events,
        "active": found.active,
    }
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        for name in ("url", "description", "events", "active"):
            setattr(found, name, form.cleaned_data[name])
        found.save()
        messages.success(request, "Destinataire enregistré.")
        return redirect("api_pages:endpoint", pk=found.pk)
    context = {
        "title": f"Webhooks — {found.url}",
        "endpoint": found,
        "form": form,
        "deliveries": found.deliveries.all()[:SHOWN_DELIVERIES],
    }
    return render(request, "api/endpoint.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def delivery(request: HttpRequest, pk: int) -> HttpResponse:
    _require_national(request)
    found = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"), pk=pk)
    if request.method == "POST" and found.status == WebhookDelivery.Status.FAILED:
        retry(found)
        messages.success(request, "L'envoi sera retenté au prochain passage.")
        return redirect("api_pages:delivery", pk=found.pk)
    record(request, Action.VIEW, found, f"contenu de l'envoi {found.event_id}")
    context = {
        "title": f"Envoi {found.event}",
        "delivery": found,
        "attempts": found.log.all(),
        "payload": json.dumps(found.payload, ensure_ascii=False, indent=2),
    }
    return render(request, "api/delivery.html", context)


app_name = "api_pages"
urlpatterns = [
    path("jetons/", tokens, name="tokens"),
    path("jetons/<int:pk>/revoquer/", revoke, name="revoke"),
    path("webhooks/", webhooks, name="webhooks"),
    path("webhooks/<int:pk>/", endpoint, name="endpoint"),
    path("webhooks/envois/<int:pk>/", delivery, name="delivery"),
]
