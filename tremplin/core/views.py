from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tremplin.accounts.models import User

from .selectors import INTRODUCTIONS, home_cards


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    return render(
        request,
        "core/home.html",
        {
            "title": "Accueil",
            "introduction": INTRODUCTIONS.get(user.role, ""),
            "cards": home_cards(user),
        },
    )


@require_GET
def sources(request: HttpRequest) -> HttpResponse:
    return render(request, "core/sources.html", {"title": "Sources et licences des données"})


@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def form_errors_from(form: forms.BaseForm) -> list[str]:
    """A form's errors as sentences, for a message after a redirect."""
    lines = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        lines += [f"{label} : {e}" if label else str(e) for e in errors]
    return lines
