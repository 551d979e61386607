"""Conventions: every signed-in user reads them and the progress of their objectives; the
national coordinator creates and edits them (403 for anybody else)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tremplin.core import actions
from tremplin.core.permissions import permissions_of, readable_or_404
from tremplin.core.views import apply_errors

from . import selectors, services
from .forms import ConventionForm, ObjectiveForm
from .indicators import INDICATORS
from .models import Convention, Objective

View = Callable[..., HttpResponse]


def _can_edit(request: HttpRequest) -> bool:
    return permissions_of(Convention).can_change(request.user)


def _editor_required(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _can_edit(request):
            raise PermissionDenied("Seule la coordination nationale modifie les conventions.")
        return view(request, *args, **kwargs)

    return wrapped


def _crumbs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    return [("Conventions", reverse("conventions:list")), *items]


@require_GET
def convention_list(request: HttpRequest) -> HttpResponse:
    actions.require(request.user, actions.Action.READ_CONVENTIONS)
    return render(
        request,
        "conventions/list.html",
        {
            "title": "Conventions de partenariat",
            "overviews": selectors.conventions_overview(),
            "can_edit": _can_edit(request),
        },
    )


@require_GET
def convention_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actions.require(request.user, actions.Action.READ_CONVENTIONS)
    convention = readable_or_404(request.user, selectors.conventions_for_display(), pk=pk)
    return _detail_page(request, convention, ObjectiveForm() if _can_edit(request) else None)


def _detail_page(
    request: HttpRequest,
    convention: Convention,
    objective_form: ObjectiveForm | None,
    status: int = 200,
) -> HttpResponse:
    progress = selectors.convention_progress(convention)
    used = dict.fromkeys(p.indicator_key for p in progress)
    return render(
        request,
        "conventions/detail.html",
        {
            "title": f"Erreur : {convention.title}"
            if objective_form is not None and objective_form.errors
            else convention.title,
            "convention": convention,
            "scope_text": selectors.scope_description(convention),
            "progress": progress,
            "definitions": [INDICATORS[key] for key in used if key in INDICATORS],
            "can_edit": _can_edit(request),
            "objective_form": objective_form,
            "breadcrumb": _crumbs((convention.title, "")),
        },
        status=status,
    )


@_editor_required
@require_http_methods(["GET", "POST"])
def convention_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    convention = get_object_or_404(Convention, pk=pk) if pk is not None else None
    initial = ConventionForm.initial_for(convention) if convention else None
    form = ConventionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if convention is None:
                saved = services.create_convention(form.spec())
            else:
                saved = services.update_convention(convention, form.spec())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Convention « {saved.title} » enregistrée.")
            return redirect("conventions:detail", saved.pk)
    title = (
        f"Modifier la convention « {convention.title} »" if convention else "Nouvelle convention"
    )
    crumbs = (
        _crumbs(
            (convention.title, reverse("conventions:detail", args=[convention.pk])),
            ("Modifier", ""),
        )
        if convention
        else _crumbs(("Nouvelle convention", ""))
    )
    return render(
        request,
        "conventions/form.html",
        {
            "title": title,
            "form": form,
            "cancel": reverse("conventions:detail", args=[convention.pk])
            if convention
            else reverse("conventions:list"),
            "breadcrumb": crumbs,
        },
        status=400 if form.errors else 200,
    )


@_editor_required
@require_POST
def objective_add(request: HttpRequest, pk: int) -> HttpResponse:
    convention = get_object_or_404(selectors.conventions_for_display(), pk=pk)
    form = ObjectiveForm(request.POST)
    if form.is_valid():
        try:
            objective = services.add_objective(convention, form.spec())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Objectif « {objective.label} » ajouté.")
            return redirect(reverse("conventions:detail", args=[pk]) + "#objectifs")
    return _detail_page(request, convention, form, status=400)


@_editor_required
@require_http_methods(["GET", "POST"])
def objective_edit(request: HttpRequest, pk: int, objective_pk: int) -> HttpResponse:
    objective = get_object_or_404(
        Objective.objects.select_related("convention"), pk=objective_pk, convention_id=pk
    )
    form = ObjectiveForm(request.POST or None, initial=ObjectiveForm.initial_for(objective))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_objective(objective, form.spec())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Objectif « {objective.label} » enregistré.")
            return redirect(reverse("conventions:detail", args=[pk]) + "#objectifs")
    convention = objective.convention
    detail = reverse("conventions:detail", args=[pk])
    return render(
        request,
        "conventions/form.html",
        {
            "title": f"Modifier l'objectif « {objective.label} »",
            "form": form,
            "cancel": detail,
            "breadcrumb": _crumbs((convention.title, detail), ("Modifier un objectif", "")),
        },
        status=400 if form.errors else 200,
    )


@_editor_required
@require_POST
def objective_delete(request: HttpRequest, pk: int, objective_pk: int) -> HttpResponse:
    objective = get_object_or_404(Objective, pk=objective_pk, convention_id=pk)
    services.delete_objective(objective)
    messages.success(request, f"Objectif « {objective.label} » supprimé.")
    return redirect(reverse("conventions:detail", args=[pk]) + "#objectifs")
