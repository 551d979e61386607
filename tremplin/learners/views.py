from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from tremplin.core.audit import Action, filters_summary, record
from tremplin.core.paging import Counted
from tremplin.core.permissions import changeable_or_404, permissions_of
from tremplin.core.stamps import count as stamped_count
from tremplin.core.views import apply_errors, submitted

from . import selectors, services
from .forms import LearnerFilterForm, LearnerForm, ReleaseForm, TransferForm
from .identity import CONFIRM_OTHER_PERSON, PossibleDuplicate
from .models import Learner, Status
from .permissions import require_learner_role
from .record import learner_record

PAGE_SIZE = 50


def _files() -> QuerySet[Learner]:
    """The files that can be changed: a merged one is only a redirect to the kept file."""
    return Learner.objects.exclude(status=Status.MERGED)


@require_GET
def learner_list(request: HttpRequest) -> HttpResponse:
    require_learner_role(request.user)
    form = LearnerFilterForm(
        request.GET or None, establishments=selectors.establishments_in_scope(request.user)
    )
    filters = selectors.LearnerFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.LearnerFilters(
            q=data["q"].strip(),
            establishment=data["establishment"].pk if data["establishment"] else None,
            disp=data["disp"].pk if data["disp"] else None,
            status=data["status"],
        )
    # Counted first: the count and the page's depth choose how the page is read. The same list
    # is counted once per change of what it reads (core.stamps).
    listed = selectors.search_learners(request.user, filters)
    count = stamped_count(listed)
    depth = Counted(listed, PAGE_SIZE, count).skipped(request.GET.get("page")) + PAGE_SIZE
    found = selectors.search_learners(request.user, filters, matches=count, depth=depth)
    page = Counted(found, PAGE_SIZE, count).get_page(request.GET.get("page"))
    record(
        request,
        Action.LIST,
        Learner,
        f"page {page.number}, {len(page.object_list)} dossiers, "
        f"filtres {filters_summary(request.GET)}",
        records=page.object_list,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "learners/learner_list.html",
        {
            "title": "Apprenants",
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_create": permissions_of(Learner).can_change(request.user),
        },
    )


@require_GET
def learner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    learner = selectors.learner_for(request.user, pk)
    if learner is None:
        from django.http import Http404

        raise Http404("Aucun apprenant ne correspond.")
    if learner.merged_into_id is not None:
        # A merged file is a redirect to the kept one.
        messages.info(request, f"Le dossier {learner.reference} a été fusionné dans celui-ci.")
        return redirect("learners:detail", learner.merged_into_id)
    record(request, Action.VIEW, learner)
    context = learner_record(learner, request.user)
    return render(
        request,
        "learners/learner_detail.html",
        {
            **context,
            "title": learner.full_name,
            "breadcrumb": [("Apprenants", reverse("learners:list")), (learner.full_name, "")],
        },
    )


@require_http_methods(["GET", "POST"])
def learner_create(request: HttpRequest) -> HttpResponse:
    if not permissions_of(Learner).can_change(request.user):
        raise PermissionDenied("Votre rôle ne permet pas de créer un dossier.")
    scoped: dict[str, Any] = {
        "establishments": selectors.establishments_in_scope(request.user),
        "missions_locales": selectors.missions_locales_in_scope(request.user),
    }
    form = LearnerForm(request.POST or None, **scoped)
    duplicates: list[tuple[Learner, bool]] = []
    if request.method == "POST" and form.is_valid():
        try:
            learner = services.create_learner(by=request.user, **form.cleaned_data)
        except PossibleDuplicate as exc:
            # Asked again with the confirmation that it is another person, and the files found.
            form = LearnerForm(request.POST, ask_other_person=True, **scoped)
            form.is_valid()
            form.add_error(
                "other_person",
                CONFIRM_OTHER_PERSON,
            )
            duplicates = selectors.with_readability(request.user, exc.matches)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            record(request, Action.CREATE, learner)
            messages.success(request, f"Dossier de {learner.full_name} créé.")
            return redirect("learners:detail", learner.pk)
    return render(
        request,
        "learners/form.html",
        {
            "title": "Nouvel apprenant",
            "form": form,
            "duplicates": duplicates,
            "cancel": reverse("learners:list"),
            "breadcrumb": [("Apprenants", reverse("learners:list")), ("Nouveau dossier", "")],
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def learner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    learner = changeable_or_404(request.user, _files(), pk=pk)
    form = LearnerForm(
        request.POST or None,
        instance=learner,
        missions_locales=selectors.missions_locales_in_scope(request.user),
    )
    done = submitted(
        request,
        form,
        lambda _: services.update_learner(form, by=request.user),
        audit=lambda _: (Action.UPDATE, learner, "identité"),
        success="Dossier enregistré.",
        then=lambda _: redirect("learners:detail", learner.pk),
    )
    return done or _form_page(request, learner, form, "Modifier le dossier")


@require_http_methods(["GET", "POST"])
def learner_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    learner = changeable_or_404(request.user, _files(), pk=pk)
    form = TransferForm(request.POST or None)
    done = submitted(
        request,
        form,
        lambda data: services.transfer(
            learner,
            to=data["establishment"],
            on=data["date"],
            by=request.user,
            numero_ecrou=data["numero_ecrou"],
        ),
        audit=lambda placement: (
            Action.UPDATE,
            learner,
            f"transfert vers {placement.establishment}",
        ),
        success="Transfert enregistré : le parcours suit la personne.",
        then=lambda _: redirect("learners:detail", learner.pk),
    )
    return done or _form_page(request, learner, form, "Enregistrer un transfert")


@require_http_methods(["GET", "POST"])
def learner_release(request: HttpRequest, pk: int) -> HttpResponse:
    learner = changeable_or_404(request.user, _files(), pk=pk)
    form = ReleaseForm(request.POST or None)
    done = submitted(
        request,
        form,
        lambda data: services.release(
            learner, on=data["date"], commune=data["commune"], by=request.user
        ),
        audit=lambda _: (Action.UPDATE, learner, "libération"),
        success="Libération enregistrée.",
        then=lambda _: redirect("learners:detail", learner.pk),
    )
    return done or _form_page(request, learner, form, "Enregistrer une libération")


def _form_page(request: HttpRequest, learner: Learner, form: object, title: str) -> HttpResponse:
    record(request, Action.VIEW, learner, f"formulaire « {title} »")
    return render(
        request,
        "learners/form.html",
        {
            "title": title,
            "form": form,
            "learner": learner,
            "cancel": reverse("learners:detail", args=[learner.pk]),
            "breadcrumb": [
                ("Apprenants", reverse("learners:list")),
                (learner.full_name, reverse("learners:detail", args=[learner.pk])),
                (title, ""),
            ],
        },
        status=400 if getattr(form, "errors", None) else 200,
    )
