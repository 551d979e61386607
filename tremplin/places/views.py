from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from . import communes, selectors
from .forms import EstablishmentFilterForm
from .models import CnamCentre, Establishment, MissionLocale


@require_GET
def establishment_list(request: HttpRequest) -> HttpResponse:
    form = EstablishmentFilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else selectors.EstablishmentFilters()
    rows = list(selectors.establishments(filters))
    return render(
        request,
        "places/establishment_list.html",
        {
            "title": "Établissements pénitentiaires",
            "form": form,
            "establishments": rows,
            "disps": selectors.disps_with_counts(),
        },
    )


@require_GET
def establishment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    establishment = get_object_or_404(
        Establishment.objects.select_related(
            "disp", "disp__upr", "commune", "commune__department", "commune__region"
        ),
        pk=pk,
    )
    return render(
        request,
        "places/establishment_detail.html",
        {
            "title": establishment.name,
            "establishment": establishment,
            "breadcrumb": [
                ("Établissements", reverse("places:establishments")),
                (establishment.label, ""),
            ],
        },
    )


@require_GET
def network_map(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "places/map.html",
        {
            "title": "Carte du réseau",
            "map": selectors.network_map(),
            "legend": selectors.disp_legend(),
        },
    )


@require_GET
def partners(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "places/partners.html",
        {
            "title": "Centres Cnam et missions locales",
            "centres": CnamCentre.objects.select_related("commune", "region"),
            "missions_locales": MissionLocale.objects.select_related("commune"),
        },
    )


@require_GET
def commune_suggestions(request: HttpRequest) -> JsonResponse:
    """Communes for what is being typed in a commune field (public reference data, for a signed-in
    user): `?q=st malo` → [{"label": "Saint-Malo (35)", "code": "35288"}, …]."""
    text = request.GET.get("q", "")[:100]
    found = communes.suggestions(text)
    return JsonResponse(
        {"suggestions": [{"label": communes.label(c), "code": c.code} for c in found]}
    )
