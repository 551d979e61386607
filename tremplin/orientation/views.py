from __future__ import annotations

from datetime import datetime, time
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tremplin.core.audit import Action, record
from tremplin.core.paging import Counted
from tremplin.core.permissions import readable_or_404
from tremplin.core.roles import Role
from tremplin.core.routers import reports
from tremplin.core.scope import scope_of
from tremplin.core.stamps import count as stamped_count
from tremplin.core.typography import thousands
from tremplin.core.views import apply_errors
from tremplin.learners.identity import CONFIRM_OTHER_PERSON, PossibleDuplicate
from tremplin.learners.models import Kind, Learner
from tremplin.learners.selectors import with_readability
from tremplin.places.models import MissionLocale
from tremplin.reporting.tables import publication_for
from tremplin.reporting.views import CONTENT_TYPES

from . import proposals, selectors, services
from .forms import (
    ContactFields,
    MoveReferralForm,
    ReferralFilterForm,
    ReferralForm,
    StatisticsFilterForm,
    YoungPersonForm,
)
from .models import CentreOffer, Referral, YouthProfile
from .publication import publish_stats
from .report import FORMATTERS, StatsReport, page_context
from .stats import referral_stats

COUNSELOR_ROLES = frozenset({Role.ML_COUNSELOR, Role.NATIONAL_COORDINATOR})
REFERRAL_ROLES = frozenset(
    {Role.ML_COUNSELOR, Role.CENTRE_STAFF, Role.REGIONAL_COORDINATOR, Role.NATIONAL_COORDINATOR}
)


def _require(request: HttpRequest, roles: frozenset[str]) -> None:
    scope = scope_of(request.user)
    if not (scope.everything or scope.role in roles):
        raise PermissionDenied(
            "Votre rôle ne donne pas accès à l'orientation des missions locales."
        )


@require_GET
def young_people(request: HttpRequest) -> HttpResponse:
    _require(request, COUNSELOR_ROLES)
    searched = " ".join(request.GET.get("q", "").split())[:100]
    # Counted first: the count chooses how a search's page is read; once per change of what it
    # reads (core.stamps).
    count = stamped_count(selectors.young_people(request.user, q=searched))
    people = selectors.young_people(request.user, q=searched, matches=count)
    page = Counted(people, 50, count).get_page(request.GET.get("page"))
    # The summary never holds the searched names (docs/security.md).
    found = ", recherche par nom" if searched else ""
    record(request, Action.LIST, Learner, f"jeunes des missions locales{found}, page {page.number}")
    return render(
        request,
        "orientation/young_people.html",
        {
            "title": "Jeunes orientés",
            "page": page,
            "searched": searched,
            "query": urlencode({"q": searched}) if searched else "",
        },
    )


@require_http_methods(["GET", "POST"])
def young_person_create(request: HttpRequest) -> HttpResponse:
    _require(request, COUNSELOR_ROLES)
    scope = scope_of(request.user)
    mission_locale = (
        MissionLocale.objects.filter(pk=scope.mission_locale_id).first()
        if scope.mission_locale_id
        else None
    )
    if mission_locale is None:
        raise PermissionDenied("Seul un conseiller de mission locale crée le dossier d'un jeune.")
    form = YoungPersonForm(request.POST or None)
    duplicates: list[tuple[Learner, bool]] = []
    if request.method == "POST" and form.is_valid():
        try:
            learner = services.create_young_person(
                mission_locale=mission_locale, by=request.user, **form.cleaned_data
            )
        except PossibleDuplicate as exc:
            form = YoungPersonForm(request.POST, ask_other_person=True)
            form.is_valid()
            form.add_error(
                "other_person",
                CONFIRM_OTHER_PERSON,
            )
            duplicates = with_readability(request.user, exc.matches)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            record(request, Action.CREATE, learner)
            messages.success(
                request,
                f"Dossier de {learner.full_name} créé : voici les formations qui lui correspondent.",
            )
            return redirect("orientation:young_person", learner.pk)
    return render(
        request,
        "learners/form.html",
        {
            "title": "Nouveau jeune",
            "form": form,
            "duplicates": duplicates,
            "cancel": reverse("orientation:young_people"),
            "breadcrumb": [
                ("Jeunes orientés", reverse("orientation:young_people")),
                ("Nouveau jeune", ""),
            ],
        },
        status=400 if form.errors else 200,
    )


@require_GET
def young_person(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, COUNSELOR_ROLES)
    learner = readable_or_404(request.user, Learner.objects.filter(kind=Kind.YOUTH), pk=pk)
    return _young_person_page(request, learner)


def _young_person_page(
    request: HttpRequest, learner: Learner, *, contact_form: ContactFields | None = None
) -> HttpResponse:
    profile = YouthProfile.objects.filter(learner=learner).select_related("commune").first()
    record(request, Action.VIEW, learner)
    result = None
    if profile is not None:
        result = proposals.propose_for(profile)
    return render(
        request,
        "orientation/young_person.html",
        {
            "title": learner.full_name,
            "learner": learner,
            "profile": profile,
            "result": result,
            **(_proposals_shown(request, result) if result is not None else {}),
            "referrals": Referral.objects.filter(learner=learner).select_related(
                "centre", "formation"
            ),
            "form": ReferralForm(),
            "contact_form": contact_form
            or ContactFields(
                initial={
                    "phone": profile.phone,
                    "email": profile.email,
                    "contact_consent": profile.contact_consent_on is not None,
                }
                if profile
                else None
            ),
            "shared_contact": services.shared_contact(profile),
            "breadcrumb": [
                ("Jeunes orientés", reverse("orientation:young_people")),
                (learner.full_name, ""),
            ],
        },
        status=400 if contact_form is not None else 200,
    )


#: The near offers shown at first, and added by each « Afficher … supplémentaires ».
NEAR_STEP = 20


def _proposals_shown(request: HttpRequest, result: proposals.ProposalResult) -> dict[str, Any]:
    """What the page lists of the proposals: the nearest `NEAR_STEP` near offers, more on
    request (`?proches=40`, « Afficher … supplémentaires », which lands on the first new row);
    the distance offers once per formation, at the nearest centre, every centre's on request
    (`?distance=toutes`). Around Paris, with 80 km and every sector, the national offer
    proposes about 775 near and 220 distance offers: a page of 1.3 MB and a thousand forms,
    where a counselor reads the first lines."""
    asked = request.GET.get("proches", "")
    total = len(result.near)
    wanted = int(asked) if asked.isascii() and asked.isdigit() and len(asked) < 7 else 0
    shown = min(total, max(NEAR_STEP, wanted))
    every_centre = request.GET.get("distance") == "toutes"
    remote = (
        [(p, 0) for p in result.remote]
        if every_centre
        else proposals.nearest_per_formation(result.remote)
    )
    kept_remote = {"distance": "toutes"} if every_centre else {}
    kept_near = {"proches": str(shown)} if shown > NEAR_STEP else {}
    more = min(NEAR_STEP, total - shown)
    return {
        "near_rows": [(p, 0) for p in result.near[:shown]],
        "near_total": total,
        "near_detail": f"les {thousands(shown)} plus proches sur {thousands(total)}"
        if shown < total
        else "",
        "near_more": more,
        "near_more_query": urlencode({"proches": str(shown + more), **kept_remote}),
        "near_more_anchor": f"proche-{shown + 1}",
        "remote_rows": remote,
        "remote_total": len(result.remote),
        "remote_total_text": thousands(len(result.remote)),
        "remote_every_centre": every_centre,
        # The other way of listing them, the near offers shown kept.
        "remote_query": urlencode(
            {**kept_near, **({} if every_centre else {"distance": "toutes"})}
        ),
    }


@require_POST
def young_person_contact(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, COUNSELOR_ROLES)
    learner = readable_or_404(request.user, Learner.objects.filter(kind=Kind.YOUTH), pk=pk)
    form = ContactFields(request.POST)
    if form.is_valid():
        try:
            services.update_contact(learner, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            record(request, Action.UPDATE, learner, "coordonnées")
            messages.success(request, "Coordonnées enregistrées.")
            return redirect("orientation:young_person", pk)
    return _young_person_page(request, learner, contact_form=form)


@require_POST
def referral_send(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, COUNSELOR_ROLES)
    learner = readable_or_404(request.user, Learner.objects.filter(kind=Kind.YOUTH), pk=pk)
    form = ReferralForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez une formation à proposer.")
        return redirect("orientation:young_person", pk)
    offer = get_object_or_404(
        CentreOffer.objects.select_related("centre", "formation"), pk=form.cleaned_data["offer"]
    )
    try:
        referral = services.send_referral(
            learner, offer=offer, message=form.cleaned_data["message"], by=request.user
        )
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
        return redirect("orientation:young_person", pk)
    record(request, Action.CREATE, referral)
    messages.success(request, f"Orientation envoyée à {offer.centre.name}.")
    return redirect("orientation:referral", referral.pk)


@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    _require(request, REFERRAL_ROLES)
    form = ReferralFilterForm(request.GET or None)
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    status = chosen.get("status", "")
    searched = " ".join(chosen.get("q", "").split())
    reminders = services.reminders(request.user)
    if status == "reminder":
        filters = selectors.ReferralFilters(q=searched)
        referrals = selectors.narrowed(request.user, reminders, filters).order_by("-sent_at", "-pk")
        count = stamped_count(referrals)
    else:
        filters = selectors.ReferralFilters(status=status, q=searched)
        count = selectors.count_referrals(request.user, filters)
        referrals = selectors.search_referrals(request.user, filters, matches=count)
    page = Counted(referrals, 50, count).get_page(request.GET.get("page"))
    # The reminders unsearched are the list just counted: counted once.
    reminder_count = (
        count if status == "reminder" and not searched else services.count_reminders(request.user)
    )
    # The summary never holds the searched names (docs/security.md).
    found = ", recherche par nom" if searched else ""
    record(request, Action.LIST, Referral, f"statut={status}{found}, page {page.number}")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "orientation/referral_list.html",
        {
            "title": "Orientations vers les centres Cnam",
            "form": form,
            "page": page,
            "searched": searched,
            "query": query.urlencode(),
            "reminder_count": reminder_count,
            # Only the rows shown: the overdue referrals of a region can be tens of thousands.
            "reminder_ids": set(
                reminders.filter(pk__in=[r.pk for r in page]).values_list("pk", flat=True)
            ),
        },
    )


@require_GET
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, REFERRAL_ROLES)
    referral = readable_or_404(
        request.user,
        Referral.objects.select_related(
            "created_by",
            "learner",
            "learner__youth_profile__commune",
            "centre",
            "centre__commune",
            "formation",
            "mission_locale",
        ),
        pk=pk,
    )
    record(request, Action.VIEW, referral)
    return render(
        request,
        "orientation/referral_detail.html",
        {
            "title": f"Orientation de {referral.learner.full_name}",
            "referral": referral,
            "shared_contact": services.shared_contact(
                getattr(referral.learner, "youth_profile", None)
            ),
            "counselor": referral.created_by,
            "events": referral.events.select_related("by"),
            "moves": [
                (
                    move,
                    MoveReferralForm(
                        prefix=move.name,
                        initial={"version": referral.version, "on": timezone.localdate()},
                    ),
                )
                for move in services.allowed_referral_moves(referral, request.user)
            ],
            "breadcrumb": [
                ("Orientations", reverse("orientation:referrals")),
                (referral.learner.full_name, ""),
            ],
        },
    )


@require_POST
def referral_move(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    _require(request, REFERRAL_ROLES)
    referral = readable_or_404(request.user, Referral.objects.all(), pk=pk)
    form = MoveReferralForm(request.POST, prefix=move)
    if not form.is_valid():
        problems = [e for field in ("on",) for e in form.errors.get(field, [])]
        messages.error(
            request,
            f"Date de l'étape : {problems[0]}"
            if problems
            else "Formulaire incomplet : rechargez la page.",
        )
        return redirect("orientation:referral", pk)
    on = form.cleaned_data["on"]
    # A move dated today is now; an earlier day is recorded at noon of that day.
    happened = (
        timezone.now()
        if on == timezone.localdate()
        else timezone.make_aware(datetime.combine(on, time(12)))
    )
    try:
        moved = services.move_referral(
            referral,
            move,
            by=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
            now=happened,
        )
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    else:
        record(request, Action.TRANSITION, moved, moved.get_status_display())
        messages.success(request, f"Orientation : {moved.get_status_display().lower()}.")
    return redirect("orientation:referral", pk)


#: Who reads the orientation figures (aggregates only): coordinators and statisticians for
#: their scope, a counselor for their mission locale, centre staff for their centre.
STATISTICS_ROLES = REFERRAL_ROLES | {Role.STATISTICIAN}


def _statistics_form(request: HttpRequest) -> StatisticsFilterForm:
    _require(request, STATISTICS_ROLES)
    scope = scope_of(request.user)
    published = publication_for(request.user, asked=False)
    form = StatisticsFilterForm(request.GET or None, scope=scope, published=published)
    if not form.is_bound:
        form = StatisticsFilterForm(
            {"period": form.default_period}, scope=scope, published=published
        )
    return form


def _statistics_report(request: HttpRequest, form: StatisticsFilterForm) -> StatsReport:
    """The figures of the form's filters; published (masked) for the roles that only ever see
    published figures (the statistician)."""
    stats = referral_stats(**form.filters())
    if form.published:
        stats = publish_stats(stats)
    return StatsReport(stats, form.scope_label())


@require_GET
@reports  # every read of the page on the replica when there is one
def statistics(request: HttpRequest) -> HttpResponse:
    form = _statistics_form(request)
    context: dict[str, Any] = {"title": "Statistiques des orientations", "form": form}
    if form.is_valid():
        report = _statistics_report(request, form)
        query = {k: v for k, v in form.data.items() if v}
        context.update(page_context(report))
        context["query"] = urlencode(query) if query else "period="
        context["title"] = report.title
    return render(
        request, "orientation/statistics.html", context, status=200 if form.is_valid() else 400
    )


@require_GET
@reports
def statistics_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATTERS:
        raise Http404("Format inconnu.")
    form = _statistics_form(request)
    if not form.is_valid():  # what is wrong, with each field's label, as the page says it
        errors = [
            f"{form.fields[name].label if name in form.fields else 'Filtres'} : {message}"
            for name, messages_ in form.errors.items()
            for message in messages_
        ]
        return HttpResponse(
            "Filtres invalides. " + " ".join(errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    report = _statistics_report(request, form)
    content_type, extension = CONTENT_TYPES[fmt]
    response = HttpResponse(FORMATTERS[fmt](report), content_type=content_type)
    name = f"orientations-{report.stats.period or 'toutes-periodes'}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
