from __future__ import annotations

import tempfile
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tremplin.catalog.academic import academic_year_of
from tremplin.catalog.models import Modality, TeachingUnit
from tremplin.core.audit import Action, record
from tremplin.core.permissions import UserLike, changeable_or_404, readable_or_404
from tremplin.core.roles import Role
from tremplin.core.scope import scope_of
from tremplin.core.views import apply_errors, form_errors_from
from tremplin.enrolment.models import Enrolment, Result
from tremplin.learners.models import Learner
from tremplin.places.models import Establishment

from . import documents, exams, selectors, services
from .forms import (
    AccommodationForm,
    AddCandidatesForm,
    HandedForm,
    OutcomeForm,
    PackageForm,
    PackForm,
    PresenceForm,
    ReturnForm,
    SendForm,
    SessionForm,
)
from .models import Delivery, ExamRegistration, ExamSession, HandOver, MaterialPackage
from .permissions import LOGISTICS

INDEX = ("Supports et examens", "delivery:index")
PACKAGES = ("Supports de cours par UE", "delivery:packages")
HANDOVERS = ("Reprises de formation", "delivery:handovers")


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _require_logistics(user: UserLike) -> None:
    scope = scope_of(user)
    if not (scope.everything or scope.role in LOGISTICS):
        raise PermissionDenied("Votre rôle ne donne pas accès aux supports et aux examens.")


def _establishment_or_404(user: UserLike, pk: int) -> Establishment:
    _require_logistics(user)
    found = selectors.establishments_in_scope(user).filter(pk=pk).first()
    if found is None:
        raise Http404("Aucun établissement ne correspond.")
    return found


def _crumbs(establishment: Establishment | None = None, *rest: tuple[str, str]) -> Any:
    crumbs = [(INDEX[0], reverse(INDEX[1]))]
    if establishment is not None:
        crumbs.append(
            (establishment.label, reverse("delivery:establishment", args=[establishment.pk]))
        )
    return [*crumbs, *rest]


def _distance_units(establishment: Establishment) -> Any:
    """The distance or hybrid UEs in which learners detained there have a pending enrolment."""
    pending = Enrolment.objects.filter(
        result=Result.PENDING, learner__establishment=establishment, learner__status="placed"
    ).values("unit_id")
    return TeachingUnit.objects.filter(
        pk__in=pending, modality__in=[Modality.DISTANCE, Modality.HYBRID]
    ).order_by("code")


# --------------------------------------------------------------------------------------------
# Course material
# --------------------------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _require_logistics(request.user)
    rows = selectors.summaries(request.user, timezone.localdate())
    if len(rows) == 1:
        return redirect("delivery:establishment", rows[0].establishment.pk)
    record(request, Action.LIST, Delivery, f"{len(rows)} établissements")
    return render(
        request,
        "delivery/index.html",
        {"title": INDEX[0], "rows": rows, "breadcrumb": [(INDEX[0], "")]},
    )


@require_GET
def establishment_page(request: HttpRequest, pk: int) -> HttpResponse:
    establishment = _establishment_or_404(request.user, pk)
    user = request.user
    waiting = list(selectors.waiting_handout(user, establishment))
    awaited = list(selectors.awaited_returns(user, establishment))
    returned = list(selectors.recent_returns(user, establishment)[:20])
    today = timezone.localdate()
    sessions = ExamSession.objects.filter(establishment=establishment).prefetch_related("units")
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
            "send_form": SendForm(units=_distance_units(establishment)),
            "handed_form": HandedForm(),
            "return_form": ReturnForm(),
            "pack_learners": list(selectors.pack_learners(user, establishment)),
            "pack_form": PackForm(),
            "upcoming": [s for s in sessions if timezone.localtime(s.starts_at).date() >= today],
            "past": [s for s in sessions if timezone.localtime(s.starts_at).date() < today],
            "week": today,
            "breadcrumb": _crumbs(None, (establishment.label, "")),
        },
    )


@require_POST
def send(request: HttpRequest, pk: int) -> HttpResponse:
    establishment = _establishment_or_404(request.user, pk)
    form = SendForm(request.POST, units=_distance_units(establishment))
    if form.is_valid():
        try:
            created = services.send_packages_of_units(
                establishment,
                form.cleaned_data["packages"],
                on=form.cleaned_data["date"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            record(
                request,
                Action.CREATE,
                Delivery,
                f"envoi de {len(created)} supports "
                f"{', '.join(sorted({p.unit.code for p in form.cleaned_data['packages']}))} "
                f"à {establishment.label}",
            )
            messages.success(request, f"{len(created)} remise(s) de supports enregistrée(s).")
            return redirect("delivery:establishment", establishment.pk)
    for line in form_errors_from(form):
        messages.error(request, line)
    return redirect("delivery:establishment", establishment.pk)


def _delivery_or_404(request: HttpRequest, pk: int) -> Delivery:
    _require_logistics(request.user)
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
    if form.is_valid():
        try:
            services.mark_handed(delivery, on=form.cleaned_data["date"], by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            record(request, Action.UPDATE, delivery, f"remis : {delivery.package}")
            messages.success(request, "Remise enregistrée.")
            return _back(delivery)
    for line in form_errors_from(form):
        messages.error(request, line)
    return _back(delivery)


@require_POST
def returned(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _delivery_or_404(request, pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.record_return(
                delivery,
                on=form.cleaned_data["date"],
                grade=form.cleaned_data["grade"],
                feedback=form.cleaned_data["feedback"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            record(request, Action.UPDATE, delivery, f"devoir rendu : {delivery.package}")
            messages.success(request, "Retour du devoir enregistré.")
            return _back(delivery)
    for line in form_errors_from(form):
        messages.error(request, line)
    return _back(delivery)


@require_GET
def slip(request: HttpRequest, pk: int) -> HttpResponse:
    establishment = _establishment_or_404(request.user, pk)
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
    return _pdf(
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
    return _pdf(
        documents.pack_cover_pdf(
            learner, establishment, documents.pack_rows(units), digital_allowed=digital_allowed
        ),
        f"pack-{learner.reference}-page-de-garde.pdf",
    )


def _pack_request(request: HttpRequest, pk: int, learner_pk: int) -> tuple[Any, Any, bool]:
    establishment = _establishment_or_404(request.user, pk)
    learner = selectors.pack_learners(request.user, establishment).filter(pk=learner_pk).first()
    if learner is None:
        raise Http404("Aucun apprenant de cet établissement ne correspond.")
    form = PackForm(request.GET)
    digital_allowed = bool(form.is_valid() and form.cleaned_data["numerique"])
    return establishment, learner, digital_allowed


# --------------------------------------------------------------------------------------------
# The packages of the UEs taught at distance
# --------------------------------------------------------------------------------------------


def _require_package_editor(user: UserLike) -> None:
    if not MaterialPackage.permissions.can_change(user):
        raise PermissionDenied(
            "Seule la coordination nationale crée, modifie et supprime les supports de cours."
        )


def _unit_or_404(request: HttpRequest, code: str) -> TeachingUnit:
    _require_logistics(request.user)
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
    _require_logistics(request.user)
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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            package = services.create_package(
                unit,
                title=data["title"],
                kind=data["kind"],
                position=data["position"],
                file=data["file"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            record(request, Action.CREATE, package, f"support {package}")
            messages.success(request, f"Support « {package.title} » ajouté à {unit.code}.")
            return redirect("delivery:unit_packages", unit.code)
    return _package_form_page(request, unit, form, f"Nouveau support de {unit.code}")


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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            package = services.update_package(
                package,
                title=data["title"],
                kind=data["kind"],
                position=data["position"],
                file=data["file"],
                clear_file=bool(data.get("clear_file")),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            record(request, Action.UPDATE, package, f"support {package}")
            messages.success(request, f"Support « {package.title} » modifié.")
            return redirect("delivery:unit_packages", unit.code)
    return _package_form_page(request, unit, form, f"Modifier « {package.title} »")


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


# --------------------------------------------------------------------------------------------
# Exams
# --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    establishment = _establishment_or_404(request.user, pk)
    form = SessionForm(request.POST or None, units=exams.session_units(establishment))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = exams.create_session(
                establishment,
                starts_at=data["starts_at"],
                room=data["room"],
                invigilator=data["invigilator"],
                units=data["units"],
                duration_minutes=data["duration_minutes"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            record(request, Action.CREATE, session)
            messages.success(
                request, f"Session créée avec {session.registrations.count()} inscription(s)."
            )
            return redirect("delivery:session", session.pk)
    return render(
        request,
        "delivery/form.html",
        {
            "title": "Nouvelle session d’examens",
            "form": form,
            "cancel": reverse("delivery:establishment", args=[establishment.pk]),
            "breadcrumb": _crumbs(establishment, ("Nouvelle session", "")),
        },
        status=400 if form.errors else 200,
    )


def _session_or_404(request: HttpRequest, pk: int) -> ExamSession:
    _require_logistics(request.user)
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
            "breadcrumb": _crumbs(
                session.establishment, (f"Session du {session.starts_at:%d/%m/%Y}", "")
            ),
        },
    )


def _changeable_session_or_404(request: HttpRequest, pk: int) -> ExamSession:
    _require_logistics(request.user)
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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            added, removed = exams.update_session(
                session,
                starts_at=data["starts_at"],
                room=data["room"],
                invigilator=data["invigilator"],
                units=data["units"],
                duration_minutes=data["duration_minutes"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            changes = f"{added} inscription(s) ajoutée(s), {removed} retirée(s)"
            record(request, Action.UPDATE, session, f"session modifiée ; {changes}")
            messages.success(request, f"Session modifiée : {changes}.")
            return redirect("delivery:session", session.pk)
    return render(
        request,
        "delivery/form.html",
        {
            "title": "Modifier la session d’examens",
            "intro": "Une UE ajoutée inscrit ses candidats de l’établissement ; une UE retirée "
            "retire ses inscriptions.",
            "form": form,
            "cancel": reverse("delivery:session", args=[session.pk]),
            "breadcrumb": _crumbs(
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
    if form.is_valid():
        try:
            created = exams.add_candidates(session, form.cleaned_data["enrolments"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            record(request, Action.UPDATE, session, f"{len(created)} candidat(s) ajouté(s)")
            messages.success(request, f"{len(created)} inscription(s) ajoutée(s) à la session.")
            return redirect("delivery:session", session.pk)
    for line in form_errors_from(form):
        messages.error(request, line)
    return redirect("delivery:session", session.pk)


@require_POST
def registration_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _require_logistics(request.user)
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
    if form.is_valid():
        try:
            changed = exams.record_presence(session, form.presence())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            record(request, Action.UPDATE, session, f"présence : {changed} inscription(s)")
            messages.success(request, f"Présence enregistrée ({changed} changement(s)).")
            return redirect("delivery:session", session.pk)
    for line in form_errors_from(form):
        messages.error(request, line)
    return redirect("delivery:session", session.pk)


@require_POST
def accommodation(request: HttpRequest, pk: int) -> HttpResponse:
    _require_logistics(request.user)
    registration = changeable_or_404(
        request.user, ExamRegistration.objects.select_related("session"), pk=pk
    )
    refused = _refuse_if_past(request, registration.session)
    if refused is not None:
        return refused
    form = AccommodationForm(request.POST)
    if form.is_valid():
        exams.update_accommodation(
            registration,
            accommodation=form.cleaned_data["accommodation"],
            extra_time_minutes=form.cleaned_data["extra_time_minutes"],
        )
        record(request, Action.UPDATE, registration, "aménagements d'examen")
        messages.success(request, "Aménagements enregistrés.")
    else:
        for line in form_errors_from(form):
            messages.error(request, line)
    return redirect("delivery:session", registration.session_id)


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
    return _pdf(
        documents.convocation_pdf(session, candidate),
        f"convocation-{candidate.learner.reference}-{session.starts_at:%Y-%m-%d}.pdf",
    )


@require_GET
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    candidates = selectors.session_candidates(session, request.user)
    record(request, Action.EXPORT, session, f"feuille d'émargement, {len(candidates)} candidats")
    return _pdf(
        documents.attendance_pdf(session, candidates),
        f"emargement-{session.establishment_id}-{session.starts_at:%Y-%m-%d}.pdf",
    )


# --------------------------------------------------------------------------------------------
# Hand-overs
# --------------------------------------------------------------------------------------------


def _require_handover_role(user: UserLike) -> None:
    scope = scope_of(user)
    if not (
        scope.everything
        or scope.role in (Role.CENTRE_STAFF, Role.REGIONAL_COORDINATOR, Role.REFERENT, Role.RLE)
    ):
        raise PermissionDenied("Votre rôle ne donne pas accès aux reprises de formation.")


@require_GET
def handover_list(request: HttpRequest) -> HttpResponse:
    _require_handover_role(request.user)
    items = list(selectors.hand_overs_for(request.user))
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
        if form.is_valid():
            try:
                services.record_outcome(
                    item,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                record(request, Action.UPDATE, item, f"suite : {item.get_status_display()}")
                messages.success(request, "Suite de la reprise enregistrée.")
                return redirect("delivery:handover", item.pk)
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
    learner = Learner.permissions.readable(
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
    return _pdf(
        documents.passport_pdf(hand_over, learner),
        f"passeport-formation-{learner.reference}.pdf",
    )
