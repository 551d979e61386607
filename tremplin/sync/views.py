"""The establishment copies' pages: « Copies d'établissement » at the centre (create, send,
receive, revoke, conflicts) and « Synchronisation » on a copy (send to the centre, receive its
return). Thin: the services do the work (docs/sync.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tremplin.core import audit
from tremplin.core.actions import Action, require
from tremplin.core.models import AuditEvent
from tremplin.core.scope import scope_of
from tremplin.core.views import form_errors_from

from . import bundle, selectors, services
from .crypto import Refused
from .forms import BundleForm, CreateSiteForm
from .models import CENTRE, Conflict, Peer
from .services import site_file_name

BUNDLE_TYPE = "application/vnd.tremplin.bundle+json"
A = AuditEvent.Action


def _attachment(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=BUNDLE_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _peer(request: HttpRequest, code: str) -> Peer:
    require(request.user, Action.MANAGE_COPIES)
    peer = selectors.sites().filter(code=code).first()
    if peer is None:
        raise Http404("Aucune copie d'établissement de ce nom.")
    scope = scope_of(request.user)
    if not scope.everything and peer.establishment.disp_id not in scope.disp_ids:
        raise PermissionDenied("Cet établissement n'est pas dans votre périmètre.")
    return peer


def _mine(request: HttpRequest) -> Any:
    scope = scope_of(request.user)
    sites = selectors.sites()
    return sites if scope.everything else sites.filter(establishment__disp_id__in=scope.disp_ids)


# --- at the centre ------------------------------------------------------------------------


def sites(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.MANAGE_COPIES)
    form = CreateSiteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_site(form.cleaned_data["establishment"], by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            default_storage.save(site_file_name(created.peer), ContentFile(created.data))
            return render(
                request,
                "sync/created.html",
                {
                    "peer": created.peer,
                    "code": created.code,
                    "records": created.records,
                    "title": f"Copie de {created.peer.establishment.label} créée",
                },
            )
    return render(
        request,
        "sync/sites.html",
        {
            "sites": list(_mine(request)),
            "form": form,
            "upload": BundleForm(),
            "title": "Copies d'établissement",
        },
    )


@require_GET
def site_detail(request: HttpRequest, code: str) -> HttpResponse:
    peer = _peer(request, code)
    conflicts = list(Conflict.objects.filter(peer=peer).select_related("reviewed_by")[:200])
    return render(
        request,
        "sync/site.html",
        {
            "peer": peer,
            "conflicts": conflicts,
            "site_file": default_storage.exists(site_file_name(peer)),
            "title": f"Copie de {peer.establishment.label}",
            "breadcrumb": [
                ("Copies d'établissement", reverse("sync:sites")),
                (peer.establishment.label, None),
            ],
        },
    )


@require_GET
def site_file(request: HttpRequest, code: str) -> HttpResponse:
    peer = _peer(request, code)
    name = site_file_name(peer)
    if peer.revoked_at is not None or not default_storage.exists(name):
        raise Http404("Le fichier d'installation n'est plus disponible.")
    with default_storage.open(name, "rb") as stored:
        data = stored.read()
    audit.record(request, A.EXPORT, peer, f"fichier d'installation de {peer.code} téléchargé")
    return _attachment(data, f"{peer.code}.tremplin-site")


@require_POST
def site_export(request: HttpRequest, code: str) -> HttpResponse:
    peer = _peer(request, code)
    try:
        data, summary = services.export_bundle(peer.code, by=request.user)
    except ValidationError as exc:
        for line in exc.messages:
            messages.error(request, line)
        return redirect("sync:site", code=peer.code)
    return _attachment(data, f"{peer.code}-retour-{summary.seq}.tremplin-bundle")


def _import(request: HttpRequest, back: str) -> HttpResponse:
    form = BundleForm(request.POST, request.FILES)
    if not form.is_valid():
        for line in form_errors_from(form):
            messages.error(request, line)
        return redirect(back)
    data = form.cleaned_data["bundle"].read()
    if back == "sync:sites":
        # The coordinator imports the bundles of the copies of their scope only.
        try:
            sender = str(bundle.Envelope.parse(data).header.get("from", ""))
        except Refused:
            sender = ""
        if sender and selectors.sites().filter(code=sender).exists():
            _peer(request, sender)
    try:
        summary = services.import_bundle(data, by=request.user)
    except ValidationError as exc:
        for line in exc.messages:
            messages.error(request, line)
        return redirect(back)
    messages.success(
        request,
        f"Envoi n° {summary.seq} importé : {summary.created} créés, {summary.updated} modifiés, "
        f"{summary.deleted} supprimés, {summary.conflicts} conflits à revoir.",
    )
    return redirect(back)


@require_POST
def site_import(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.MANAGE_COPIES)
    return _import(request, "sync:sites")


def site_revoke(request: HttpRequest, code: str) -> HttpResponse:
    """GET: what revoking means, and the button; POST: revoke."""
    peer = _peer(request, code)
    if request.method != "POST":
        return render(
            request,
            "sync/revoke.html",
            {"peer": peer, "title": f"Révoquer la copie de {peer.establishment.label}"},
        )
    try:
        services.revoke_site(peer.code, by=request.user)
    except ValidationError as exc:
        for line in exc.messages:
            messages.error(request, line)
        return redirect("sync:site", code=peer.code)
    messages.success(
        request,
        f"Clé de la copie {peer.code} révoquée : tout envoi signé par elle est désormais refusé.",
    )
    return redirect("sync:site", code=peer.code)


@require_POST
def conflicts_reviewed(request: HttpRequest, code: str) -> HttpResponse:
    peer = _peer(request, code)
    ids = [int(x) for x in request.POST.getlist("conflict") if x.isdigit()]
    done = services.review_conflicts(
        list(Conflict.objects.filter(peer=peer, pk__in=ids).values_list("pk", flat=True)),
        by=request.user,
    )
    messages.success(request, f"{done} conflit(s) marqué(s) comme vu(s).")
    return redirect("sync:site", code=peer.code)


# --- on a copy ----------------------------------------------------------------------------


@require_GET
def copy_page(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.SYNC_COPY)
    centre = Peer.objects.get(code=CENTRE)
    return render(
        request,
        "sync/copy.html",
        {
            "centre": centre,
            "conflicts": list(Conflict.objects.filter(peer=centre)[:200]),
            "upload": BundleForm(),
            "title": "Synchronisation avec le centre",
        },
    )


@require_POST
def copy_export(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.SYNC_COPY)
    try:
        data, summary = services.export_bundle(by=request.user)
    except ValidationError as exc:
        for line in exc.messages:
            messages.error(request, line)
        return redirect("sync:copy")
    return _attachment(data, f"{summary.site}-envoi-{summary.seq}.tremplin-bundle")


@require_POST
def copy_import(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.SYNC_COPY)
    return _import(request, "sync:copy")
