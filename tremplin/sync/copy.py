"""An establishment copy at work (docs/sync.md, "On the copy"): the header says where one is and
when the last bundle came; what only the centre decides is refused there, whatever the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from tremplin.core.typography import long_datetime

from .models import CENTRE, Peer
from .selectors import copy_of, node

#: The pages whose changes only the centre makes (namespace, or namespace:name): the catalogue,
#: a person's file and path (custody movements, merges), the certifications' decisions, the
#: conventions, the missions locales' orientations, a person's rights, the imports, the accounts
#: (the centre's travel to the copy and would overwrite a change made there), the API and its
#: tokens and webhooks, the hand-overs to a Cnam centre. Reading stays open.
CENTRAL_PAGES = frozenset(
    {
        "catalog",
        "learners:create",
        "learners:edit",
        "learners:transfer",
        "learners:release",
        "learners:merge",
        "learners:merge_confirm",
        "learners:merge_undo",
        "enrolment:certification",
        "conventions",
        "orientation",
        "privacy",
        "site:import",
        "security:enrol",
        "security:recovery_codes_new",
        "security:password_change",
        "security:password_reset_confirm",
        "security:reset_link",
        "security:reset_two_factor",
        "security:unlock",
        "api",
        "api_pages",
        "delivery:handover",
    }
)
REFUSAL = (
    "Sur la copie de l'établissement, cette action se fait au centre : elle arrivera ici avec le "
    "prochain retour de synchronisation."
)
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def _central(request: HttpRequest) -> bool:
    match = request.resolver_match
    if match is None:
        return False
    namespace = match.namespaces[0] if match.namespaces else ""
    return namespace in CENTRAL_PAGES or f"{namespace}:{match.url_name}" in CENTRAL_PAGES


class CopyGuard:
    """On a copy, a change that only the centre makes is refused (403, the reason in French)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.method in SAFE or not _central(request):
            return None
        if copy_of() is not None:
            raise PermissionDenied(REFUSAL)
        return None


def copy_status(request: HttpRequest) -> dict[str, Any]:
    """For the header: « Copie de l'établissement CD MELUN, dernière synchronisation le … »
    (for the signed-in: the sign-in page reads nothing from the database)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or copy_of() is None:
        return {}
    here = node()
    if here is None:
        return {}
    centre = Peer.objects.filter(code=CENTRE).first()
    last = centre.last_received_at if centre is not None else None
    return {
        "tremplin_copy": {
            "establishment": here.establishment.label if here.establishment else here.code,
            "last_sync": long_datetime(last) if last else "",
        }
    }
