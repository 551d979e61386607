from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from tremplin.core import actions
from tremplin.core.audit import Action, record
from tremplin.core.permissions import changeable_or_404
from tremplin.core.views import submitted
from tremplin.learners.models import Learner

from . import selectors, services
from .forms import InterviewForm
from .models import Interview


@require_http_methods(["GET", "POST"])
def interview_create(request: HttpRequest, learner_pk: int) -> HttpResponse:
    learner = changeable_or_404(request.user, Learner.objects.all(), pk=learner_pk)
    form = InterviewForm(request.POST or None)
    done = submitted(
        request,
        form,
        lambda data: services.record_interview(
            learner,
            on=data["date"],
            kind=data["kind"],
            by=request.user,
            duration_minutes=data["duration_minutes"],
            notes=data["notes"],
            next_steps=data["next_steps"],
        ),
        audit=lambda interview: (Action.CREATE, interview, ""),
        success=lambda interview: "Entretien enregistré.",
        then=lambda interview: redirect("learners:detail", learner.pk),
    )
    if done is not None:
        return done
    record(request, Action.VIEW, learner, "formulaire « Saisir un entretien »")
    return render(
        request,
        "learners/form.html",
        {
            "title": "Saisir un entretien",
            "form": form,
            "learner": learner,
            "cancel": reverse("learners:detail", args=[learner.pk]),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    actions.require(request.user, actions.Action.READ_CASELOAD)
    rows = selectors.caseload(request.user)
    record(request, Action.LIST, Interview, f"suivi : {len(rows)} apprenants")
    return render(
        request,
        "followup/caseload.html",
        {"title": "Suivi des apprenants", "rows": rows, "alerts": sum(1 for r in rows if r.alerts)},
    )
