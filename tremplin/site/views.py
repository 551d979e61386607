"""The site's own pages: home, sources, accessibility, personal data, the CSRF failure."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
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
        "site/home.html",
        {
            "title": "Accueil",
            "introduction": INTRODUCTIONS.get(user.role, ""),
            "cards": home_cards(user),
        },
    )


@login_not_required
@require_GET
def sources(request: HttpRequest) -> HttpResponse:
    return render(request, "site/sources.html", {"title": "Sources et licences des données"})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", {"title": "Formulaire expiré"}, status=403)


@login_not_required
@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "site/accessibility.html", {"title": "Déclaration d’accessibilité"})


@login_not_required
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "site/privacy.html", {"title": "Données personnelles"})
