from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tremplin.core.audit import Action, filters_summary, record
from tremplin.core.permissions import UserLike, changeable_or_404, readable_or_404
from tremplin.core.scope import scope_of
from tremplin.core.views import apply_errors, submitted
from tremplin.learners.models import Learner

from . import selectors, services
from .forms import (
    AttendanceFormSet,
    CohortFilterForm,
    OutcomesForm,
    ParticipantForm,
    SessionForm,
)
from .models import Cohort, Participant, Session
from .permissions import is_staff

INDEX = "Émergence"
OUTCOMES = ("project_presented", "business_plan_written", "continued_after_release")


def _require_staff(user: UserLike) -> None:
    """The Émergence pages show personal data: for the roles that run the programme only."""
    if not is_staff(scope_of(user)):
        raise PermissionDenied("Votre rôle ne donne pas accès au dispositif Émergence.")


def _cohort_label(cohort: Cohort) -> str:
    return f"{cohort.establishment.label} — {cohort.academic_year}"


def _crumbs(cohort: Cohort | None = None, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    crumbs = [(INDEX, reverse("emergence:cohorts"))]
    if cohort is not None:
        crumbs.append((_cohort_label(cohort), reverse("emergence:cohort", args=[cohort.pk])))
    return [*crumbs, *rest]


def _cohorts() -> Any:
    return Cohort.objects.select_related("establishment__disp")


def _form_page(
    request: HttpRequest, form: Any, title: str, cohort: Cohort, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "emergence/form.html",
        {
            "title": title,
            "form": form,
            "cohort": cohort,
            "cancel": reverse("emergence:cohort", args=[cohort.pk]),
            "breadcrumb": _crumbs(cohort, (title, "")),
            **extra,
        },
        status=400 if form.errors else 200,
    )


@require_GET
def cohort_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request.user)
    form = CohortFilterForm(
        request.GET or None,
        years=selectors.academic_years(request.user),
        establishments=selectors.establishments(request.user),
    )
    filters = selectors.CohortFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.CohortFilters(
            academic_year=data["academic_year"],
            establishment=data["establishment"].pk if data["establishment"] else None,
        )
    rows = list(selectors.cohorts(request.user, filters, today=timezone.localdate()))
    record(
        request,
        Action.LIST,
        Cohort,
        f"{len(rows)} cohortes, filtres {filters_summary(request.GET)}",
    )
    return render(
        request,
        "emergence/cohort_list.html",
        {
            "title": "Cohortes Émergence",
            "form": form,
            "rows": rows,
            "breadcrumb": [(INDEX, "")],
        },
        status=400 if form.errors else 200,
    )


@require_GET
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request.user)
    cohort = readable_or_404(request.user, _cohorts(), pk=pk)
    today = timezone.localdate()
    rows = selectors.participant_rows(cohort, request.user, today=today)
    sessions = list(selectors.cohort_sessions(cohort))
    record(request, Action.VIEW, cohort, f"{len(rows)} participants, {len(sessions)} séances")
    return render(
        request,
        "emergence/cohort_detail.html",
        {
            "title": str(cohort),
            "cohort": cohort,
            "rows": rows,
            "sessions": sessions,
            "held": sum(1 for s in sessions if s.date <= today),
            "today": today,
            "can_change": Cohort.permissions.can_change(request.user, cohort),
            "breadcrumb": _crumbs(None, (_cohort_label(cohort), "")),
        },
    )


@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request.user)
    cohort = changeable_or_404(request.user, _cohorts(), pk=pk)
    form = SessionForm(
        request.POST or None,
        initial={"modality": Session.Modality.ON_SITE, "facilitator": cohort.facilitator},
    )
    done = submitted(
        request,
        form,
        lambda data: services.save_session(
            cohort,
            on=data["date"],
            modality=data["modality"],
            topic=data["topic"],
            facilitator=data["facilitator"],
        ),
        audit=lambda session: (Action.CREATE, session, f"{cohort} : {session}"),
        success=lambda session: f"Séance du {session.date:%d/%m/%Y} enregistrée.",
        then=lambda session: redirect("emergence:cohort", cohort.pk),
    )
    if done is not None:
        return done
    return _form_page(request, form, "Nouvelle séance", cohort)


@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request.user)
    session = changeable_or_404(
        request.user, Session.objects.select_related("cohort__establishment__disp"), pk=pk
    )
    cohort = session.cohort
    form = SessionForm(
        request.POST or None,
        initial={
            "date": session.date,
            "modality": session.modality,
            "topic": session.topic,
            "facilitator": session.facilitator,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_session(
                cohort,
                session=session,
                on=data["date"],
                modality=data["modality"],
                topic=data["topic"],
                facilitator=data["facilitator"],
            )
        except ValidationError as exc:
            session.refresh_from_db()
            apply_errors(form, exc)
        else:
            record(request, Action.UPDATE, session, f"{cohort} : {session}")
            messages.success(request, "Séance enregistrée.")
            return redirect("emergence:cohort", cohort.pk)
    return _form_page(request, form, f"Modifier la séance du {session.date:%d/%m/%Y}", cohort)


@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The attendance sheet of a session: every participant of the cohort in one form."""
    _require_staff(request.user)
    session = changeable_or_404(
        request.user, Session.objects.select_related("cohort__establishment__disp"), pk=pk
    )
    cohort = session.cohort
    participants = list(
        cohort.participants.select_related("learner").order_by(
            "learner__last_name", "learner__first_name", "pk"
        )
    )
    recorded = selectors.attendance_of(session)
    initial = [
        {
            "participant": p.pk,
            "present": recorded[p.pk].present if p.pk in recorded else False,
            "note": recorded[p.pk].note if p.pk in recorded else "",
        }
        for p in participants
    ]
    held = session.date <= timezone.localdate()
    formset = AttendanceFormSet(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if not formset.is_valid():
            status = 400
        elif [f.cleaned_data["participant"] for f in formset.forms] != [p.pk for p in participants]:
            status = 409
            messages.warning(
                request,
                "La liste des participants a changé depuis l'ouverture de la feuille : rien n'a "
                "été enregistré. Vérifiez puis enregistrez à nouveau.",
            )
            formset = AttendanceFormSet(initial=initial)
        else:
            entries = [
                services.AttendanceEntry(
                    participant_id=f.cleaned_data["participant"],
                    present=f.cleaned_data["present"],
                    note=f.cleaned_data["note"],
                )
                for f in formset.forms
            ]
            try:
                summary = services.record_attendance(session, entries, today=timezone.localdate())
            except ValidationError as exc:
                status = 400
                for message in exc.messages:
                    messages.error(request, message)
            else:
                record(
                    request,
                    Action.UPDATE,
                    session,
                    f"émargement : {summary.present} présent(s) sur {summary.total}",
                )
                messages.success(
                    request,
                    f"Émargement enregistré : {summary.present} présent(s) sur {summary.total}.",
                )
                return redirect("emergence:cohort", cohort.pk)
    else:
        record(
            request, Action.VIEW, session, f"feuille d'émargement, {len(participants)} participants"
        )
    by_pk = {p.pk: p for p in participants}
    rows = [(by_pk.get(_participant_of(f, initial, i)), f) for i, f in enumerate(formset.forms)]
    return render(
        request,
        "emergence/attendance.html",
        {
            "title": f"Émargement — séance du {session.date:%d/%m/%Y}",
            "session": session,
            "cohort": cohort,
            "formset": formset,
            "rows": rows,
            "held": held,
            "breadcrumb": _crumbs(cohort, (f"Émargement du {session.date:%d/%m/%Y}", "")),
        },
        status=status,
    )


def _participant_of(form: Any, initial: list[dict[str, Any]], index: int) -> int:
    """The participant a line of the sheet is about (as submitted, or as first shown); 0 for
    none."""
    try:
        return int(form["participant"].value())
    except (TypeError, ValueError):
        return int(initial[index]["participant"]) if index < len(initial) else 0


@require_http_methods(["GET", "POST"])
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request.user)
    cohort = changeable_or_404(request.user, _cohorts(), pk=pk)
    learners = selectors.candidates(cohort, request.user)
    form = ParticipantForm(request.POST or None, learners=learners)
    done = submitted(
        request,
        form,
        lambda _data: services.add_participant(cohort, form.cleaned_data["learner"]),
        audit=lambda participant: (Action.CREATE, participant, f"rejoint {cohort}"),
        success=lambda participant: f"{participant.learner.full_name} rejoint la cohorte.",
        then=lambda participant: redirect("emergence:cohort", cohort.pk),
    )
    if done is not None:
        return done
    if request.method == "GET":
        record(
            request,
            Action.LIST,
            Learner,
            f"candidats à {cohort} : {learners.count()} personnes",
        )
    return _form_page(request, form, "Ajouter un participant", cohort)


@require_http_methods(["GET", "POST"])
def participant_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request.user)
    participant = changeable_or_404(
        request.user,
        Participant.objects.select_related("learner", "cohort__establishment__disp"),
        pk=pk,
    )
    form = OutcomesForm(
        request.POST or None,
        initial={
            "project_presented": participant.project_presented,
            "business_plan_written": participant.business_plan_written,
            "continued_after_release": participant.continued_after_release,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_outcomes(
                participant,
                project_presented=data["project_presented"],
                business_plan_written=data["business_plan_written"],
                continued_after_release=data["continued_after_release"],
            )
        except ValidationError as exc:
            participant.refresh_from_db()
            apply_errors(form, exc)
        else:
            reached = ", ".join(
                str(form.fields[name].label).lower() for name in OUTCOMES if data[name]
            )
            record(request, Action.UPDATE, participant, f"résultats : {reached or 'aucun'}")
            messages.success(request, f"Résultats de {participant.learner.full_name} enregistrés.")
            return redirect("emergence:cohort", participant.cohort_id)
    if request.method == "GET":
        record(request, Action.VIEW, participant, "résultats Émergence")
    return _form_page(
        request,
        form,
        f"Résultats Émergence — {participant.learner.full_name}",
        participant.cohort,
        learner=participant.learner,
    )
