"""The hand-overs to a Cnam centre after a release, and the training passport."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from tremplin.core import actions
from tremplin.core.audit import Action, record
from tremplin.core.permissions import UserLike, readable_or_404
from tremplin.core.views import submitted
from tremplin.learners.models import Learner

from .. import documents, selectors, services
from ..forms import (
    OutcomeForm,
)
from ..models import HandOver
from .common import (
    HANDOVERS,
    pdf_response,
)


def _require_handover_role(user: UserLike) -> None:
    actions.require(user, actions.Action.READ_HANDOVERS)


@require_GET
def handover_list(request: HttpRequest) -> HttpResponse:
    _require_handover_role(request.user)
    # The latest releases first.
    items = list(selectors.hand_overs_for(request.user).order_by("-placement__date", "id"))
    record(request, Action.LIST, HandOver, f"{len(items)} reprises")
    return render(
        request,
        "delivery/handover_list.html",
        {"title": HANDOVERS[0], "items": items, "breadcrumb": [(HANDOVERS[0], "")]},
    )


@require_http_methods(["GET", "POST"])
def handover_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_handover_role(request.user)
    item = readable_or_404(request.user, selectors.hand_overs_for(request.user), pk=pk)
    can_change = HandOver.permissions.can_change(request.user, item)
    form = OutcomeForm(
        request.POST or None,
        initial={"status": item.status if item.status != "pending" else "", "note": item.note},
    )
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("Seul le centre destinataire enregistre la suite donnée.")
        done = submitted(
            request,
            form,
            lambda data: services.record_outcome(
                item, status=data["status"], note=data["note"], by=request.user
            ),
            audit=lambda changed: (
                Action.UPDATE,
                changed,
                f"suite : {changed.get_status_display()}",
            ),
            success="Suite de la reprise enregistrée.",
            then=lambda changed: redirect("delivery:handover", changed.pk),
        )
        if done is not None:
            return done
    else:
        record(request, Action.VIEW, item)
    return render(
        request,
        "delivery/handover_detail.html",
        {
            "title": f"Reprise de formation — {item.learner.full_name}",
            "item": item,
            "form": form,
            "can_change": can_change,
            "breadcrumb": [
                (HANDOVERS[0], reverse(HANDOVERS[1])),
                (item.learner.full_name, ""),
            ],
        },
        status=400 if form.errors else 200,
    )


@require_GET
def passport(request: HttpRequest, learner_pk: int) -> HttpResponse:
    """The passeport formation: for whoever reads the learner, or the hand-over's centre."""
    hand_overs = HandOver.permissions.readable(
        request.user,
        HandOver.objects.filter(learner_id=learner_pk).select_related("centre__commune"),
    ).order_by("-placement__date", "-id")
    hand_over = hand_overs.first()
    learner = Learner.permissions.readable_few(
        request.user, Learner.objects.filter(Q(pk=learner_pk))
    ).first()
    if learner is None and hand_over is not None:
        learner = hand_over.learner
    if learner is None or learner.status != "released":
        raise Http404("Aucun passeport formation ne correspond.")
    if hand_over is None:
        hand_over = (
            HandOver.objects.filter(learner=learner)
            .select_related("centre__commune")
            .order_by("-placement__date", "-id")
            .first()
        )
    record(request, Action.EXPORT, learner, "passeport formation (PDF)")
    return pdf_response(
        documents.passport_pdf(hand_over, learner),
        f"passeport-formation-{learner.reference}.pdf",
    )
