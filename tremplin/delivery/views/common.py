"""What the delivery pages share: the access checks, the breadcrumbs, the PDF answer."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import reverse

from tremplin.catalog.models import Modality, TeachingUnit
from tremplin.core.permissions import UserLike
from tremplin.core.scope import scope_of
from tremplin.enrolment.models import Enrolment, Result
from tremplin.places.models import Establishment

from .. import selectors
from ..permissions import LOGISTICS

INDEX = ("Supports et examens", "delivery:index")
PACKAGES = ("Supports de cours par UE", "delivery:packages")
HANDOVERS = ("Reprises de formation", "delivery:handovers")


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def require_logistics(user: UserLike) -> None:
    scope = scope_of(user)
    if not (scope.everything or scope.role in LOGISTICS):
        raise PermissionDenied("Votre rôle ne donne pas accès aux supports et aux examens.")


def establishment_or_404(user: UserLike, pk: int) -> Establishment:
    require_logistics(user)
    found = selectors.establishments_in_scope(user).filter(pk=pk).first()
    if found is None:
        raise Http404("Aucun établissement ne correspond.")
    return found


def crumbs(establishment: Establishment | None = None, *rest: tuple[str, str]) -> Any:
    crumbs = [(INDEX[0], reverse(INDEX[1]))]
    if establishment is not None:
        crumbs.append(
            (establishment.label, reverse("delivery:establishment", args=[establishment.pk]))
        )
    return [*crumbs, *rest]


def distance_units(establishment: Establishment) -> Any:
    """The distance or hybrid UEs in which learners detained there have a pending enrolment."""
    pending = Enrolment.objects.filter(
        result=Result.PENDING, learner__establishment=establishment, learner__status="placed"
    ).values("unit_id")
    return TeachingUnit.objects.filter(
        pk__in=pending, modality__in=[Modality.DISTANCE, Modality.HYBRID]
    ).order_by("code")
