from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.forms import formset_factory
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tremplin.catalog.academic import academic_year_of
from tremplin.catalog.models import TeachingUnit
from tremplin.core import actions
from tremplin.core.audit import Action, record
from tremplin.core.permissions import changeable_or_404, readable_or_404
from tremplin.core.roles import Role
from tremplin.core.scope import scope_of
from tremplin.core.typography import thousands
from tremplin.core.views import submitted
from tremplin.learners.models import Learner

from . import certifications, documents, services
from .forms import ApplicationForm, MoveForm, ResultRowForm, RevokeForm
from .models import Application, Certification, Enrolment

CERTIFICATIONS_PAGE = 50

ResultFormSet = formset_factory(ResultRowForm, extra=0)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest, learner_pk: int) -> HttpResponse:
    learner = changeable_or_404(request.user, Learner.objects.all(), pk=learner_pk)
    form = ApplicationForm(request.POST or None)
    done = submitted(
        request,
        form,
        lambda data: services.submit(
            learner,
            academic_year=data["academic_year"],
            formation=data["formation"],
            unit_codes=data["units"],
            funding=data["funding"],
            motivation=data["motivation"],
            by=request.user,
        ),
        audit=lambda application: (Action.CREATE, application, ""),
        success=lambda application: "Candidature déposée : le RLE peut donner son avis.",
        then=lambda application: redirect("enrolment:application", application.pk),
    )
    if done is not None:
        return done
    record(request, Action.VIEW, learner, "formulaire « Déposer une candidature »")
    return render(
        request,
        "learners/form.html",
        {
            "title": "Déposer une candidature",
            "form": form,
            "learner": learner,
            "cancel": reverse("learners:detail", args=[learner.pk]),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = readable_or_404(
        request.user, Application.objects.select_related("learner", "formation"), pk=pk
    )
    record(request, Action.VIEW, application)
    return render(
        request,
        "enrolment/application_detail.html",
        {
            "title": str(application),
            "application": application,
            "steps": application.steps.select_related("by"),
            "moves": [
                (move, MoveForm(prefix=move.name, initial={"version": application.version}))
                for move in services.allowed_moves(application, request.user)
            ],
            "breadcrumb": [
                ("Apprenants", reverse("learners:list")),
                (
                    application.learner.full_name,
                    reverse("learners:detail", args=[application.learner_id]),
                ),
                ("Candidature", ""),
            ],
        },
    )


@require_POST
def application_move(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    application = readable_or_404(request.user, Application.objects.all(), pk=pk)
    form = MoveForm(request.POST, prefix=move)
    if not form.is_valid():
        messages.error(request, "Formulaire incomplet : rechargez la page.")
        return redirect("enrolment:application", pk)
    try:
        moved = services.move(
            application,
            move,
            by=request.user,
            reason=form.cleaned_data["reason"],
            opinion=form.cleaned_data["opinion"],
            version=form.cleaned_data["version"],
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        record(request, Action.TRANSITION, moved, moved.get_status_display())
        status = moved.get_status_display()
        messages.success(request, f"Candidature : {status[0].lower()}{status[1:]}.")
    return redirect("enrolment:application", pk)


@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    actions.require(request.user, actions.Action.READ_APPLICATIONS)
    status = request.GET.get("statut", "")
    applications = Application.permissions.readable(
        request.user,
        Application.objects.select_related("learner", "formation", "learner__establishment"),
    )
    counts = dict(
        applications.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    if status in Application.Status.values:
        applications = applications.filter(status=status)
    record(request, Action.LIST, Application, f"statut={status}")
    return render(
        request,
        "enrolment/application_list.html",
        {
            "title": "Candidatures",
            "applications": applications.order_by("-created_at")[:200],
            "statuses": [
                (value, label, counts.get(value, 0)) for value, label in Application.Status.choices
            ],
            "status": status,
        },
    )


# --- Results -----------------------------------------------------------------------------------


@require_GET
def grid_index(request: HttpRequest) -> HttpResponse:
    """The grids of one academic year (the current one by default): every UE and year since
    2015 made an 87 KB page and a count over a million enrolments at national scale."""
    enrolments = Enrolment.permissions.readable(request.user, Enrolment.objects.all())
    actions.require(request.user, actions.Action.ENTER_RESULTS)
    years = _years_of(enrolments)
    current = academic_year_of(timezone.localdate())
    asked = request.GET.get("annee", "")
    year = (
        asked
        if asked in years
        else max((y for y in years if y <= current), default=years[-1] if years else current)
    )
    rows = (
        enrolments.filter(academic_year=year)
        .values("unit__code", "unit__title", "academic_year")
        .annotate(total=Count("id"), pending=Count("id", filter=Q(result="pending")))
        .order_by("unit__code")
    )
    return render(
        request,
        "enrolment/grid_index.html",
        {"title": "Saisie des résultats", "rows": rows, "years": years[::-1], "year": year},
    )


def _years_of(enrolments: QuerySet[Enrolment]) -> list[str]:
    """The academic years of these enrolments, oldest first: one index seek per year found
    (a DISTINCT read every enrolment)."""
    years: list[str] = []
    while True:
        after = enrolments.filter(academic_year__gt=years[-1]) if years else enrolments
        found = after.order_by("academic_year").values_list("academic_year", flat=True).first()
        if found is None:
            return years
        years.append(found)


#: A grid shows at most this many learners at once; a larger one (a UE's enrolments across the
#: country: 2,336 on the national demo, a page of 3 MB built in 1.4 s) is entered one
#: establishment at a time.
GRID_ROWS = 300
#: The establishment asked for, in the grid's address: an id, or NO_ESTABLISHMENT.
NO_ESTABLISHMENT = "aucun"


@require_http_methods(["GET", "POST"])
def grid(request: HttpRequest, code: str, year: str) -> HttpResponse:
    unit = get_object_or_404(TeachingUnit, code=code)
    if not Enrolment.permissions.can_grade(request.user, unit.pk):
        raise Http404("Aucune grille ne correspond.")
    readable = Enrolment.permissions.readable(
        request.user,
        Enrolment.objects.filter(unit=unit, academic_year=year).exclude(result="cancelled"),
    )
    places = _grid_places(readable)
    asked = request.GET.get("etablissement", "")
    chosen = next((place for place in places if place["key"] == asked), None)
    if asked and chosen is None:
        raise Http404("Aucun inscrit de cet établissement dans cette grille.")
    total = sum(place["count"] for place in places)
    if chosen is None and total > GRID_ROWS:
        if request.method == "POST":  # a grid opened whole, grown past the limit since
            messages.warning(
                request,
                f"La grille compte désormais {thousands(total)} inscrits : rien n'a été enregistré. "
                "Choisissez l'établissement, puis saisissez à nouveau ses résultats.",
            )
        record(request, Action.VIEW, Enrolment, f"grille {code} {year} : établissements")
        return render(
            request,
            "enrolment/grid_places.html",
            {
                "title": f"Résultats {unit.code} — {year}",
                "unit": unit,
                "year": year,
                "total": total,
                "places": places,
                "breadcrumb": [
                    ("Saisie des résultats", reverse("enrolment:grids")),
                    (f"{unit.code} {year}", ""),
                ],
            },
            status=409 if request.method == "POST" else 200,
        )
    if chosen is not None and asked == NO_ESTABLISHMENT:
        readable = readable.filter(establishment__isnull=True)
    elif chosen is not None:
        readable = readable.filter(establishment_id=int(asked))
    enrolments = list(
        readable.select_related("learner", "establishment").order_by(
            "learner__last_name", "learner__first_name"
        )
    )
    initial = [
        {
            "enrolment": e.pk,
            "version": e.version,
            "result": e.result,
            "grade": e.grade,
            "abandon_reason": e.abandon_reason,
        }
        for e in enrolments
    ]
    formset = ResultFormSet(request.POST or None, initial=initial)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and _rows_changed(formset, enrolments):
        status = 409
        messages.warning(
            request,
            "La liste des inscrits a changé depuis l'ouverture de la grille : rien n'a été "
            "enregistré. Vérifiez puis enregistrez à nouveau.",
        )
        formset = ResultFormSet(initial=initial)
    elif request.method == "POST" and formset.is_valid():
        entries = [
            services.ResultEntry(
                enrolment_id=f.cleaned_data["enrolment"],
                result=f.cleaned_data["result"],
                grade=f.cleaned_data.get("grade"),
                abandon_reason=f.cleaned_data.get("abandon_reason") or "",
                version=f.cleaned_data["version"],
            )
            for f in formset.forms
        ]
        started = timezone.now()
        try:
            changed = services.record_results(entries, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            record(
                request, Action.UPDATE, Enrolment, f"grille {code} {year} : {changed} résultat(s)"
            )
            # Proposed by the consequence of the results (delivery/lifecycle.py), whatever
            # their channel: counted here for the message.
            proposed = Certification.objects.filter(
                learner_id__in={e.learner_id for e in enrolments},
                status=Certification.Status.PROPOSED,
                proposed_at__gte=started,
            )
            messages.success(
                request,
                f"{changed} résultat(s) enregistré(s)."
                + (
                    f" {len(proposed)} certification(s) proposée(s) à la coordination."
                    if proposed
                    else ""
                ),
            )
            here = reverse("enrolment:grid", args=[code, year])
            return redirect(f"{here}?etablissement={asked}" if chosen else here)
    record(request, Action.VIEW, Enrolment, f"grille {code} {year}")
    rows = _pair(enrolments, formset)
    return render(
        request,
        "enrolment/grid.html",
        {
            "title": f"Résultats {unit.code} — {year}",
            "unit": unit,
            "year": year,
            "rows": rows,
            "row_labels": {f.prefix: e.learner.full_name for e, f in rows},
            "formset": formset,
            "chosen": chosen,
            "places": places if len(places) > 1 else [],
            "total": total,
            "all_fit": total <= GRID_ROWS,
            "breadcrumb": [
                ("Saisie des résultats", reverse("enrolment:grids")),
                (f"{unit.code} {year}", ""),
            ],
        },
        status=status,
    )


def _grid_places(enrolments: QuerySet[Enrolment]) -> list[dict[str, Any]]:
    """The establishments of a grid's enrolments, by name, with their number of learners:
    `key` is what the grid's address says (`?etablissement=`), `label` what the page says."""
    counted = (
        enrolments.order_by()
        .values("establishment_id", "establishment__label")
        .annotate(count=Count("id"))
    )
    places = [
        {
            "key": str(row["establishment_id"] or NO_ESTABLISHMENT),
            "label": row["establishment__label"] or "Sans établissement",
            "count": row["count"],
        }
        for row in counted
    ]
    return sorted(places, key=lambda place: (place["key"] == NO_ESTABLISHMENT, place["label"]))


def _posted_ids(formset: object) -> list[int | None]:
    ids = []
    for form in formset.forms:  # type: ignore[attr-defined]
        raw = form["enrolment"].value()
        ids.append(int(raw) if str(raw).isdigit() else None)
    return ids


def _rows_changed(formset: object, enrolments: list[Enrolment]) -> bool:
    """Someone enrolled or cancelled a learner since the grid was opened."""
    return sorted(_posted_ids(formset), key=str) != sorted((e.pk for e in enrolments), key=str)


def _pair(enrolments: list[Enrolment], formset: object) -> list[tuple[Enrolment, forms.Form]]:
    by_id = dict(zip(_posted_ids(formset), formset.forms, strict=True))  # type: ignore[attr-defined]
    return [(e, by_id[e.pk]) for e in enrolments if e.pk in by_id]


# --- Documents and certifications -----------------------------------------------------------------


@require_GET
def transcript(request: HttpRequest, learner_pk: int) -> HttpResponse:
    learner = readable_or_404(request.user, Learner.objects.all(), pk=learner_pk)
    record(request, Action.EXPORT, learner, "relevé de notes (PDF)")
    return _pdf(documents.transcript_pdf(learner), f"releve-de-notes-{learner.reference}.pdf")


@require_GET
def attestation(request: HttpRequest, pk: int) -> HttpResponse:
    certification = readable_or_404(
        request.user, Certification.objects.select_related("learner", "formation"), pk=pk
    )
    if certification.status != Certification.Status.AWARDED:
        raise Http404("Seule une certification délivrée a une attestation.")
    record(request, Action.EXPORT, certification, "attestation (PDF)")
    return _pdf(documents.attestation_pdf(certification), f"attestation-{certification.number}.pdf")


@require_GET
def certification_list(request: HttpRequest) -> HttpResponse:
    actions.require(request.user, actions.Action.READ_CERTIFICATIONS)
    items = Certification.permissions.readable(
        request.user, Certification.objects.select_related("learner", "formation", "establishment")
    )
    record(request, Action.LIST, Certification)
    # The queue is paged: a thousand proposals at national scale made a 220 KB page.
    proposed = Paginator(
        items.filter(status=Certification.Status.PROPOSED), CERTIFICATIONS_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "enrolment/certification_list.html",
        {
            "title": "Certifications",
            "proposed": proposed,
            "awarded": items.filter(status=Certification.Status.AWARDED)[:100],
            "can_award": scope_of(request.user).everything
            or scope_of(request.user).role == Role.REGIONAL_COORDINATOR,
        },
    )


@require_http_methods(["GET", "POST"])
def certification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    certification = readable_or_404(
        request.user,
        Certification.objects.select_related("learner", "formation", "establishment"),
        pk=pk,
    )
    revoke_form = (
        RevokeForm(request.POST or None) if request.POST.get("action") == "revoke" else RevokeForm()
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "award":
                certifications.award(certification, by=request.user)
                record(request, Action.TRANSITION, certification, "délivrée")
                messages.success(request, "Certification délivrée : l'attestation est disponible.")
            elif revoke_form.is_valid():
                certifications.revoke(
                    certification, by=request.user, reason=revoke_form.cleaned_data["reason"]
                )
                record(request, Action.TRANSITION, certification, "retirée")
                messages.success(request, "Certification retirée (elle reste dans l'historique).")
            else:
                raise ValidationError("Indiquez le motif du retrait.")
        except (ValidationError, PermissionDenied) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, message)
        return redirect("enrolment:certification", pk)
    record(request, Action.VIEW, certification)
    path = certifications.progress_for(certification)
    return render(
        request,
        "enrolment/certification_detail.html",
        {
            "title": str(certification),
            "certification": certification,
            "events": certification.events.select_related("by"),
            "progress": path,
            "revoke_form": revoke_form,
            "can_award": scope_of(request.user).everything
            or scope_of(request.user).role == Role.REGIONAL_COORDINATOR,
            "breadcrumb": [
                ("Certifications", reverse("enrolment:certifications")),
                (certification.formation.code, ""),
            ],
        },
    )
