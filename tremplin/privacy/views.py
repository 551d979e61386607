"""The rights of the person (access, rectification, erasure), exercised by the national
coordination. Every export and every erasure is written to the audit log."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tremplin.core.audit import Action, record
from tremplin.core.permissions import changeable_or_404
from tremplin.core.views import apply_errors
from tremplin.learners.models import Learner

from . import selectors, services
from .documents import subject_pdf
from .forms import ErasureForm
from .models import DataSubject, is_anonymised


def _subject(request: HttpRequest, pk: int) -> Learner:
    """The learner, if the user may exercise the rights on the record: 404 outside their scope,
    403 inside it for any role but the national coordination."""
    found = changeable_or_404(request.user, DataSubject.objects.all(), pk=pk)
    return Learner.objects.select_related("establishment__disp", "mission_locale").get(pk=found.pk)


def _page(
    request: HttpRequest, learner: Learner, form: ErasureForm, *, status: int = 200
) -> HttpResponse:
    document = selectors.subject_data(learner)
    title = "Droits de la personne"
    return render(
        request,
        "privacy/subject.html",
        {
            "title": title,
            "learner": learner,
            "counts": selectors.record_counts(document),
            "obstacles": services.erasure_obstacles(learner),
            "anonymised": is_anonymised(learner),
            "form": form,
            "breadcrumb": [
                ("Apprenants", reverse("learners:list")),
                (learner.full_name, reverse("learners:detail", args=[learner.pk])),
                (title, ""),
            ],
        },
        status=status,
    )


@require_GET
def subject(request: HttpRequest, pk: int) -> HttpResponse:
    learner = _subject(request, pk)
    record(request, Action.VIEW, learner, "droits de la personne")
    return _page(request, learner, ErasureForm())


@require_GET
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    learner = _subject(request, pk)
    document = selectors.subject_data(learner)
    record(request, Action.EXPORT, learner, "droit d'accès : toutes les données (JSON)")
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="donnees-{learner.reference}.json"'
    return response


@require_GET
def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    learner = _subject(request, pk)
    content = subject_pdf(learner, selectors.subject_data(learner))
    record(request, Action.EXPORT, learner, "droit d'accès : toutes les données (PDF)")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="donnees-{learner.reference}.pdf"'
    return response


@require_POST
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    learner = _subject(request, pk)
    form = ErasureForm(request.POST)
    if form.is_valid():
        try:
            learner = services.anonymise(
                learner, request.user, form.cleaned_data["reason"], request=request
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                "Données personnelles effacées : le dossier est désormais anonyme "
                f"(référence {learner.reference}). Les inscriptions, résultats et autres données "
                "comptées dans les bilans sont conservées.",
            )
            return redirect("learners:detail", learner.pk)
    return _page(request, learner, form, status=400)
