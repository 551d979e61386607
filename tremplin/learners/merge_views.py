"""Pages of a merge: choose the other file, see what would move, merge; undo or confirm."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from tremplin.core.actions import Action as Can
from tremplin.core.actions import can
from tremplin.core.audit import Action, record
from tremplin.core.forms import DsfrForm

from . import identity, merge, selectors
from .models import Learner, LearnerMerge


class MergeForm(DsfrForm):
    other = forms.CharField(
        label="Référence du dossier à fusionner dans celui-ci",
        max_length=40,
        help_text="Tout son contenu passe dans le dossier ouvert ; il devient un renvoi vers "
        "celui-ci. La fusion peut être annulée tant qu'elle n'est pas confirmée.",
    )


def _learner(request: HttpRequest, pk: int) -> Learner:
    learner = selectors.learner_for(request.user, pk)
    if learner is None:
        raise Http404("Aucun apprenant ne correspond.")
    if not can(request.user, Can.MERGE_LEARNERS, learner):
        raise PermissionDenied("La fusion de dossiers est réservée aux coordinations.")
    return learner


@require_http_methods(["GET", "POST"])
def learner_merge(request: HttpRequest, pk: int) -> HttpResponse:
    kept = _learner(request, pk)
    form = MergeForm(request.POST or request.GET or None)
    preview: merge.MergePlan | None = None
    if form.is_bound and form.is_valid():
        reference = form.cleaned_data["other"].strip()
        other = Learner.permissions.readable_few(
            request.user, Learner.objects.filter(reference=reference)
        ).first()
        if other is None:
            form.add_error("other", f"Aucun dossier « {reference} » dans votre périmètre.")
        else:
            preview = merge.plan(kept, other)
            if (
                request.method == "POST"
                and request.POST.get("confirm") == other.reference
                and preview.possible
            ):
                try:
                    done = merge.merge(kept, other, by=request.user)
                except ValidationError as exc:
                    preview.conflicts.extend(exc.messages)
                else:
                    record(request, Action.UPDATE, kept, f"fusion du dossier n° {other.pk}")
                    messages.success(
                        request,
                        f"Dossier {other.reference} fusionné dans celui-ci. Vérifiez-le, puis "
                        "confirmez la fusion (ou annulez-la).",
                    )
                    return redirect("learners:detail", done.kept_id)
    suggestions = [
        other
        for other, readable in selectors.with_readability(
            request.user,
            identity.same_person(
                kept.last_name, kept.first_name, kept.birth_date, exclude=[kept.pk]
            ),
        )
        if readable
    ]
    title = "Fusionner avec un autre dossier"
    return render(
        request,
        "learners/merge.html",
        {
            "title": title,
            "learner": kept,
            "form": form,
            "preview": preview,
            "suggestions": suggestions,
            "breadcrumb": [
                ("Apprenants", reverse("learners:list")),
                (kept.full_name, reverse("learners:detail", args=[kept.pk])),
                (title, ""),
            ],
        },
        status=400 if form.errors or (preview and not preview.possible) else 200,
    )


def _decide(request: HttpRequest, merge_id: int, confirm: bool) -> HttpResponse:
    found = LearnerMerge.objects.filter(pk=merge_id).select_related("kept").first()
    if found is None:
        raise Http404("Aucune fusion ne correspond.")
    _learner(request, found.kept_id)
    try:
        done = (merge.confirm if confirm else merge.undo)(merge_id, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("learners:detail", found.kept_id)
    what = "confirmée" if confirm else "annulée : chaque dossier a retrouvé son contenu"
    record(request, Action.UPDATE, found.kept, f"fusion n° {merge_id} {what.split(' ')[0]}")
    messages.success(request, f"Fusion avec le dossier {done.merged.reference} {what}.")
    return redirect("learners:detail", found.kept_id)


@require_POST
def merge_confirm(request: HttpRequest, merge_id: int) -> HttpResponse:
    return _decide(request, merge_id, confirm=True)


@require_POST
def merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    return _decide(request, merge_id, confirm=False)
