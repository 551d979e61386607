"""The packages of the UEs taught at distance (national coordination)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from tremplin.catalog.models import TeachingUnit
from tremplin.core.audit import Action, record
from tremplin.core.permissions import UserLike
from tremplin.core.views import submitted

from .. import selectors, services
from ..forms import (
    PackageForm,
)
from ..models import Delivery, MaterialPackage
from .common import (
    INDEX,
    PACKAGES,
    require_logistics,
)


def _require_package_editor(user: UserLike) -> None:
    if not MaterialPackage.permissions.can_change(user):
        raise PermissionDenied(
            "Seule la coordination nationale crée, modifie et supprime les supports de cours."
        )


def _unit_or_404(request: HttpRequest, code: str) -> TeachingUnit:
    require_logistics(request.user)
    return get_object_or_404(selectors.package_units(), code=code)


def _package_or_404(request: HttpRequest, code: str, pk: int) -> MaterialPackage:
    unit = _unit_or_404(request, code)
    _require_package_editor(request.user)
    return get_object_or_404(MaterialPackage.objects.select_related("unit"), pk=pk, unit=unit)


def _package_crumbs(unit: TeachingUnit | None = None, *rest: tuple[str, str]) -> Any:
    crumbs = [(INDEX[0], reverse(INDEX[1])), (PACKAGES[0], reverse(PACKAGES[1]))]
    if unit is not None:
        crumbs.append((unit.code, reverse("delivery:unit_packages", args=[unit.code])))
    return [*crumbs, *rest]


@require_GET
def package_units(request: HttpRequest) -> HttpResponse:
    require_logistics(request.user)
    units = list(selectors.package_units())
    return render(
        request,
        "delivery/package_units.html",
        {
            "title": PACKAGES[0],
            "units": units,
            "can_change": MaterialPackage.permissions.can_change(request.user),
            "breadcrumb": [(INDEX[0], reverse(INDEX[1])), (PACKAGES[0], "")],
        },
    )


@require_GET
def unit_packages(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_or_404(request, code)
    return render(
        request,
        "delivery/unit_packages.html",
        {
            "title": f"Supports de cours — {unit.code} {unit.title}",
            "unit": unit,
            "packages": list(selectors.unit_packages(unit)),
            "can_change": MaterialPackage.permissions.can_change(request.user),
            "breadcrumb": _package_crumbs(None, (unit.code, "")),
        },
    )


def _package_form_page(
    request: HttpRequest, unit: TeachingUnit, form: PackageForm, title: str
) -> HttpResponse:
    return render(
        request,
        "delivery/form.html",
        {
            "title": title,
            "form": form,
            "cancel": reverse("delivery:unit_packages", args=[unit.code]),
            "breadcrumb": _package_crumbs(unit, (title, "")),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def package_create(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_or_404(request, code)
    _require_package_editor(request.user)
    following = MaterialPackage.objects.filter(unit=unit).order_by("-position").first()
    form = PackageForm(
        request.POST or None,
        request.FILES or None,
        initial={"position": following.position + 1 if following else 1},
    )
    done = submitted(
        request,
        form,
        lambda data: services.create_package(
            unit,
            title=data["title"],
            kind=data["kind"],
            position=data["position"],
            file=data["file"],
        ),
        audit=lambda package: (Action.CREATE, package, f"support {package}"),
        success=lambda package: f"Support « {package.title} » ajouté à {unit.code}.",
        then=lambda _: redirect("delivery:unit_packages", unit.code),
    )
    return done or _package_form_page(request, unit, form, f"Nouveau support de {unit.code}")


@require_http_methods(["GET", "POST"])
def package_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    package = _package_or_404(request, code, pk)
    unit = package.unit
    form = PackageForm(
        request.POST or None,
        request.FILES or None,
        initial={"title": package.title, "kind": package.kind, "position": package.position},
        current_file=(package.file.name or "") if package.file else "",
    )
    done = submitted(
        request,
        form,
        lambda data: services.update_package(
            package,
            title=data["title"],
            kind=data["kind"],
            position=data["position"],
            file=data["file"],
            clear_file=bool(data.get("clear_file")),
        ),
        audit=lambda changed: (Action.UPDATE, changed, f"support {changed}"),
        success=lambda changed: f"Support « {changed.title} » modifié.",
        then=lambda _: redirect("delivery:unit_packages", unit.code),
    )
    return done or _package_form_page(request, unit, form, f"Modifier « {package.title} »")


@require_http_methods(["GET", "POST"])
def package_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    package = _package_or_404(request, code, pk)
    unit = package.unit
    sent = Delivery.objects.filter(package=package).count()
    error = ""
    if request.method == "POST":
        summary = f"support n° {package.pk} supprimé : {package}"
        try:
            services.delete_package(package)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            record(request, Action.UPDATE, MaterialPackage, summary)
            messages.success(request, f"Support « {package.title} » supprimé.")
            return redirect("delivery:unit_packages", unit.code)
    return render(
        request,
        "delivery/package_delete.html",
        {
            "title": f"Supprimer « {package.title} »",
            "package": package,
            "sent": sent,
            "error": error,
            "cancel": reverse("delivery:unit_packages", args=[unit.code]),
            "breadcrumb": _package_crumbs(unit, ("Supprimer", "")),
        },
        status=400 if error else 200,
    )
