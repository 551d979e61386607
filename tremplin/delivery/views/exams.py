"""The exam sessions: creation, candidates, presence, accommodations, convocations, attendance sheets."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tremplin.catalog.academic import academic_year_of
from tremplin.core.audit import Action, record
from tremplin.core.permissions import changeable_or_404, readable_or_404
from tremplin.core.views import errors_as_messages, submitted
from tremplin.enrolment.models import Enrolment

from .. import documents, exams, selectors
from ..forms import (
    AccommodationForm,
    AddCandidatesForm,
    PresenceForm,
    SessionForm,
)
from ..models import ExamRegistration, ExamSession
from .common import (
    crumbs,
    establishment_or_404,
    pdf_response,
    require_logistics,
)


@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    establishment = establishment_or_404(request.user, pk)
    form = SessionForm(request.POST or None, units=exams.session_units(establishment))
    done = submitted(
        request,
        form,
        lambda data: exams.create_session(
            establishment,
            starts_at=data["starts_at"],
            room=data["room"],
            invigilator=data["invigilator"],
            units=data["units"],
            duration_minutes=data["duration_minutes"],
            by=request.user,
        ),
        audit=lambda session: (Action.CREATE, session, ""),
        success=lambda session: (
            f"Session créée avec {session.registrations.count()} inscription(s)."
        ),
        then=lambda session: redirect("delivery:session", session.pk),
    )
    return done or render(
        request,
        "delivery/form.html",
        {
            "title": "Nouvelle session d’examens",
            "form": form,
            "cancel": reverse("delivery:establishment", args=[establishment.pk]),
            "breadcrumb": crumbs(establishment, ("Nouvelle session", "")),
        },
        status=400 if form.errors else 200,
    )


def _session_or_404(request: HttpRequest, pk: int) -> ExamSession:
    require_logistics(request.user)
    return readable_or_404(request.user, ExamSession.objects.select_related("establishment"), pk=pk)


@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    candidates = selectors.session_candidates(session, request.user)
    record(request, Action.VIEW, session, f"{len(candidates)} candidats")
    year = academic_year_of(timezone.localtime(session.starts_at).date())
    units = list(session.units.order_by("code"))
    can_change = ExamSession.permissions.can_change(request.user, session)
    is_past = exams.is_past(session)
    add_form = None
    if can_change and not is_past:
        add_form = AddCandidatesForm(enrolments=_addable(request, session))
    presence_form = None
    if can_change and exams.has_started(session):
        presence_form = PresenceForm(registrations=[r for c in candidates for r in c.registrations])
    grids = [
        (u, reverse("enrolment:grid", args=[u.code, year]))
        for u in units
        if Enrolment.permissions.can_grade(request.user, u.pk)
    ]
    return render(
        request,
        "delivery/session.html",
        {
            "title": str(session),
            "session": session,
            "starts_at": timezone.localtime(session.starts_at),
            "units": units,
            "grids": grids,
            "year": year,
            "candidates": candidates,
            "can_change": can_change,
            "is_past": is_past,
            "add_form": add_form,
            "presence_form": presence_form,
            "accommodation_form": AccommodationForm(),
            "breadcrumb": crumbs(
                session.establishment, (f"Session du {session.starts_at:%d/%m/%Y}", "")
            ),
        },
    )


def _changeable_session_or_404(request: HttpRequest, pk: int) -> ExamSession:
    require_logistics(request.user)
    return changeable_or_404(
        request.user, ExamSession.objects.select_related("establishment"), pk=pk
    )


def _refuse_if_past(request: HttpRequest, session: ExamSession) -> HttpResponse | None:
    try:
        exams.ensure_open(session)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("delivery:session", session.pk)
    return None


@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = _changeable_session_or_404(request, pk)
    refused = _refuse_if_past(request, session)
    if refused is not None:
        return refused
    establishment = session.establishment
    form = SessionForm(
        request.POST or None,
        units=exams.session_units(establishment, session),
        initial={
            "starts_at": timezone.localtime(session.starts_at),
            "duration_minutes": session.duration_minutes,
            "room": session.room,
            "invigilator": session.invigilator,
            "units": list(session.units.all()),
        },
    )

    def changes(counts: tuple[int, int]) -> str:
        return f"{counts[0]} inscription(s) ajoutée(s), {counts[1]} retirée(s)"

    done = submitted(
        request,
        form,
        lambda data: exams.update_session(
            session,
            starts_at=data["starts_at"],
            room=data["room"],
            invigilator=data["invigilator"],
            units=data["units"],
            duration_minutes=data["duration_minutes"],
        ),
        audit=lambda counts: (Action.UPDATE, session, f"session modifiée ; {changes(counts)}"),
        success=lambda counts: f"Session modifiée : {changes(counts)}.",
        then=lambda _: redirect("delivery:session", session.pk),
    )
    return done or render(
        request,
        "delivery/form.html",
        {
            "title": "Modifier la session d’examens",
            "intro": "Une UE ajoutée inscrit ses candidats de l’établissement ; une UE retirée "
            "retire ses inscriptions.",
            "form": form,
            "cancel": reverse("delivery:session", args=[session.pk]),
            "breadcrumb": crumbs(
                establishment,
                (
                    f"Session du {timezone.localtime(session.starts_at):%d/%m/%Y}",
                    reverse("delivery:session", args=[session.pk]),
                ),
                ("Modifier", ""),
            ),
        },
        status=400 if form.errors else 200,
    )


def _addable(request: HttpRequest, session: ExamSession) -> Any:
    return Enrolment.permissions.readable(request.user, exams.addable_enrolments(session))


@require_POST
def session_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = _changeable_session_or_404(request, pk)
    refused = _refuse_if_past(request, session)
    if refused is not None:
        return refused
    form = AddCandidatesForm(request.POST, enrolments=_addable(request, session))
    back = redirect("delivery:session", session.pk)
    return submitted(
        request,
        form,
        lambda data: exams.add_candidates(session, data["enrolments"]),
        audit=lambda created: (Action.UPDATE, session, f"{len(created)} candidat(s) ajouté(s)"),
        success=lambda created: f"{len(created)} inscription(s) ajoutée(s) à la session.",
        then=lambda _: back,
    ) or errors_as_messages(request, form, back)


@require_POST
def registration_remove(request: HttpRequest, pk: int) -> HttpResponse:
    require_logistics(request.user)
    registration = changeable_or_404(
        request.user,
        ExamRegistration.objects.select_related(
            "session__establishment", "enrolment__learner", "enrolment__unit"
        ),
        pk=pk,
    )
    session = registration.session
    refused = _refuse_if_past(request, session)
    if refused is not None:
        return refused
    unit = registration.enrolment.unit.code
    who = f"{registration.enrolment.learner.full_name} ({unit})"
    learner = registration.enrolment.learner
    exams.remove_candidate(registration)
    record(request, Action.UPDATE, learner, f"retiré(e) de la session d'examen n° {session.pk}")
    record(request, Action.UPDATE, session, f"candidat retiré ({unit})")
    messages.success(request, f"{who} retiré(e) de la session.")
    return redirect("delivery:session", session.pk)


@require_POST
def presence(request: HttpRequest, pk: int) -> HttpResponse:
    """Who sat the exams: recorded once the session has begun, and after its day too."""
    session = _changeable_session_or_404(request, pk)
    registrations = [
        r for c in selectors.session_candidates(session, request.user) for r in c.registrations
    ]
    form = PresenceForm(request.POST, registrations=registrations)
    back = redirect("delivery:session", session.pk)
    return submitted(
        request,
        form,
        lambda _: exams.record_presence(session, form.presence()),
        audit=lambda changed: (Action.UPDATE, session, f"présence : {changed} inscription(s)"),
        success=lambda changed: f"Présence enregistrée ({changed} changement(s)).",
        then=lambda _: back,
    ) or errors_as_messages(request, form, back)


@require_POST
def accommodation(request: HttpRequest, pk: int) -> HttpResponse:
    require_logistics(request.user)
    registration = changeable_or_404(
        request.user, ExamRegistration.objects.select_related("session"), pk=pk
    )
    refused = _refuse_if_past(request, registration.session)
    if refused is not None:
        return refused
    form = AccommodationForm(request.POST)
    back = redirect("delivery:session", registration.session_id)
    return submitted(
        request,
        form,
        lambda data: exams.update_accommodation(
            registration,
            accommodation=data["accommodation"],
            extra_time_minutes=data["extra_time_minutes"],
        ),
        audit=lambda _: (Action.UPDATE, registration, "aménagements d'examen"),
        success="Aménagements enregistrés.",
        then=lambda _: back,
    ) or errors_as_messages(request, form, back)


@require_GET
def convocation(request: HttpRequest, pk: int, learner_pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    found = [
        c for c in selectors.session_candidates(session, request.user) if c.learner.pk == learner_pk
    ]
    if not found:
        raise Http404("Aucun candidat ne correspond.")
    candidate = found[0]
    record(request, Action.EXPORT, candidate.learner, f"convocation à {session}")
    return pdf_response(
        documents.convocation_pdf(session, candidate),
        f"convocation-{candidate.learner.reference}-{session.starts_at:%Y-%m-%d}.pdf",
    )


@require_GET
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    candidates = selectors.session_candidates(session, request.user)
    record(request, Action.EXPORT, session, f"feuille d'émargement, {len(candidates)} candidats")
    return pdf_response(
        documents.attendance_pdf(session, candidates),
        f"emargement-{session.establishment_id}-{session.starts_at:%Y-%m-%d}.pdf",
    )
