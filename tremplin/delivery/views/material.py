"""The course material of an establishment: what to hand out, the returns, the slips, the offline packs."""

from __future__ import annotations

import tempfile
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tremplin.core.audit import Action, record
from tremplin.core.paging import Counted
from tremplin.core.permissions import changeable_or_404
from tremplin.core.views import errors_as_messages, submitted

from .. import documents, selectors, services
from ..forms import (
    HandedForm,
    PackForm,
    ReturnForm,
    SendForm,
)
from ..models import Delivery, ExamSession
from .common import (
    INDEX,
    crumbs,
    distance_units,
    establishment_or_404,
    pdf_response,
    require_logistics,
)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    require_logistics(request.user)
    rows = selectors.summaries(request.user, timezone.localdate())
    if len(rows) == 1:
        return redirect("delivery:establishment", rows[0].establishment.pk)
    record(request, Action.LIST, Delivery, f"{len(rows)} établissements")
    return render(
        request,
        "delivery/index.html",
        {"title": INDEX[0], "rows": rows, "breadcrumb": [(INDEX[0], "")]},
    )


#: The learners of an establishment listed at once for their offline packs (the largest
#: establishment of the national demo has 626 enrolled at distance: a page of 440 KB).
PACKS_PER_PAGE = 50


@require_GET
def establishment_page(request: HttpRequest, pk: int) -> HttpResponse:
    establishment = establishment_or_404(request.user, pk)
    user = request.user
    waiting = list(selectors.waiting_handout(user, establishment))
    awaited = list(selectors.awaited_returns(user, establishment))
    returned = list(selectors.recent_returns(user, establishment)[:20])
    today = timezone.localdate()
    sessions = ExamSession.objects.filter(establishment=establishment).prefetch_related("units")
    searched = " ".join(request.GET.get("apprenant", "").split())
    packs = selectors.pack_learners(user, establishment, searched)
    found = packs.count()
    total = selectors.pack_learners(user, establishment).count() if searched else found
    pack_page = Counted(packs, PACKS_PER_PAGE, found).get_page(request.GET.get("page"))
    record(
        request,
        Action.LIST,
        Delivery,
        f"suivi des supports {establishment.label} : {len(waiting)} à remettre, "
        f"{len(awaited)} devoirs attendus",
    )
    return render(
        request,
        "delivery/establishment.html",
        {
            "title": f"Suivi des supports — {establishment.label}",
            "establishment": establishment,
            "waiting": waiting,
            "awaited": awaited,
            "returned": returned,
            "send_form": SendForm(units=distance_units(establishment)),
            "handed_form": HandedForm(),
            "return_form": ReturnForm(),
            "pack_page": pack_page,
            "pack_total": total,
            "pack_searched": searched,
            "pack_query": urlencode({"apprenant": searched}) if searched else "",
            "pack_form": PackForm(),
            "upcoming": [s for s in sessions if timezone.localtime(s.starts_at).date() >= today],
            "past": [s for s in sessions if timezone.localtime(s.starts_at).date() < today],
            "week": today,
            "breadcrumb": crumbs(None, (establishment.label, "")),
        },
    )


@require_POST
def send(request: HttpRequest, pk: int) -> HttpResponse:
    establishment = establishment_or_404(request.user, pk)
    form = SendForm(request.POST, units=distance_units(establishment))
    back = redirect("delivery:establishment", establishment.pk)
    return submitted(
        request,
        form,
        lambda data: services.send_packages_of_units(
            establishment, data["packages"], on=data["date"], by=request.user
        ),
        audit=lambda created: (
            Action.CREATE,
            Delivery,
            f"envoi de {len(created)} supports "
            f"{', '.join(sorted({p.unit.code for p in form.cleaned_data['packages']}))} "
            f"à {establishment.label}",
        ),
        success=lambda created: f"{len(created)} remise(s) de supports enregistrée(s).",
        then=lambda _: back,
    ) or errors_as_messages(request, form, back)


def _delivery_or_404(request: HttpRequest, pk: int) -> Delivery:
    require_logistics(request.user)
    return changeable_or_404(
        request.user,
        Delivery.objects.select_related("package", "enrolment__learner", "sent_to"),
        pk=pk,
    )


def _back(delivery: Delivery) -> HttpResponse:
    learner = delivery.enrolment.learner
    return redirect("delivery:establishment", learner.establishment_id or delivery.sent_to_id)


@require_POST
def handed(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _delivery_or_404(request, pk)
    form = HandedForm(request.POST)
    return submitted(
        request,
        form,
        lambda data: services.mark_handed(delivery, on=data["date"], by=request.user),
        audit=lambda _: (Action.UPDATE, delivery, f"remis : {delivery.package}"),
        success="Remise enregistrée.",
        then=lambda _: _back(delivery),
    ) or errors_as_messages(request, form, _back(delivery))


@require_POST
def returned(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _delivery_or_404(request, pk)
    form = ReturnForm(request.POST)
    return submitted(
        request,
        form,
        lambda data: services.record_return(
            delivery,
            on=data["date"],
            grade=data["grade"],
            feedback=data["feedback"],
            by=request.user,
        ),
        audit=lambda _: (Action.UPDATE, delivery, f"devoir rendu : {delivery.package}"),
        success="Retour du devoir enregistré.",
        then=lambda _: _back(delivery),
    ) or errors_as_messages(request, form, _back(delivery))


@require_GET
def slip(request: HttpRequest, pk: int) -> HttpResponse:
    establishment = establishment_or_404(request.user, pk)
    try:
        day = date.fromisoformat(request.GET.get("semaine", ""))
    except ValueError:
        day = timezone.localdate()
    lines = list(selectors.slip_lines(request.user, establishment, day))
    monday, _ = selectors.week_of(day)
    record(
        request,
        Action.EXPORT,
        Delivery,
        f"bordereau de remise {establishment.label}, semaine du {monday:%d/%m/%Y}",
    )
    return pdf_response(
        documents.delivery_slip_pdf(establishment, lines, day),
        f"bordereau-{establishment.pk}-{monday:%Y-%m-%d}.pdf",
    )


@require_GET
def pack(request: HttpRequest, pk: int, learner_pk: int) -> FileResponse:
    """A learner's offline pack: the files of the packages of their pending UEs taught at
    distance, of the kinds the establishment lets in, with the cover sheet, in a ZIP."""
    establishment, learner, digital_allowed = _pack_request(request, pk, learner_pk)
    units = selectors.offline_pack(learner, digital_allowed=digital_allowed)
    target = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the FileResponse
    rows = documents.write_offline_pack(
        target, learner, establishment, units, digital_allowed=digital_allowed
    )
    target.seek(0)
    files = sum(1 for _, entries in rows for e in entries if e.path)
    missing = sum(1 for _, entries in rows for e in entries if e.missing == "fichier absent")
    record(
        request,
        Action.EXPORT,
        learner,
        f"pack hors ligne (ZIP) à {establishment.label} : {files} fichier(s)"
        + (f", {missing} absent(s)" if missing else "")
        + (", supports numériques inclus" if digital_allowed else ", sans supports numériques"),
    )
    return FileResponse(
        target,
        as_attachment=True,
        filename=f"pack-{learner.reference}-{timezone.localdate():%Y-%m-%d}.zip",
        content_type="application/zip",
    )


@require_GET
def pack_cover(request: HttpRequest, pk: int, learner_pk: int) -> HttpResponse:
    """The cover sheet of the pack alone, to print."""
    establishment, learner, digital_allowed = _pack_request(request, pk, learner_pk)
    units = selectors.offline_pack(learner, digital_allowed=digital_allowed)
    record(request, Action.EXPORT, learner, f"page de garde du pack hors ligne ({establishment})")
    return pdf_response(
        documents.pack_cover_pdf(
            learner, establishment, documents.pack_rows(units), digital_allowed=digital_allowed
        ),
        f"pack-{learner.reference}-page-de-garde.pdf",
    )


def _pack_request(request: HttpRequest, pk: int, learner_pk: int) -> tuple[Any, Any, bool]:
    establishment = establishment_or_404(request.user, pk)
    learner = selectors.pack_learners(request.user, establishment).filter(pk=learner_pk).first()
    if learner is None:
        raise Http404("Aucun apprenant de cet établissement ne correspond.")
    form = PackForm(request.GET)
    digital_allowed = bool(form.is_valid() and form.cleaned_data["numerique"])
    return establishment, learner, digital_allowed
