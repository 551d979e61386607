from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tremplin.core.permissions import change_required, permissions_of
from tremplin.core.views import apply_errors, form_errors_from

from . import selectors, services
from .forms import (
    EditionForm,
    FormationForm,
    OfferForm,
    RequirementsForm,
    SectorForm,
    TeachingUnitForm,
)
from .lheo import LheoRefused, edition_lheo
from .models import Edition, Formation, FormationOffer, Modality, Sector, TeachingUnit, UnitOffer
from .pdf import catalogue_pdf


def _crumbs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    return [("Catalogue", reverse("catalog:index")), *items]


def _visible_editions(request: HttpRequest) -> QuerySet[Edition]:
    """Drafts are work in progress: only the catalogue's editors see them."""
    editions = Edition.objects.all()
    if not permissions_of(Edition).can_change(request.user):
        editions = editions.exclude(status=Edition.Status.DRAFT)
    return editions


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    editions = _visible_editions(request).annotate(
        formations=Count("formation_offers", distinct=True),
        units=Count("unit_offers", distinct=True),
    )
    return render(
        request,
        "catalog/index.html",
        {
            "title": "Catalogue",
            "editions": editions,
            "sectors": Sector.objects.annotate(
                unit_count=Count("teaching_units", distinct=True),
                formation_count=Count("formations", distinct=True),
            ),
            "sector_form": SectorForm(),
            "edition_form": EditionForm(),
        },
    )


@require_GET
def edition(request: HttpRequest, year: str) -> HttpResponse:
    ed = get_object_or_404(_visible_editions(request), year=year)
    return _edition_page(request, ed, OfferForm() if ed.is_editable else None)


def _edition_page(
    request: HttpRequest, ed: Edition, offer_form: OfferForm | None, status: int = 200
) -> HttpResponse:
    content = selectors.edition_content(ed)
    return render(
        request,
        "catalog/edition.html",
        {
            "title": ed.title,
            "edition": ed,
            "content": content,
            "summary_items": selectors.summary_items(content["summary"]),
            "offer_form": offer_form,
            "offers": _offers(ed) if ed.is_editable else None,
            "breadcrumb": _crumbs((f"Édition {ed.year}", "")),
        },
        status=status,
    )


def _offers(ed: Edition) -> list[FormationOffer | UnitOffer]:
    formations = FormationOffer.objects.filter(edition=ed).select_related("formation")
    units = UnitOffer.objects.filter(edition=ed).select_related("unit")
    return [*formations, *units]


@require_GET
def edition_pdf(request: HttpRequest, year: str) -> HttpResponse:
    ed = get_object_or_404(_visible_editions(request), year=year)
    response = HttpResponse(catalogue_pdf(ed), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="catalogue-cnam-psmj-{ed.year}.pdf"'
    return response


@require_GET
def edition_lheo_view(request: HttpRequest, year: str) -> HttpResponse:
    """The edition in LHEO 2.3 for the Carif-Oref network; refused with the list of what is
    missing (shown on the edition's page)."""
    ed = get_object_or_404(_visible_editions(request), year=year)
    try:
        data = edition_lheo(ed)
    except LheoRefused as exc:
        messages.error(
            request, "Export LHEO refusé. À compléter : " + " ; ".join(exc.problems) + "."
        )
        return redirect("catalog:edition", ed.year)
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="offre-lheo-cnam-psmj-{ed.year}.xml"'
    return response


@change_required(Edition)
@require_POST
def edition_create(request: HttpRequest) -> HttpResponse:
    form = EditionForm(request.POST)
    if form.is_valid():
        ed = services.save_form(form)
        messages.success(request, f"Édition {ed.year} créée en brouillon.")
        return redirect("catalog:edition", ed.year)
    for error in form_errors_from(form):
        messages.error(request, error)
    return redirect("catalog:index")


@change_required(Edition)
@require_http_methods(["GET", "POST"])
def edition_edit(request: HttpRequest, year: str) -> HttpResponse:
    ed = get_object_or_404(Edition, year=year)
    if not ed.is_editable:
        messages.error(request, services.EditionFrozen(ed).messages[0])
        return redirect("catalog:edition", ed.year)
    form = EditionForm(request.POST or None, instance=ed)
    if request.method == "POST" and form.is_valid():
        services.save_form(form)
        messages.success(request, "Édition enregistrée.")
        return redirect("catalog:edition", ed.year)
    return render(
        request,
        "catalog/form.html",
        {
            "title": f"Modifier l'édition {ed.year}",
            "form": form,
            "cancel": reverse("catalog:edition", args=[ed.year]),
            "breadcrumb": _crumbs(
                (f"Édition {ed.year}", reverse("catalog:edition", args=[ed.year])), ("Modifier", "")
            ),
        },
        status=400 if form.errors else 200,
    )


@change_required(Edition)
@require_POST
def edition_add_offers(request: HttpRequest, year: str) -> HttpResponse:
    ed = get_object_or_404(Edition, year=year)
    if not ed.is_editable:
        messages.error(request, services.EditionFrozen(ed).messages[0])
        return redirect("catalog:edition", ed.year)
    form = OfferForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        where = services.Where(data["scope"], list(data["disps"]), data["establishments"])
        try:
            count = services.add_offers(ed, data["codes"], modality=data["modality"], where=where)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                "1 offre ajoutée ou mise à jour."
                if count == 1
                else f"{count} offres ajoutées ou mises à jour.",
            )
            return redirect(reverse("catalog:edition", args=[ed.year]) + "#offres")
    return _edition_page(request, ed, form, status=400)


@change_required(Edition)
@require_POST
def edition_withdraw_offer(request: HttpRequest, year: str, kind: str, pk: int) -> HttpResponse:
    offer: FormationOffer | UnitOffer
    if kind == "formation":
        offer = get_object_or_404(FormationOffer, pk=pk, edition__year=year)
    else:
        offer = get_object_or_404(UnitOffer, pk=pk, edition__year=year)
    try:
        services.withdraw_offer(offer)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"{offer} retiré(e) de l'édition.")
    return redirect(reverse("catalog:edition", args=[year]) + "#offres")


@change_required(Edition)
@require_POST
def edition_publish(request: HttpRequest, year: str) -> HttpResponse:
    ed = get_object_or_404(Edition, year=year)
    try:
        services.publish(ed)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"Édition {year} publiée : son contenu est désormais figé.")
    return redirect("catalog:edition", year)


@change_required(Edition)
@require_POST
def edition_copy(request: HttpRequest, year: str) -> HttpResponse:
    ed = get_object_or_404(Edition, year=year)
    try:
        copy = services.copy_to_next_year(ed)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("catalog:edition", year)
    messages.success(request, f"Édition {copy.year} créée en brouillon à partir de {year}.")
    return redirect("catalog:edition", copy.year)


@change_required(Sector)
@require_POST
def sector_create(request: HttpRequest) -> HttpResponse:
    form = SectorForm(request.POST)
    if form.is_valid():
        messages.success(request, f"Secteur « {services.save_form(form).name} » créé.")
    else:
        for error in form_errors_from(form):
            messages.error(request, error)
    return redirect("catalog:index")


@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:80]
    units = TeachingUnit.objects.select_related("sector").order_by("code")
    if q:
        units = units.filter(Q(code__icontains=q) | Q(title__icontains=q))
    sector = request.GET.get("secteur", "")
    if sector:
        units = units.filter(sector__code=sector)
    modality = request.GET.get("modalite", "")
    if modality in Modality.values:
        units = units.filter(modality=modality)
    return render(
        request,
        "catalog/unit_list.html",
        {
            "title": "Unités d'enseignement",
            "units": units,
            "q": q,
            "sector": sector,
            "modality": modality,
            "sectors": Sector.objects.all(),
            "modalities": Modality.choices,
            "breadcrumb": _crumbs(("Unités d'enseignement", "")),
        },
    )


@require_GET
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(TeachingUnit.objects.select_related("sector"), code=code)
    formations = Formation.objects.filter(
        Q(mandatory_units=unit) | Q(choice_groups__units=unit)
    ).distinct()
    return render(
        request,
        "catalog/unit_detail.html",
        {
            "title": str(unit),
            "unit": unit,
            "formations": formations,
            "editions": Edition.objects.filter(unit_offers__unit=unit).order_by("-year"),
            "breadcrumb": _crumbs(
                ("Unités d'enseignement", reverse("catalog:units")), (unit.code, "")
            ),
        },
    )


@change_required(TeachingUnit)
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    unit = get_object_or_404(TeachingUnit, code=code) if code else None
    form = TeachingUnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        saved = services.save_form(form)
        messages.success(request, f"UE {saved.code} enregistrée.")
        return redirect("catalog:unit", saved.code)
    title = f"Modifier l'UE {unit.code}" if unit else "Nouvelle unité d'enseignement"
    return render(
        request,
        "catalog/form.html",
        {
            "title": title,
            "form": form,
            "cancel": reverse("catalog:unit", args=[unit.code])
            if unit
            else reverse("catalog:units"),
            "breadcrumb": _crumbs(("Unités d'enseignement", reverse("catalog:units")), (title, "")),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def formation_list(request: HttpRequest) -> HttpResponse:
    formations = Formation.objects.select_related("sector").annotate(
        mandatory_count=Count("mandatory_units", distinct=True),
        group_count=Count("choice_groups", distinct=True),
    )
    return render(
        request,
        "catalog/formation_list.html",
        {
            "title": "Formations",
            "formations": formations.order_by("kind", "code"),
            "breadcrumb": _crumbs(("Formations", "")),
        },
    )


@require_GET
def formation_detail(request: HttpRequest, code: str) -> HttpResponse:
    formation = get_object_or_404(Formation.objects.select_related("sector"), code=code)
    return render(
        request,
        "catalog/formation_detail.html",
        {
            "title": str(formation),
            "formation": formation,
            "mandatory": formation.mandatory_units.order_by("code"),
            "groups": formation.choice_groups.prefetch_related("units"),
            "editions": Edition.objects.filter(formation_offers__formation=formation),
            "breadcrumb": _crumbs(
                ("Formations", reverse("catalog:formations")), (formation.code, "")
            ),
        },
    )


@change_required(Formation)
@require_http_methods(["GET", "POST"])
def formation_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    formation = get_object_or_404(Formation, code=code) if code else None
    form = FormationForm(request.POST or None, instance=formation, prefix="f")
    requirements = RequirementsForm(
        request.POST or None,
        initial=RequirementsForm.initial_for(formation) if formation else None,
        prefix="r",
    )
    if request.method == "POST" and form.is_valid() and requirements.is_valid():
        try:
            with transaction.atomic():
                saved = services.save_form(form)
                services.set_requirements(
                    saved,
                    requirements.cleaned_data["mandatory"],
                    requirements.cleaned_data["groups"],
                )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                target = requirements if field in requirements.fields else form
                for error in errors:
                    target.add_error(field if field in target.fields else None, error)
        else:
            messages.success(request, f"Formation {saved.code} enregistrée.")
            return redirect("catalog:formation", saved.code)
    title = f"Modifier la formation {formation.code}" if formation else "Nouvelle formation"
    return render(
        request,
        "catalog/form.html",
        {
            "title": title,
            "form": form,
            "extra_form": requirements,
            "extra_title": "Conditions d'obtention",
            "cancel": reverse("catalog:formation", args=[code])
            if code
            else reverse("catalog:formations"),
            "breadcrumb": _crumbs(("Formations", reverse("catalog:formations")), (title, "")),
        },
        status=400 if form.errors or requirements.errors else 200,
    )
